import GuestPrepModel

/// What `SpecValidator.validate(_:)` found: the spec when the properties are valid, or when
/// every error is in a NIC's properties (then the spec has those NICs' safe fallbacks in
/// `nicFallbacks`), and every diagnostic (errors, warnings and infos) in any case.
public struct ValidationResult: Sendable, Equatable {
    /// The spec to provision, or nil when an error is outside the NICs' properties.
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

    /// Whether any diagnostic is an error (then `spec` is nil, or has NIC fallbacks).
    public var hasErrors: Bool { diagnostics.hasErrors }

    /// The diagnostics of one severity, in order.
    public func diagnostics(_ severity: Severity) -> [Diagnostic] {
        diagnostics.filter { $0.severity == severity }
    }
}
