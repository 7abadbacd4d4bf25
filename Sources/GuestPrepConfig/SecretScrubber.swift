import GuestPrepModel

/// Defence in depth for "secrets never reach a message": the rules never quote a secret key's
/// value, but an operator may paste a password into the wrong field of an OVF form, where it is
/// quoted like any other value. Every secret value given (of at least `minimumLength`
/// characters, so a short one does not blank out ordinary words) is replaced by `<redacted>`
/// in every message. The support bundle scrubs whole files the same way, and more
/// (SecretScrubber+Text.swift).
public enum SecretScrubber {
    /// The shortest secret value replaced wherever it occurs.
    public static let minimumLength = 4

    /// The values of the secret keys of `properties` (as given and trimmed), each of at least
    /// `minimumLength` characters.
    public static func secrets(in properties: PropertySet) -> Set<String> {
        var secrets = Set<String>()
        for property in properties.all where PropertyKeys.isSecret(property.key) {
            for candidate in [property.value, Trimming.trim(property.value)] where candidate.count >= minimumLength {
                secrets.insert(candidate)
            }
        }
        return secrets
    }

    static func scrub(_ diagnostics: [Diagnostic], secretsIn properties: PropertySet) -> [Diagnostic] {
        let secrets = secrets(in: properties)
        guard !secrets.isEmpty else { return diagnostics }
        // Longest first, so a secret that contains another is replaced whole.
        let ordered = secrets.sorted { $0.count > $1.count }
        return diagnostics.map { diagnostic in
            var scrubbed = diagnostic
            for secret in ordered {
                scrubbed.message = TextSearch.replacingAll(secret, with: PropertyKeys.redacted, in: scrubbed.message)
                // Values are quoted with escapes, so look for the escaped form as well.
                let escaped = String(Quoting.quote(secret).dropFirst().dropLast())
                if escaped != secret {
                    scrubbed.message = TextSearch.replacingAll(escaped, with: PropertyKeys.redacted, in: scrubbed.message)
                }
            }
            return scrubbed
        }
    }
}
