import GuestPrepModel

/// The result of running a program.
public struct ProcessResult: Sendable, Equatable {
    public var status: Int32
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]

    public init(status: Int32, standardOutput: [UInt8] = [], standardError: [UInt8] = []) {
        self.status = status
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    public var outputText: String { String(decoding: standardOutput, as: UTF8.self) }
    public var errorText: String { String(decoding: standardError, as: UTF8.self) }
}

/// Runs external programs by argv, never through a shell.
public protocol ProcessRunner: Sendable {
    /// Runs `executable` (an absolute path) with `arguments` (not including argv[0]) and
    /// waits at most `timeout` seconds. Throws `GuestPrepError.program` when the program cannot
    /// be started or runs past the timeout.
    func run(executable: String, arguments: [String], timeout: Double) throws -> ProcessResult
    /// Whether an executable file exists at the absolute host path.
    func isExecutable(_ path: String) -> Bool
    /// How many processes this runner has started so far.
    var processesStarted: Int { get }
}
