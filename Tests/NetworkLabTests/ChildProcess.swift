import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A program started with posix_spawn and reaped with waitpid.
///
/// Not Foundation.Process: Process learns that a child ended when a socket the child inherited
/// closes, and a program spawned at the same moment by another thread (the other lab test, any
/// other suite) inherits that socket too. A long-lived dnsmasq holding it made Process miss the
/// end of systemd-networkd-wait-online until the lab was torn down. Here every child starts with
/// only fds 0-2 (closefrom in the spawn) and its end is seen by waitpid on its pid.
final class ChildProcess {
    let pid: pid_t
    /// The exit status once reaped, as shells report it (128 + N for signal N); nil while running.
    private(set) var status: Int32?

    /// Starts `arguments` (an absolute path first) with the given standard input, output and
    /// error file descriptors; the caller may close them afterwards.
    init(_ arguments: [String], input: Int32, output: Int32, error: Int32) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, error, 2)
        Self.addCloseFrom3(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with no blocked signals and default handlers, whatever the test
        // runner's threads have set.
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw CommandError(description: "cannot start \(arguments[0]): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// Whether it still runs; reaps it (and sets `status`) once it has ended.
    var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        guard result == pid else { return result == 0 }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as functions.
        status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        return false
    }

    /// Waits up to `timeout` seconds for it to end; true if it has.
    func wait(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning {
            if Date() > deadline { return false }
            usleep(5_000)
        }
        return true
    }

    /// Sends `signal` unless it has been reaped (when the pid may belong to another process).
    func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Ends it: `signal`, then SIGKILL after `grace` seconds, then reaps it.
    func stop(signal: Int32 = SIGTERM, grace: Double = 2) {
        send(signal)
        if !wait(timeout: grace) {
            send(SIGKILL)
            _ = wait(timeout: 10)
        }
    }

    /// posix_spawn_file_actions_addclosefrom_np (glibc 2.34): the child closes every fd from 3
    /// up, whichever the other threads hold open at that moment. Swift does not import it, so it
    /// is looked up; where it is missing, children inherit fds, which only keeps other suites'
    /// Foundation.Process from seeing their children end while ours run.
    private static func addCloseFrom3(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = closeFrom {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        }
    }

    private nonisolated(unsafe) static let closeFrom = dlsym(
        dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np")
}
