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

/// N for a key of `guestinfo.bitfusion.host.netN.*`.
func nicIndex(of key: String?) -> Int? {
    guard let key else { return nil }
    return (1...PropertyKeys.nicCount).first { key.hasPrefix("guestinfo.bitfusion.host.net\($0).") }
}

/// Expects a diagnostic of `severity` on `key` whose message contains `fragment`. For an
/// error: when every error is on a NIC's keys, the spec is there with those NICs replaced by
/// their fallback (net1 DHCP, a data NIC unconfigured) and listed in `nicFallbacks`; else
/// there is no spec.
func expectDiagnostic(
    _ result: ValidationResult, _ severity: Severity, on key: String, containing fragment: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let matching = result.diagnostics(severity, on: key)
    #expect(
        matching.contains { $0.message.contains(fragment) },
        "no \(severity) on \(key) containing \"\(fragment)\"; got: \(result.diagnostics.map(\.description))",
        sourceLocation: sourceLocation)
    guard severity == .error else { return }
    let failedNICs = Set(result.diagnostics(.error).map { nicIndex(of: $0.key) })
    if failedNICs.contains(nil) {
        #expect(result.spec == nil, "an error outside the NICs must leave no spec", sourceLocation: sourceLocation)
        return
    }
    guard let spec = result.spec else {
        Issue.record("errors only on NIC keys must leave a spec with fallbacks", sourceLocation: sourceLocation)
        return
    }
    let indexes = failedNICs.compactMap { $0 }.sorted()
    #expect(spec.nicFallbacks == indexes, sourceLocation: sourceLocation)
    for index in indexes {
        #expect(spec.nics[index - 1] == NICSpec(index: index), "net\(index) falls back", sourceLocation: sourceLocation)
        #expect(
            result.diagnostics(.warning).contains { $0.key == nil && $0.message.hasPrefix("net\(index) ") },
            "the fallback of net\(index) is reported", sourceLocation: sourceLocation)
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
