import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a finished command printed and how it ended.
struct CommandResult {
    var status: Int32
    var output: String
    var errorOutput: String

    var succeeded: Bool { status == 0 }
}

/// Why a command of the lab failed; the description carries what the command printed.
struct CommandError: Error, CustomStringConvertible {
    var description: String
}

/// Runs programs to their end, always under a deadline.
enum Command {
    /// Runs `arguments` (an absolute path first) to its end, with `input` on standard input.
    /// Past `timeout` seconds the program is killed and this throws, so that nothing the lab
    /// calls can hang a test.
    static func run(_ arguments: [String], input: String = "", timeout: Double = 10) throws -> CommandResult {
        // Files, not pipes: a chatty program cannot fill a pipe nobody reads while we wait.
        let inputFile = try CaptureFile()
        let output = try CaptureFile()
        let errorOutput = try CaptureFile()
        defer { [inputFile, output, errorOutput].forEach { $0.remove() } }
        try inputFile.write(input)
        let inputDescriptor = open(inputFile.path, O_RDONLY | O_CLOEXEC)
        defer { close(inputDescriptor) }
        let child = try ChildProcess(
            arguments, input: inputDescriptor, output: output.descriptor, error: errorOutput.descriptor)
        guard child.wait(timeout: timeout) else {
            child.stop(signal: SIGKILL)
            throw CommandError(
                description: "\(arguments.joined(separator: " ")) did not finish in \(timeout) s and was killed;"
                    + " it printed:\n\(output.text())\(errorOutput.text())")
        }
        return CommandResult(status: child.status ?? -1, output: output.text(), errorOutput: errorOutput.text())
    }

    /// Runs `arguments` and returns its standard output; throws with everything it printed if
    /// it exits non-zero.
    @discardableResult
    static func check(_ arguments: [String], input: String = "", timeout: Double = 10) throws -> String {
        let result = try run(arguments, input: input, timeout: timeout)
        guard result.succeeded else {
            throw CommandError(
                description: "\(arguments.joined(separator: " ")) exited with \(result.status):\n"
                    + result.output + result.errorOutput)
        }
        return result.output
    }

    /// Polls `condition` every 20 ms until it holds (true) or `timeout` seconds pass (false).
    static func poll(timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if try condition() { return true }
            if Date() > deadline { return false }
            usleep(20_000)
        }
    }
}

/// A file a child process writes its output into (or reads its input from).
final class CaptureFile {
    let path: String
    /// Open for appending, close-on-exec (the spawn dups it onto the child's 1 or 2).
    let descriptor: Int32

    /// A file at `path`, or a fresh one in the temporary directory.
    init(path: String? = nil) throws {
        let temporary = FileManager.default.temporaryDirectory
        self.path = path ?? temporary.appendingPathComponent("networklab-\(UUID().uuidString)").path
        descriptor = open(self.path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CommandError(description: "cannot create \(self.path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    func write(_ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Everything written so far, decoded leniently.
    func text() -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    func remove() { unlink(path) }
}
