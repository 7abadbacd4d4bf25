import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A long-running program of the lab (dnsmasq, the namespace running systemd-networkd), its
/// standard output and error together in one log file.
final class BackgroundProcess {
    let name: String
    private let child: ChildProcess
    private let log: CaptureFile

    /// Starts `arguments` (an absolute path first), logging into the file at `logPath`.
    init(name: String, _ arguments: [String], logPath: String) throws {
        self.name = name
        log = try CaptureFile(path: logPath)
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(null) }
        child = try ChildProcess(arguments, input: null, output: log.descriptor, error: log.descriptor)
    }

    var pid: pid_t { child.pid }
    var isRunning: Bool { child.isRunning }

    /// What it has printed so far.
    func output() -> String { log.text() }

    /// The program's log under a heading, for failure messages.
    func report() -> String {
        let state = child.isRunning ? "running" : "exited with \(child.status ?? -1)"
        return "--- \(name) (\(state)) ---\n\(output())"
    }

    /// Ends it: sends `signal` (nil: none, it is about to end by itself), SIGKILL if it is still
    /// there after `grace` seconds, and reaps it, so no zombie is left. Idempotent.
    func stop(signal: Int32? = SIGTERM, grace: Double = 2) {
        if let signal { child.send(signal) }
        if !child.wait(timeout: grace) {
            child.send(SIGKILL)
            _ = child.wait(timeout: 10)
        }
    }
}
