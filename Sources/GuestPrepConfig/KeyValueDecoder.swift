// FoundationEssentials, not Foundation: its JSONDecoder is all we need, without ICU.
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import GuestPrepModel

/// Decodes the document of a `file:PATH` source: a JSON object, or key=value lines.
///
/// A document whose first character other than white space is `{` is JSON, read by
/// FoundationEssentials' JSONDecoder: one flat object whose values are strings, numbers or
/// booleans (`true`, `false`). An integer is kept as written (`9000`); any other number becomes
/// its shortest decimal form (`1.50` is `1.5`, `1E+3` is `1000`), since JSONDecoder does not
/// give a number's text. Members come out sorted by key. A key given twice is not an error:
/// JSONDecoder keeps the first value and gives no way to tell. Errors name the key, not the
/// line: JSONDecoder on Linux does not say where the text stops being JSON.
///
/// Otherwise it is key=value lines: blank lines and lines starting with `#` are ignored; the
/// key is what comes before the first `=`, trimmed; the value is everything after it, trimmed,
/// optionally in matching single quotes (taken literally) or double quotes (where `\"` and `\\`
/// stand for `"` and `\`).
///
/// In both forms keys hold only ASCII letters, digits, `.`, `_` and `-`. Lines keep document
/// order, duplicates included (a later merge lets the last one win).
public enum KeyValueDecoder {
    /// What errors name as the malformed document.
    static let what = "properties file"

    /// The key/value pairs of `bytes`, in document order.
    ///
    /// - Throws: `GuestPrepError.malformed(what: "properties file", reason:)` naming the line
    ///   (key=value) or the key (JSON), where there is one, of the first problem. The caller
    ///   (FileProvider) puts the file's name before it.
    public static func decode(_ bytes: [UInt8]) throws -> [(key: String, value: String)] {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        try checkUTF8(body)
        if body.first(where: { !isSpace($0) }) == UInt8(ascii: "{") {
            return try decodeJSON(Array(body))
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
        malformed(line: line, invalidKeyReason(key))
    }

    /// The error for a JSON key that is not a property key: JSONDecoder gives no line.
    static func invalidKey(_ key: some StringProtocol) -> GuestPrepError {
        .malformed(what: what, reason: invalidKeyReason(key))
    }

    private static func invalidKeyReason(_ key: some StringProtocol) -> String {
        "\"\(key)\" is not a property key (use only letters, digits, '.', '_' and '-', "
            + "e.g. guestinfo.bitfusion.host.hostname)"
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

    /// The members of the JSON object `bytes`, decoded by FoundationEssentials' JSONDecoder.
    private static func decodeJSON(_ bytes: [UInt8]) throws -> [(key: String, value: String)] {
        do {
            return try JSONDecoder().decode(JSONProperties.self, from: Data(bytes)).pairs
        } catch let error as GuestPrepError {
            throw error
        } catch DecodingError.typeMismatch {
            throw GuestPrepError.malformed(what: what, reason: "the JSON document is not an object of properties")
        } catch {
            // On Linux, JSONDecoder says only that the text is not JSON, not where.
            throw GuestPrepError.malformed(
                what: what,
                reason: "not valid JSON: a JSON object of \"key\": value members, separated by ',' and in '{}', with keys and strings in double quotes")
        }
    }
}

/// A flat JSON object of properties: each value a string, a number or a Boolean, kept as text.
private struct JSONProperties: Decodable {
    /// The members, by key: JSONDecoder does not keep the document's order.
    let pairs: [(key: String, value: String)]

    struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: Key.self)
        var pairs: [(key: String, value: String)] = []
        for key in object.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            guard KeyValueDecoder.isPropertyKey(key.stringValue) else {
                throw KeyValueDecoder.invalidKey(key.stringValue)
            }
            pairs.append((key: key.stringValue, value: try Self.value(of: key, in: object)))
        }
        self.pairs = pairs
    }

    /// The value of `key` as text: a string as it is, `true` or `false`, an integer in decimal
    /// digits as written (`9000`), any other number in its shortest decimal form (`1.50` is
    /// `1.5`): JSONDecoder does not give a number's text.
    private static func value(of key: Key, in object: KeyedDecodingContainer<Key>) throws -> String {
        func problem(_ reason: String) -> GuestPrepError {
            .malformed(what: KeyValueDecoder.what, reason: "the value of \"\(key.stringValue)\" \(reason)")
        }
        if (try? object.decodeNil(forKey: key)) == true {
            throw problem("is null; write \"\" for an empty value or leave the key out")
        }
        if let bool = try? object.decode(Bool.self, forKey: key) { return bool ? "true" : "false" }
        do {
            return try object.decode(String.self, forKey: key)
        } catch DecodingError.typeMismatch {
            // Not a string: a number, an object or an array.
        } catch {
            throw problem("is not a valid JSON string (an invalid escape, a lone surrogate or a raw control character)")
        }
        if (try? object.nestedContainer(keyedBy: Key.self, forKey: key)) != nil {
            throw problem("is an object; only strings, numbers and booleans are allowed")
        }
        if (try? object.nestedUnkeyedContainer(forKey: key)) != nil {
            throw problem("is an array; only strings, numbers and booleans are allowed")
        }
        if let int = try? object.decode(Int.self, forKey: key) { return String(int) }
        if let decimal = try? object.decode(Decimal.self, forKey: key) { return "\(decimal)" }
        if let double = try? object.decode(Double.self, forKey: key), double.isFinite { return "\(double)" }
        throw problem("is not a valid JSON number, or one too large")
    }
}
