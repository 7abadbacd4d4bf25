import GuestPrepModel

/// Scrubbing whole files for the support bundle: every secret value guestprep knows, wherever
/// it occurs, and the value of every key that names a secret (by ``SecretKeyRule``: password,
/// token, secret, ...), in the text forms the bundle holds:
/// - key=value and `key: value` lines (shell-style defaults files, journal lines, YAML, INI,
///   networkd/NetworkManager files), the key bare or quoted, the value quoted or running to
///   the end of the line; a YAML block scalar (`token: |`) or an empty value is followed by
///   its more-indented lines, which are scrubbed too;
/// - JSON members (`"token": "…"`), the string with its escapes;
/// - XML: an attribute named like a secret (`password="…"`), an element named like one
///   (`<password>…</password>`), and an OVF environment's `<Property oe:key="K" oe:value="…"/>`
///   whose key K names a secret;
/// - a property key followed by its value after a space (`info-set guestinfo.….accesstoken V`,
///   as vmware-rpctool's argv shows in a log).
/// The rule errs towards redaction: a line it cannot split is left to the known values, and a
/// value it is unsure where ends is redacted to the end of its line.
extension SecretScrubber {
    /// `text` with every value of `secrets` (at least `minimumLength` characters; also as JSON,
    /// XML and guestprep's quoting escape it) and every secret key's value replaced by
    /// `<redacted>`.
    public static func scrub(text: String, secrets: some Collection<String>) -> String {
        var text = text
        for secret in variants(of: secrets) {
            text = TextSearch.replacingAll(secret, with: PropertyKeys.redacted, in: text)
        }
        var output: [String] = []
        var blockIndent: Int?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)
            let indent = bytes.prefix { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.count
            if let parent = blockIndent {
                // Inside the block under a secret key: lines indented deeper than the key (and
                // blank ones) belong to its value.
                if indent == bytes.count || indent > parent {
                    output.append(indent == bytes.count ? String(line) : String(repeating: " ", count: indent) + PropertyKeys.redacted)
                    continue
                }
                blockIndent = nil
            }
            let (scrubbed, opensBlock) = scrubLine(bytes)
            if opensBlock { blockIndent = indent }
            output.append(String(decoding: scrubbed, as: UTF8.self))
        }
        return output.joined(separator: "\n")
    }

    /// The values `text` gives to keys that name a secret (in the forms `scrub(text:secrets:)`
    /// knows), each of at least `minimumLength` characters: a client.yaml's token, for one, so
    /// that it is scrubbed from every other file as well.
    public static func secretValues(in text: String) -> Set<String> {
        var found = Set<String>()
        for line in text.split(separator: "\n") {
            var values: [[UInt8]] = []
            _ = scrubLine(Array(line.utf8)) { values.append($0) }
            for value in values {
                var string = String(decoding: value, as: UTF8.self)
                string = Trimming.trim(string)
                if string.count >= 2, let first = string.first, first == "\"" || first == "'", string.last == first {
                    string = String(string.dropFirst().dropLast())
                }
                if string.count >= minimumLength, string != PropertyKeys.redacted { found.insert(string) }
            }
        }
        return found
    }

    /// Every form in which a secret may appear in a file, longest first so that a secret that
    /// contains another is replaced whole.
    static func variants(of secrets: some Collection<String>) -> [String] {
        var forms = Set<String>()
        for secret in secrets where secret.count >= minimumLength {
            forms.insert(secret)
            forms.insert(String(Quoting.quote(secret).dropFirst().dropLast()))
            forms.insert(jsonEscaped(secret))
            forms.insert(xmlEscaped(secret))
        }
        return forms.filter { $0.count >= minimumLength }.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    /// `value` as it stands inside a JSON string (RFC 8259, section 7; `/` escaped as
    /// FoundationEssentials' encoder writes it).
    static func jsonEscaped(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/": out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// `value` as it stands in XML character data or an attribute (the five predefined entities).
    static func xmlEscaped(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    // MARK: - One line

    private static let redactedBytes = Array(PropertyKeys.redacted.utf8)

    /// The line with the values of secret keys replaced, and whether it ends in a secret key
    /// whose value follows on more-indented lines. `found` gets each value replaced.
    static func scrubLine(_ line: [UInt8], found: ([UInt8]) -> Void = { _ in }) -> (line: [UInt8], opensBlock: Bool) {
        var spans: [Range<Int>] = []
        var opensBlock = false
        ovfProperty(line, into: &spans)
        var index = 0
        while index < line.count {
            // A key starts at the line's start or after a byte that cannot be part of one.
            if index > 0 && (isKeyByte(line[index - 1]) || line[index - 1] == UInt8(ascii: "\\")) {
                index += 1
                continue
            }
            guard let key = readKey(line, at: index) else {
                index += 1
                continue
            }
            defer { index = max(key.end, index + 1) }
            let name = Array(line[key.name])
            if key.element {
                // <password>VALUE</…>
                guard isSecret(name) else { continue }
                let end = line[key.end...].firstIndex(of: UInt8(ascii: "<")) ?? line.count
                if end > key.end { spans.append(key.end..<end) }
                continue
            }
            var cursor = skipBlanks(line, key.end)
            let separator = cursor < line.count ? line[cursor] : 0
            if separator == UInt8(ascii: "=") || separator == UInt8(ascii: ":") {
                guard isSecret(name) else { continue }
                cursor = skipBlanks(line, cursor + 1)
                guard cursor < line.count else {
                    // `password:` alone: its value, if any, is the block below.
                    if separator == UInt8(ascii: ":") { opensBlock = true }
                    continue
                }
                let first = line[cursor]
                if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
                    let end = closingQuote(line, from: cursor + 1, quote: first)
                    if end > cursor + 1 { spans.append((cursor + 1)..<end) }
                } else if first == UInt8(ascii: "|") || first == UInt8(ascii: ">") {
                    opensBlock = true
                } else {
                    spans.append(cursor..<line.count)
                }
            } else if key.dotted, !key.quoted, key.end < line.count, line[key.end] == UInt8(ascii: " ") || line[key.end] == UInt8(ascii: "\t"),
                cursor < line.count, isSecret(name)
            {
                // guestinfo.bitfusion.client.accesstoken VALUE
                spans.append(cursor..<line.count)
            }
        }
        guard !spans.isEmpty else { return (line, opensBlock) }
        // Overlapping spans are replaced as one, from the last back so offsets hold.
        var merged: [Range<Int>] = []
        for span in spans.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, span.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, span.upperBound)
            } else {
                merged.append(span)
            }
        }
        var output = line
        for span in merged.reversed() {
            let value = Array(line[span])
            guard value != redactedBytes else { continue }
            found(value)
            output.replaceSubrange(span, with: redactedBytes)
        }
        return (output, opensBlock)
    }

    /// A key found at a position: its name's bytes, where it ends (after a closing quote or an
    /// element's `>`), whether it is an XML element's name, and whether it holds a dot.
    private struct Key {
        var name: Range<Int>
        var end: Int
        var element: Bool
        var dotted: Bool
        var quoted: Bool
    }

    /// The key at `index`: a run of key bytes, bare or in quotes, or `<name>` / `<ns:name>`.
    private static func readKey(_ line: [UInt8], at index: Int) -> Key? {
        var start = index
        var quote: UInt8?
        var element = false
        if line[index] == UInt8(ascii: "\"") || line[index] == UInt8(ascii: "'") {
            quote = line[index]
            start += 1
        } else if line[index] == UInt8(ascii: "<") {
            element = true
            start += 1
        }
        var end = start
        while end < line.count, isKeyByte(line[end]) || (element && line[end] == UInt8(ascii: ":")) { end += 1 }
        guard end > start else { return nil }
        var name = start..<end
        var after = end
        if let quote {
            guard end < line.count, line[end] == quote else { return nil }
            after += 1
        }
        if element {
            guard end < line.count, line[end] == UInt8(ascii: ">") else { return nil }
            after += 1
            // <ns:password>: the local name decides.
            if let colon = line[name].lastIndex(of: UInt8(ascii: ":")) { name = (colon + 1)..<end }
        }
        return Key(
            name: name, end: after, element: element, dotted: line[name].contains(UInt8(ascii: ".")), quoted: quote != nil)
    }

    /// `<Property oe:key="K" oe:value="V"/>` (an OVF environment, DSP0243 section 11) with K a
    /// secret key: the span of V.
    private static func ovfProperty(_ line: [UInt8], into spans: inout [Range<Int>]) {
        guard let key = attribute("key", in: line), isSecret(Array(line[key])),
            let value = attribute("value", in: line), !value.isEmpty
        else { return }
        spans.append(value)
    }

    /// The span of the value of the first attribute whose local name is `name` (`oe:key`, `key`).
    private static func attribute(_ name: String, in line: [UInt8]) -> Range<Int>? {
        let target = Array(name.utf8)
        var index = 0
        while index + target.count < line.count {
            defer { index += 1 }
            guard line[index..<(index + target.count)].elementsEqual(target) else { continue }
            if index > 0, line[index - 1] != UInt8(ascii: ":"), line[index - 1] != UInt8(ascii: " "),
                line[index - 1] != UInt8(ascii: "\t")
            {
                continue
            }
            var cursor = skipBlanks(line, index + target.count)
            guard cursor < line.count, line[cursor] == UInt8(ascii: "=") else { continue }
            cursor = skipBlanks(line, cursor + 1)
            guard cursor < line.count, line[cursor] == UInt8(ascii: "\"") || line[cursor] == UInt8(ascii: "'") else {
                continue
            }
            return (cursor + 1)..<closingQuote(line, from: cursor + 1, quote: line[cursor])
        }
        return nil
    }

    /// Where the string that opened before `from` closes (a backslash escapes in a double-quoted
    /// string), or the line's end.
    private static func closingQuote(_ line: [UInt8], from: Int, quote: UInt8) -> Int {
        var index = from
        while index < line.count {
            if line[index] == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") {
                index += 2
                continue
            }
            if line[index] == quote { return index }
            index += 1
        }
        return line.count
    }

    private static func skipBlanks(_ line: [UInt8], _ from: Int) -> Int {
        var index = from
        while index < line.count, line[index] == UInt8(ascii: " ") || line[index] == UInt8(ascii: "\t") { index += 1 }
        return index
    }

    private static func isSecret(_ name: [UInt8]) -> Bool {
        SecretKeyRule.isSecret(String(decoding: name, as: UTF8.self))
    }

    /// What a key is made of: letters, digits, `.`, `_`, `-`, `/` and non-ASCII bytes.
    private static func isKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "/"):
            return true
        default:
            return byte >= 0x80
        }
    }
}
