import GuestPrepModel

/// Decodes os-release(5) text: newline-separated `KEY=value` assignments in the shell's
/// quoting. Blank lines and lines starting with `#` are comments; a value may be unquoted, in
/// double quotes (where a backslash escapes `"`, `\`, `$` and `` ` ``, and is kept before any
/// other character, as in the shell) or in single quotes (taken literally); outside quotes a
/// backslash escapes the next character. Adjacent pieces concatenate (`"a"'b'c` is `abc`), and
/// unquoted trailing blanks are dropped. A line that is not an assignment, or whose quote is
/// never closed, is ignored, as systemd ignores it: the file is never an error.
public enum OSReleaseDecoder {
    /// Every assignment in the text, later ones overriding earlier ones of the same key.
    public static func assignments(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        // "\r\n" is one Character in Swift: split on both line ends.
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if let (key, value) = assignment(line) { result[key] = value }
        }
        return result
    }

    /// The fields guestprep uses. `ID` and `ID_LIKE` are lower-cased; `ID` defaults to `linux`.
    public static func decode(_ text: String) -> OSRelease {
        let fields = assignments(text)
        let id = fields["ID"].map { $0.lowercased() }.flatMap { $0.isEmpty ? nil : $0 } ?? "linux"
        let idLike = (fields["ID_LIKE"] ?? "").lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" })
            .map(String.init)
        return OSRelease(
            id: id, idLike: idLike, versionID: fields["VERSION_ID"].flatMap { $0.isEmpty ? nil : $0 },
            prettyName: fields["PRETTY_NAME"].flatMap { $0.isEmpty ? nil : $0 })
    }

    /// One line's key and value, or nil for a comment, a blank line or a malformed line.
    static func assignment(_ line: Substring) -> (String, String)? {
        let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard !trimmed.isEmpty, trimmed.first != "#", let equals = trimmed.firstIndex(of: "=") else { return nil }
        var key = trimmed[..<equals]
        while key.last == " " || key.last == "\t" { key = key.dropLast() }
        guard let first = key.first, !first.isNumber,
            key.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        else { return nil }
        guard let value = unquote(trimmed[trimmed.index(after: equals)...]) else { return nil }
        return (String(key), value)
    }

    /// The value after `=` with the shell's quoting removed; nil when a quote is not closed.
    static func unquote(_ raw: Substring) -> String? {
        var value = ""
        // Unquoted blanks are kept only when something follows them.
        var pendingBlanks = ""
        var characters = raw.drop { $0 == " " || $0 == "\t" }.makeIterator()
        func flushBlanks() {
            value += pendingBlanks
            pendingBlanks = ""
        }
        while let character = characters.next() {
            switch character {
            case " ", "\t", "\r":
                pendingBlanks.append(character)
            case "\\":
                flushBlanks()
                if let escaped = characters.next() { value.append(escaped) }
            case "'":
                flushBlanks()
                var closed = false
                while let inner = characters.next() {
                    if inner == "'" {
                        closed = true
                        break
                    }
                    value.append(inner)
                }
                guard closed else { return nil }
            case "\"":
                flushBlanks()
                var closed = false
                while let inner = characters.next() {
                    if inner == "\"" {
                        closed = true
                        break
                    }
                    if inner == "\\", let escaped = characters.next() {
                        if !"\"\\$`".contains(escaped) { value.append("\\") }
                        value.append(escaped)
                    } else {
                        value.append(inner)
                    }
                }
                guard closed else { return nil }
            default:
                flushBlanks()
                value.append(character)
            }
        }
        return value
    }
}
