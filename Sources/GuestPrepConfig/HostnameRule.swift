/// The naming rules: the Bitfusion appliance's hostname rule (one label of A–Z, a–z, 0–9 and
/// `-`, not starting with `-`), RFC 1123's further rule that a label does not end with `-`,
/// and DNS names (search domains, NTP servers) made of such labels joined by dots.
///
/// Each check returns the problems it found, in words that do not repeat the whole value
/// (the caller quotes it once); an empty array means the name is valid.
public enum HostnameRule {
    /// The longest a single label may be (RFC 1035).
    public static let maxLabelLength = 63
    /// The longest a whole DNS name may be (RFC 1035, without the final dot).
    public static let maxNameLength = 253

    /// What the appliance allows in a hostname, as messages say it.
    static let allowedCharacters = "only letters A–Z, a–z, digits 0–9 and '-' are allowed"

    /// The problems with `name` as the VM's hostname: a single label, so a dot is not allowed
    /// (give the short name, not a fully qualified one).
    public static func hostnameProblems(_ name: String) -> [String] {
        if name.isEmpty { return ["is empty"] }
        var problems: [String] = []
        let bad = badCharacters(name)
        if !bad.isEmpty {
            var problem = "contains \(list(bad)): \(allowedCharacters)"
            if bad.contains(".") { problem += " (give the short host name, not a fully qualified name)" }
            problems.append(problem)
        }
        problems += edgeProblems(name)
        if name.count > maxLabelLength {
            problems.append("is \(name.count) characters long: at most \(maxLabelLength) are allowed")
        }
        return problems
    }

    /// The problems with `name` as a DNS name: labels of letters, digits and `-`, none empty,
    /// none starting or ending with `-`, each at most 63 characters, at most 253 in all.
    public static func dnsNameProblems(_ name: String) -> [String] {
        if name.isEmpty { return ["is empty"] }
        var problems: [String] = []
        if name.count > maxNameLength {
            problems.append("is \(name.count) characters long: at most \(maxNameLength) are allowed")
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if labels.contains(where: \.isEmpty) {
            problems.append("has an empty label (a dot at the start or end, or two dots in a row)")
        }
        for label in labels where !label.isEmpty {
            let bad = badCharacters(label)
            var labelProblems: [String] = []
            if !bad.isEmpty {
                labelProblems.append("contains \(list(bad)): in a DNS name \(allowedCharacters) between dots")
            }
            labelProblems += edgeProblems(label)
            if label.count > maxLabelLength {
                labelProblems.append("is \(label.count) characters long: at most \(maxLabelLength) are allowed per label")
            }
            let shown = Quoting.quote(label)
            problems += labelProblems.map { "label \(shown) \($0)" }
        }
        return problems
    }

    /// Whether `character` may appear in a label.
    static func isLabelCharacter(_ character: Character) -> Bool {
        guard character.isASCII else { return false }
        return character.isLetter || character.isNumber || character == "-"
    }

    private static func badCharacters(_ text: String) -> [Character] {
        var seen: [Character] = []
        for character in text where !isLabelCharacter(character) && !seen.contains(character) {
            seen.append(character)
        }
        return seen
    }

    private static func edgeProblems(_ label: String) -> [String] {
        var problems: [String] = []
        if label.hasPrefix("-") { problems.append("starts with '-', which is not allowed") }
        if label.count > 1 || !label.hasPrefix("-"), label.hasSuffix("-") {
            problems.append("ends with '-', which RFC 1123 does not allow")
        }
        return problems
    }

    private static func list(_ characters: [Character]) -> String {
        characters.map { Quoting.quote($0) }.joined(separator: ", ")
    }
}
