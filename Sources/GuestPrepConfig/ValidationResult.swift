import GuestPrepModel

/// What `SpecValidator.validate(_:)` found: the spec when the properties are valid, and every
/// diagnostic (errors, warnings and infos) in any case.
public struct ValidationResult: Sendable, Equatable {
    /// The validated spec, or nil when any diagnostic is an error.
    public var spec: GuestSpec?
    /// Every error, warning and info, sorted by the key's position in `PropertyKeys.all`
    /// (keys guestprep does not know come after, alphabetically; diagnostics without a key
    /// last), then by severity (errors first), then in the order they were found.
    public var diagnostics: [Diagnostic]

    /// Makes a result from its parts.
    public init(spec: GuestSpec?, diagnostics: [Diagnostic]) {
        self.spec = spec
        self.diagnostics = diagnostics
    }

    /// Whether any diagnostic is an error (then `spec` is nil).
    public var hasErrors: Bool { diagnostics.hasErrors }

    /// The diagnostics of one severity, in order.
    public func diagnostics(_ severity: Severity) -> [Diagnostic] {
        diagnostics.filter { $0.severity == severity }
    }
}
