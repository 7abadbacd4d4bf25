import GuestPrepModel

/// Decodes the document of a `file:PATH` source: a JSON object, or key=value lines.
///
/// A document whose first character other than white space is `{` is JSON: an object whose
/// values are strings, numbers (kept exactly as written) or booleans (`true`, `false`).
///
/// Otherwise it is key=value lines: blank lines and lines starting with `#` are ignored; the
/// key is what comes before the first `=`, trimmed; the value is everything after it, trimmed,
/// optionally in matching single quotes (taken literally) or double quotes (where `\"` and `\\`
/// stand for `"` and `\`).
///
/// In both forms keys hold only ASCII letters, digits, `.`, `_` and `-`, and pairs keep
/// document order, duplicates included (a later merge lets the last one win).
public enum KeyValueDecoder {
    /// What errors name as the malformed document.
    static let what = "properties file"

    /// The key/value pairs of `bytes`, in document order.
    ///
    /// - Throws: `GuestPrepError.malformed(what: "properties file", reason:)` naming the line
    ///   (and the key, where there is one) of the first problem.
    public static func decode(_ bytes: [UInt8]) throws -> [(key: String, value: String)] {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        try checkUTF8(body)
        if body.first(where: { !isSpace($0) }) == UInt8(ascii: "{") {
            var parser = JSONObjectParser(bytes: Array(body))
            return try parser.parse()
        }
        return try decodeLines(body)
    }

