import GuestPrepModel

/// The properties being validated and the diagnostics found so far. Non-secret values are read
/// trimmed of surrounding whitespace; secret values are read exactly as given.
struct ValidationContext {
    let properties: PropertySet
    private(set) var diagnostics: [Diagnostic] = []
    /// The site's own profile names, allowed besides `SpecValidator.knownProfiles`.
    var localProfiles: [String] = []

    init(_ properties: PropertySet) { self.properties = properties }

    /// The trimmed value of a non-secret key, or nil when it is absent or blank.
    func value(_ key: String) -> String? {
        precondition(!PropertyKeys.isSecret(key), "secret keys are read with secret(_:)")
        guard let raw = properties[key] else { return nil }
        let trimmed = Trimming.trim(raw)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The untrimmed value of a secret key, or nil when it is absent or empty.
    func secret(_ key: String) -> String? {
        guard let raw = properties[key], !raw.isEmpty else { return nil }
        return raw
    }

    mutating func error(_ key: String, _ message: String) { diagnostics.append(.error(key, message)) }
    mutating func warning(_ key: String, _ message: String) { diagnostics.append(.warning(key, message)) }
    mutating func info(_ key: String, _ message: String) { diagnostics.append(.info(key, message)) }
}
