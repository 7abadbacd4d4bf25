import GuestPrepCore
import GuestPrepModel
import Synchronization

/// A process runner that answers from a script and records every call, so tests can check
/// exactly which programs would run, with which arguments, and how many.
public final class ScriptedProcessRunner: ProcessRunner, @unchecked Sendable {
    /// One recorded call: the executable's path and its arguments.
    public struct Call: Equatable, Sendable {
        public var executable: String
        public var arguments: [String]

        public init(executable: String, arguments: [String]) {
            self.executable = executable
            self.arguments = arguments
        }
    }

    private let lock = Mutex<Void>(())
    private var calls_: [Call] = []
    private let installed: Set<String>
    private let answer: @Sendable (String, [String]) -> ProcessResult

    /// `installed`: the absolute paths that exist. `answer`: the result for (executable, arguments).
    public init(
        installed: Set<String>,
        answer: @escaping @Sendable (String, [String]) -> ProcessResult = { _, _ in ProcessResult(status: 0) }
    ) {
        self.installed = installed
        self.answer = answer
    }

    public var calls: [Call] { lock.withLock { _ in calls_ } }

    public func run(executable: String, arguments: [String], timeout: Double) throws -> ProcessResult {
        guard installed.contains(executable) else {
            throw GuestPrepError.program(argv0: executable, reason: "not found")
        }
        lock.withLock { _ in calls_.append(Call(executable: executable, arguments: arguments)) }
        return answer(executable, arguments)
    }

    public func isExecutable(_ path: String) -> Bool { installed.contains(path) }

    public var processesStarted: Int { lock.withLock { _ in calls_.count } }
}

/// A notifier that records what it was told.
public final class RecordingNotifier: Notifier, @unchecked Sendable {
    private let lock = Mutex<Void>(())
    private var messages_: [String] = []
    private var extensions_: [Double] = []

    public init() {}

    /// Every message, as the datagram would carry it (`STATUS=…`, `READY=1\nSTATUS=…`); an
    /// extension in whole seconds, rounded up (`EXTEND_TIMEOUT_USEC=630s`).
    public var messages: [String] { lock.withLock { _ in messages_ } }

    /// The seconds of every `extendTimeout` so far, exactly as asked.
    public var extensions: [Double] { lock.withLock { _ in extensions_ } }

    public func status(_ text: String) { lock.withLock { _ in messages_.append("STATUS=\(text)") } }
    public func ready(status: String) { lock.withLock { _ in messages_.append("READY=1\nSTATUS=\(status)") } }
    public func extendTimeout(seconds: Double) {
        lock.withLock { _ in
            messages_.append("EXTEND_TIMEOUT_USEC=\(Int(seconds.rounded(.up)))s")
            extensions_.append(seconds)
        }
    }
}