    /// Whether `key` may name a property: non-empty, ASCII letters, digits, `.`, `_`, `-`.
    static func isPropertyKey<S: StringProtocol>(_ key: S) -> Bool {
        !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || $0 == "." || $0 == "_" || $0 == "-"
            }
    }

    static func malformed(line: Int, _ reason: String) -> GuestPrepError {
        GuestPrepError.malformed(what: what, reason: "line \(line): \(reason)")
    }

    static func invalidKey(line: Int, _ key: some StringProtocol) -> GuestPrepError {
        malformed(
            line: line,
            "\"\(key)\" is not a property key (use only letters, digits, '.', '_' and '-', "
                + "e.g. guestinfo.bitfusion.host.hostname)")
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func checkUTF8(_ bytes: ArraySlice<UInt8>) throws {
        guard String(validating: bytes, as: UTF8.self) == nil else { return }
        for (index, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
        where String(validating: line, as: UTF8.self) == nil {
            throw malformed(line: index + 1, "not valid UTF-8 text; save the file as UTF-8")
        }
    }

    // MARK: - key=value lines

    private static func decodeLines(_ bytes: ArraySlice<UInt8>) throws -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        // Split bytes, not Characters: "\r\n" is one Character and would hide the "\n".
        for (index, var lineBytes) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            .enumerated()
        {
            let number = index + 1
            if lineBytes.last == 0x0D { lineBytes = lineBytes.dropLast() }
            let line = Substring(String(decoding: lineBytes, as: UTF8.self))
            let content = trim(line)
            if content.isEmpty || content.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw malformed(line: number, "expected KEY=VALUE but the line has no '='")
            }
            let key = trim(line[..<equals])
            guard !key.isEmpty else {
                throw malformed(line: number, "the key before '=' is empty")
            }
            guard isPropertyKey(key) else { throw invalidKey(line: number, key) }
            let value = try unquote(trim(line[line.index(after: equals)...]), key: key, line: number)
            pairs.append((key: String(key), value: value))
        }
        return pairs
    }

    private static func trim(_ text: Substring) -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }),
            let last = text.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return text[first...last]
    }

    /// The value without its quotes: `'…'` literally, `"…"` with `\"` and `\\` unescaped.
    private static func unquote(_ value: Substring, key: Substring, line: Int) throws -> String {
        guard let quote = value.first, quote == "\"" || quote == "'" else { return String(value) }
        let unterminated = malformed(
            line: line, "the value of \(key) starts with \(quote) but does not end with a matching \(quote)")
        guard value.count >= 2, value.last == quote else { throw unterminated }
        let inner = value.dropFirst().dropLast()
        if quote == "'" { return String(inner) }
        var result = ""
        var index = inner.startIndex
        while index < inner.endIndex {
            let character = inner[index]
            let next = inner.index(after: index)
            if character == "\\" {
                guard next < inner.endIndex else { throw unterminated }  // the closing quote was escaped
                if inner[next] == "\"" || inner[next] == "\\" {
                    result.append(inner[next])
                    index = inner.index(after: next)
                    continue
                }
            }
            result.append(character)
            index = next
        }
        return result
    }

    // MARK: - JSON

    /// A strict reader of one flat JSON object that keeps member order and numbers' text.
    private struct JSONObjectParser {
        let bytes: [UInt8]
        var position = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func parse() throws -> [(key: String, value: String)] {
            var pairs: [(key: String, value: String)] = []
            skipSpace()
            try expect(UInt8(ascii: "{"), "the JSON object must start with '{'")
            skipSpace()
            if peek() == UInt8(ascii: "}") {
                position += 1
            } else {
                while true {
                    skipSpace()
                    guard peek() == UInt8(ascii: "\"") else {
                        throw error("expected a key in double quotes")
                    }
                    let keyLine = line
                    let key = try string()
                    guard KeyValueDecoder.isPropertyKey(key) else { throw invalidKey(line: keyLine, key) }
                    skipSpace()
                    try expect(UInt8(ascii: ":"), "expected ':' after the key \"\(key)\"")
                    skipSpace()
                    pairs.append((key: key, value: try value(of: key)))
                    skipSpace()
                    if peek() == UInt8(ascii: ",") {
                        position += 1
                        continue
                    }
                    try expect(UInt8(ascii: "}"), "expected ',' or '}' after the value of \"\(key)\"")
                    break
                }
            }
            skipSpace()
            guard position == bytes.count else {
                throw error("unexpected text after the end of the JSON object")
            }
            return pairs
        }

        private var line: Int { bytes[..<min(position, bytes.count)].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 } }

        private func error(_ reason: String) -> GuestPrepError {
            KeyValueDecoder.malformed(line: line, reason)
        }

        private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

        private mutating func skipSpace() {
            while let byte = peek(), KeyValueDecoder.isSpace(byte) { position += 1 }
        }

        private mutating func expect(_ byte: UInt8, _ reason: String) throws {
            guard peek() == byte else { throw error(reason) }
            position += 1
        }

        private mutating func value(of key: String) throws -> String {
            guard let first = peek() else { throw error("the value of \"\(key)\" is missing") }
            switch first {
            case UInt8(ascii: "\""):
                return try string()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let kind = first == UInt8(ascii: "{") ? "an object" : "an array"
                throw error(
                    "the value of \"\(key)\" is \(kind); only strings, numbers and booleans are allowed")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try number(of: key)
            default:
                for word in ["true", "false"] where bytes[position...].starts(with: word.utf8) {
                    position += word.utf8.count
                    return word
                }
                if bytes[position...].starts(with: "null".utf8) {
                    throw error(
                        "the value of \"\(key)\" is null; write \"\" for an empty value or leave the key out")
                }
                throw error("the value of \"\(key)\" is not a JSON string, number or boolean")
            }
        }

        /// A JSON number, returned exactly as written.
        private mutating func number(of key: String) throws -> String {
            let start = position
            let invalid = error("the value of \"\(key)\" is not a valid JSON number")
            func digits(_ parser: inout JSONObjectParser) -> Int {
                let from = parser.position
                while let byte = parser.peek(), (0x30...0x39).contains(byte) { parser.position += 1 }
                return parser.position - from
            }
            if peek() == UInt8(ascii: "-") { position += 1 }
            if peek() == UInt8(ascii: "0") {
                position += 1
            } else if digits(&self) == 0 {
                throw invalid
            }
            if peek() == UInt8(ascii: ".") {
                position += 1
                guard digits(&self) > 0 else { throw invalid }
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                position += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
                guard digits(&self) > 0 else { throw invalid }
            }
            if let byte = peek(), (0x30...0x39).contains(byte) || byte == UInt8(ascii: ".") { throw invalid }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        /// A JSON string with its escapes decoded.
        private mutating func string() throws -> String {
            position += 1  // the opening quote
            var result: [UInt8] = []
            while true {
                guard let byte = peek() else { throw error("a string is not closed with '\"'") }
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: result, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = peek() else { throw error("a string is not closed with '\"'") }
                    position += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): result.append(escaped)
                    case UInt8(ascii: "b"): result.append(0x08)
                    case UInt8(ascii: "f"): result.append(0x0C)
                    case UInt8(ascii: "n"): result.append(0x0A)
                    case UInt8(ascii: "r"): result.append(0x0D)
                    case UInt8(ascii: "t"): result.append(0x09)
                    case UInt8(ascii: "u"): result += try unicodeEscape()
                    default: throw error("invalid escape \\\(Character(Unicode.Scalar(escaped))) in a string")
                    }
                case 0x00..<0x20:
                    throw error("a string holds a raw control character (write \\n, \\t or \\u00XX)")
                default:
                    result.append(byte)
                }
            }
        }

        /// The UTF-8 of a `\uXXXX` escape (after `\u`), or of a `\uD8xx\uDCxx` surrogate pair.
        private mutating func unicodeEscape() throws -> [UInt8] {
            let invalid = error("invalid \\u escape in a string")
            func hex(_ parser: inout JSONObjectParser) throws -> UInt32 {
                guard parser.position + 4 <= parser.bytes.count,
                    parser.bytes[parser.position..<(parser.position + 4)].allSatisfy({
                        Character(Unicode.Scalar($0)).isHexDigit
                    }),
                    let value = UInt32(
                        String(
                            decoding: parser.bytes[parser.position..<(parser.position + 4)], as: UTF8.self),
                        radix: 16)
                else { throw invalid }
                parser.position += 4
                return value
            }
            var code = try hex(&self)
            if (0xD800...0xDBFF).contains(code) {
                guard bytes[position...].starts(with: "\\u".utf8) else { throw invalid }
                position += 2
                let low = try hex(&self)
                guard (0xDC00...0xDFFF).contains(low) else { throw invalid }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw invalid }
            return Array(String(Character(scalar)).utf8)
        }
    }
}
