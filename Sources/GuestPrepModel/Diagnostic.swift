/// How bad a diagnostic is. Errors stop a run; warnings and infos are advisory.
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case error, warning, info

    private var rank: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .info: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One finding about the input or the machine. `key` names the property at fault, if any.
public struct Diagnostic: Sendable, Equatable, Codable, CustomStringConvertible {
    public var severity: Severity
    public var key: String?
    public var message: String

    public init(_ severity: Severity, key: String? = nil, _ message: String) {
        self.severity = severity
        self.key = key
        self.message = message
    }

    public static func error(_ key: String?, _ message: String) -> Diagnostic {
        Diagnostic(.error, key: key, message)
    }

    public static func warning(_ key: String?, _ message: String) -> Diagnostic {
        Diagnostic(.warning, key: key, message)
    }

    public static func info(_ key: String?, _ message: String) -> Diagnostic {
        Diagnostic(.info, key: key, message)
    }

    /// `error: guestinfo.x: message`, or `error: message` without a key.
    public var description: String {
        if let key { return "\(severity.rawValue): \(key): \(message)" }
        return "\(severity.rawValue): \(message)"
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
