#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import GuestPrepModel
import Synchronization

/// Runs programs with `posix_spawn`, by argv only: never through a shell, so no argument is
/// ever interpreted.
///
/// Each child gets:
/// - a fixed environment (``environment``: PATH, LANG, DEBIAN_FRONTEND), and nothing
///   inherited, so secrets in the agent's environment never reach it;
/// - stdin from `/dev/null`; stdout and stderr through pipes, read together with `poll` (no
///   deadlock whatever the child writes), each kept up to ``outputLimit`` bytes (the rest is
///   read and dropped so the child never blocks);
/// - no other open descriptor of the agent (`posix_spawn_file_actions_addclosefrom_np` where
///   the C library has it, glibc 2.34 and later; the runner's own descriptors are
///   close-on-exec in any case);
/// - default signal dispositions, an empty signal mask and a process group of its own, so a
///   timeout kills the program and everything it started.
///
/// A program still running after `timeout` seconds is killed with SIGKILL, reaped, and
/// reported as `GuestPrepError.program`. With a notifier, the systemd unit's start timeout is
/// kept ahead of the program's own (``TimeoutExtension``): sent before it starts and again
/// every period while it runs, so systemd never kills guestprep in the middle of a command
/// that guestprep itself would still let run.
public final class PosixProcessRunner: ProcessRunner {
    /// The whole environment every child gets.
    /// `DEBIAN_FRONTEND=noninteractive`: a package install never waits for a debconf answer.
    public static let environment = [
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "DEBIAN_FRONTEND=noninteractive",
    ]
    /// The most bytes kept of each of stdout and stderr.
    public static let outputLimit = 4 << 20

    private let started = Atomic<Int>(0)
    private let notifier: (any Notifier)?
    private let timeoutExtension: TimeoutExtension

    /// A runner; `notifier` (the unit's, under systemd) is told to extend the start timeout
    /// around every program as `timeoutExtension` says.
    public init(notifier: (any Notifier)? = nil, timeoutExtension: TimeoutExtension = TimeoutExtension()) {
        self.notifier = notifier
        self.timeoutExtension = timeoutExtension
    }

    /// How many processes this runner has started so far.
    public var processesStarted: Int { started.load(ordering: .relaxed) }

    /// Whether `path` is a regular file (after following symlinks) that this process may execute.
    public func isExecutable(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o170000 == 0o100000 else { return false }
        return access(path, X_OK) == 0
    }

    /// Runs `executable` (an absolute path) with `arguments` and waits for it at most `timeout`
    /// seconds. A nonzero exit status is returned, not thrown; a program killed by a signal
    /// reports 128 + the signal number, as shells do.
    public func run(executable: String, arguments: [String], timeout: Double) throws -> ProcessResult {
        guard executable.hasPrefix("/") else {
            throw GuestPrepError.program(argv0: executable, reason: "is not an absolute path")
        }
        guard !executable.utf8.contains(0), !arguments.contains(where: { $0.utf8.contains(0) }) else {
            throw GuestPrepError.program(argv0: executable, reason: "an argument contains a NUL byte")
        }
        var info = stat()
        if stat(executable, &info) != 0 {
            throw GuestPrepError.program(
                argv0: executable, reason: errno == ENOENT ? "not found" : Posix.describe(errno))
        }
        guard info.st_mode & 0o170000 == 0o100000 else {
            throw GuestPrepError.program(argv0: executable, reason: "is not a regular file")
        }

        let outPipe = try Self.makePipe(executable)
        let errPipe: (read: Int32, write: Int32)
        do { errPipe = try Self.makePipe(executable) } catch {
            Posix.closeQuietly(outPipe.read)
            Posix.closeQuietly(outPipe.write)
            throw error
        }
        // Before the program starts: systemd's timeout must not fall due while it may run.
        notifier?.extendTimeout(seconds: timeoutExtension.seconds(remaining: max(timeout, 0)))
        var extendedAt = Posix.monotonicSeconds()
        let pid: pid_t
        do {
            defer {
                Posix.closeQuietly(outPipe.write)
                Posix.closeQuietly(errPipe.write)
            }
            pid = try Self.spawn(executable, arguments, stdout: outPipe.write, stderr: errPipe.write)
        } catch {
            Posix.closeQuietly(outPipe.read)
            Posix.closeQuietly(errPipe.read)
            throw error
        }
        started.add(1, ordering: .relaxed)

        let deadline = Posix.monotonicSeconds() + max(timeout, 0)
        // Again every period, for what is left of the program's time.
        func keepExtended() {
            guard let notifier else { return }
            let now = Posix.monotonicSeconds()
            guard timeoutExtension.isDue(sinceLast: now - extendedAt), now < deadline else { return }
            notifier.extendTimeout(seconds: timeoutExtension.seconds(remaining: deadline - now))
            extendedAt = now
        }
        var collector = Collector(output: outPipe.read, error: errPipe.read)
        defer { collector.closeAll() }
        var status: Int32? = nil
        var timedOut = false
        while collector.isOpen {
            keepExtended()
            let remaining = deadline - Posix.monotonicSeconds()
            if remaining <= 0 {
                timedOut = true
                break
            }
            // Slices of at most 100 ms, so that a child that exits while a grandchild keeps the
            // pipes open is noticed.
            let gotData = collector.pump(timeoutMilliseconds: Int32(min(remaining, 0.1) * 1000) + 1)
            if !gotData, let exited = Self.reap(pid, blocking: false) {
                status = exited
                collector.drain(until: deadline)
                break
            }
        }
        while status == nil && !timedOut {
            keepExtended()
            if let exited = Self.reap(pid, blocking: false) {
                status = exited
            } else if Posix.monotonicSeconds() >= deadline {
                timedOut = true
            } else {
                var pause = timespec(tv_sec: 0, tv_nsec: 2_000_000)
                _ = nanosleep(&pause, nil)
            }
        }
        if timedOut {
            _ = kill(-pid, SIGKILL)
            _ = kill(pid, SIGKILL)
            _ = Self.reap(pid, blocking: true)
            throw GuestPrepError.program(
                argv0: executable,
                reason: "ran past the \(Self.seconds(timeout)) s timeout and was killed")
        }
        return ProcessResult(status: status!, standardOutput: collector.output, standardError: collector.error)
    }

