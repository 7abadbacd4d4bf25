import GuestPrepConfig
import GuestPrepModel
import Testing

/// `guestinfo.bitfusion.host.netN.FIELD`, shorter.
func nic(_ index: Int, _ field: PropertyKeys.NICField) -> String { PropertyKeys.nic(index, field) }

/// Validates properties given as a dictionary, all from one source.
func validate(_ values: [String: String]) -> ValidationResult {
    SpecValidator.validate(PropertySet(values.map { Property(key: $0.key, value: $0.value, source: "test") }))
}

func ipv4(_ text: String) throws -> IPv4Address { try #require(IPv4Address(text)) }

func subnet(_ address: String, _ prefix: Int) throws -> IPv4Interface {
    IPv4Interface(address: try ipv4(address), prefixLength: prefix)
}

/// net1 static at 10.0.0.5/24: the base many NIC tests build on.
let net1Static = [nic(1, .ipv4address): "10.0.0.5", nic(1, .netmask): "24"]

extension Dictionary where Key == String, Value == String {
    func with(_ other: [String: String]) -> [String: String] { merging(other) { $1 } }
}

extension ValidationResult {
    /// The diagnostics on `key` of `severity`.
    func diagnostics(_ severity: Severity, on key: String) -> [Diagnostic] {
        diagnostics.filter { $0.severity == severity && $0.key == key }
    }
}

/// Expects a diagnostic of `severity` on `key` whose message contains `fragment`, and for an
/// error that the spec is nil.
func expectDiagnostic(
    _ result: ValidationResult, _ severity: Severity, on key: String, containing fragment: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let matching = result.diagnostics(severity, on: key)
    #expect(
        matching.contains { $0.message.contains(fragment) },
        "no \(severity) on \(key) containing \"\(fragment)\"; got: \(result.diagnostics.map(\.description))",
        sourceLocation: sourceLocation)
    if severity == .error {
        #expect(result.spec == nil, "an error must leave no spec", sourceLocation: sourceLocation)
    }
}

/// Expects no error at all, and returns the spec.
func expectValid(
    _ result: ValidationResult, sourceLocation: SourceLocation = #_sourceLocation
) throws -> GuestSpec {
    #expect(
        !result.hasErrors, "unexpected errors: \(result.diagnostics(.error).map(\.description))",
        sourceLocation: sourceLocation)
    return try #require(result.spec, sourceLocation: sourceLocation)
}
