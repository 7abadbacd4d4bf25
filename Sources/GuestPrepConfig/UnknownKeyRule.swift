import GuestPrepModel

/// Warns about keys in guestprep's namespaces (`guestinfo.bitfusion.`, `guestinfo.guestprep.`)
/// that it does not read, most likely typos, and suggests the closest known key. Keys of other
/// tools are left alone. Values are never shown: an unknown key may hold a secret.
enum UnknownKeyRule {
    static let namespaces = ["guestinfo.bitfusion.", "guestinfo.guestprep."]
    private static let known = Set(PropertyKeys.all)
    private static let net1OnlyFields: Set<String> = ["gateway", "dns", "domain", "ntp"]

    static func check(_ context: inout ValidationContext) {
        for property in context.properties.all {
            let key = property.key
            let lower = key.lowercased()
            guard namespaces.contains(where: { lower.hasPrefix($0) }), !known.contains(key) else { continue }
            context.warning(key, "unknown property key; " + advice(for: key))
        }
    }

    /// What to tell the operator about an unknown key.
    static func advice(for key: String) -> String {
        if let (index, field) = nicKey(key) {
            if !(1...PropertyKeys.nicCount).contains(index) {
                return "guestprep configures at most \(PropertyKeys.nicCount) NICs, net1 to net\(PropertyKeys.nicCount)"
            }
            if index == 1 && field == PropertyKeys.NICField.configure.rawValue {
                return "net1 has no configure property: the management NIC is always configured"
            }
            if index > 1 && net1OnlyFields.contains(field) {
                return "only net1, the management NIC, takes \(field); net2 to net\(PropertyKeys.nicCount) carry data only"
            }
        }
        if let suggestion = closestKnownKey(to: key) {
            let caseOnly = suggestion.lowercased() == key.lowercased()
            return "did you mean \(suggestion)?" + (caseOnly ? " (keys are case-sensitive)" : "")
        }
        return "guestprep does not read it"
    }

    /// The known key nearest to `key` by edit distance (ignoring case), when it is near enough
    /// to be a likely typo.
    static func closestKnownKey(to key: String) -> String? {
        let target = Array(key.lowercased().utf8)
        var best: (key: String, distance: Int)?
        for candidate in PropertyKeys.all {
            let distance = editDistance(target, Array(candidate.lowercased().utf8))
            if distance < best?.distance ?? Int.max { best = (candidate, distance) }
        }
        guard let best, best.distance <= max(3, best.key.count / 8) else { return nil }
        return best.key
    }

    /// Levenshtein distance: insertions, deletions and substitutions.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// `(N, FIELD)` for `guestinfo.bitfusion.host.netN.FIELD`.
    private static func nicKey(_ key: String) -> (Int, String)? {
        let prefix = "guestinfo.bitfusion.host.net"
        guard key.hasPrefix(prefix) else { return nil }
        let rest = key.dropFirst(prefix.count)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 3, let index = Int(digits) else { return nil }
        let afterDigits = rest.dropFirst(digits.count)
        guard afterDigits.first == "." else { return nil }
        let field = String(afterDigits.dropFirst())
        guard PropertyKeys.NICField(rawValue: field) != nil else { return nil }
        return (index, field)
    }
}