    // MARK: - Spawning

    private static func makePipe(_ executable: String) throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if let pipe2 = pipe2Function {
            guard pipe2(&fds, O_CLOEXEC) == 0 else {
                throw GuestPrepError.program(argv0: executable, reason: "pipe: \(Posix.describe(errno))")
            }
        } else {
            guard pipe(&fds) == 0 else {
                throw GuestPrepError.program(argv0: executable, reason: "pipe: \(Posix.describe(errno))")
            }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        return (fds[0], fds[1])
    }

    private static func spawn(_ executable: String, _ arguments: [String], stdout: Int32, stderr: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        var codes: [Int32] = []
        codes.append(posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0))
        codes.append(posix_spawn_file_actions_adddup2(&actions, stdout, 1))
        codes.append(posix_spawn_file_actions_adddup2(&actions, stderr, 2))
        if let closeFrom = closeFromFunction { codes.append(closeFrom(&actions, 3)) }

        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        codes.append(posix_spawnattr_setsigmask(&attributes, &noSignals))
        codes.append(posix_spawnattr_setsigdefault(&attributes, &allSignals))
        codes.append(posix_spawnattr_setpgroup(&attributes, 0))
        codes.append(
            posix_spawnattr_setflags(
                &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)))
        if let code = codes.first(where: { $0 != 0 }) {
            throw GuestPrepError.program(argv0: executable, reason: "posix_spawn set-up: \(Posix.describe(code))")
        }

        let argv = CStringArray([executable] + arguments)
        let envp = CStringArray(environment)
        defer {
            argv.free()
            envp.free()
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv.pointers, envp.pointers)
        guard code == 0 else {
            throw GuestPrepError.program(
                argv0: executable, reason: code == ENOENT ? "not found" : Posix.describe(code))
        }
        return pid
    }

    /// The exit status (128 + signal for a killed program), or nil when still running.
    private static func reap(_ pid: pid_t, blocking: Bool) -> Int32? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == -1 && errno == EINTR { continue }
            if result == 0 { return nil }
            if result == -1 { return -1 }  // ECHILD: reaped elsewhere (SIGCHLD ignored); status unknown
            let signal = status & 0x7f
            return signal == 0 ? (status >> 8) & 0xff : 128 + signal
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// `pipe2` and `posix_spawn_file_actions_addclosefrom_np` are GNU extensions Swift's Glibc
    /// module does not declare; they are looked up once at run time.
    private static let pipe2Function: Pipe2? = Posix.symbol("pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
    private static let closeFromFunction: CloseFrom? = Posix.symbol("posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: CloseFrom.self)
    }
}

/// A NULL-terminated array of C strings, for argv and envp.
private struct CStringArray {
    let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) {
        pointers = strings.map { strdup($0) } + [nil]
    }

    func free() {
        for pointer in pointers { Glibc.free(pointer) }
    }
}

/// Reads a child's stdout and stderr pipes together.
private struct Collector {
    var fds: [Int32]
    var output: [UInt8] = []
    var error: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: 65536)

    init(output: Int32, error: Int32) {
        fds = [output, error]
    }

    var isOpen: Bool { fds.contains { $0 >= 0 } }

    /// Waits up to `timeoutMilliseconds` for data and reads what there is; whether anything
    /// happened (data or end of file).
    mutating func pump(timeoutMilliseconds: Int32) -> Bool {
        var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let ready = poll(&polled, nfds_t(polled.count), timeoutMilliseconds)
        if ready <= 0 { return false }
        for index in polled.indices where polled[index].fd >= 0 && polled[index].revents != 0 {
            readOnce(index)
        }
        return true
    }

    /// Reads what is already in the pipes without waiting (after the child has exited), giving
    /// up at `deadline` should a grandchild keep writing.
    mutating func drain(until deadline: Double) {
        while isOpen && Posix.monotonicSeconds() < deadline && pump(timeoutMilliseconds: 0) {}
    }

    private mutating func readOnce(_ index: Int) {
        let fd = fds[index]
        let count = buffer.withUnsafeMutableBytes { Posix.readSome(fd, $0) }
        if count <= 0 {
            Posix.closeQuietly(fd)
            fds[index] = -1
            return
        }
        let limit = PosixProcessRunner.outputLimit
        if index == 0 {
            output.append(contentsOf: buffer[0..<min(count, max(limit - output.count, 0))])
        } else {
            error.append(contentsOf: buffer[0..<min(count, max(limit - error.count, 0))])
        }
    }

    mutating func closeAll() {
        for index in fds.indices where fds[index] >= 0 {
            Posix.closeQuietly(fds[index])
            fds[index] = -1
        }
    }
}
