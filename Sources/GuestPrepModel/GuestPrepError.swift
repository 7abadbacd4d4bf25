/// The errors guestprep reports. Each says what went wrong in words an operator can act on.
public enum GuestPrepError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The properties did not validate; every problem is listed.
    case invalidProperties([Diagnostic])
    /// A command-line argument is wrong.
    case usage(String)
    /// A property source could not be read.
    case source(name: String, reason: String)
    /// A property document (OVF environment, KVP pool, key=value file...) is malformed.
    case malformed(what: String, reason: String)
    /// A step failed while applying its plan.
    case stepFailed(step: String, reason: String)
    /// A file-system operation failed.
    case io(path: String, operation: String, reason: String)
    /// An external program failed or could not be started.
    case program(argv0: String, reason: String)

    public var description: String {
        switch self {
        case .invalidProperties(let diagnostics):
            let errors = diagnostics.filter { $0.severity == .error }
            return "the properties are invalid (\(errors.count) error\(errors.count == 1 ? "" : "s")):\n"
                + errors.map { "  \($0)" }.joined(separator: "\n")
        case .usage(let message): return message
        case .source(let name, let reason): return "source \(name): \(reason)"
        case .malformed(let what, let reason): return "\(what): \(reason)"
        case .stepFailed(let step, let reason): return "step \(step) failed: \(reason)"
        case .io(let path, let operation, let reason): return "\(operation) \(path): \(reason)"
        case .program(let argv0, let reason): return "\(argv0): \(reason)"
        }
    }

    /// The exit code DESIGN.md assigns: 2 for bad input, 1 for a failed step.
    public var exitCode: Int32 {
        switch self {
        // A source that cannot be read is bad input too: nothing has been changed yet.
        case .invalidProperties, .usage, .malformed, .source: 2
        case .stepFailed, .io, .program: 1
        }
    }
}
