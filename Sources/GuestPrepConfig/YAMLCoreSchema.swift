/// The YAML 1.2 core schema's resolution of plain scalars (YAML 1.2.2, section 10.3.2,
/// https://yaml.org/spec/1.2.2/#1032-tag-resolution). libyaml leaves scalars untyped, and its
/// YAML 1.1 users (PyYAML) resolve `yes` and `0o17` differently; profiles are typed as 1.2 says.
enum YAMLCoreSchema {
    /// The value of the plain scalar `text`; nil for an integer too large for `Int`.
    static func resolve(_ text: ArraySlice<UInt8>) -> YAMLNode.Value? {
        if text.isEmpty { return .null }
        switch text.first! {
        case UInt8(ascii: "~"):
            if text.count == 1 { return .null }
        case UInt8(ascii: "n"), UInt8(ascii: "N"):
            if isOneOf(text, "null", "Null", "NULL") { return .null }
        case UInt8(ascii: "t"), UInt8(ascii: "T"):
            if isOneOf(text, "true", "True", "TRUE") { return .bool(true) }
        case UInt8(ascii: "f"), UInt8(ascii: "F"):
            if isOneOf(text, "false", "False", "FALSE") { return .bool(false) }
        case UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"):
            let unsigned = text.first == UInt8(ascii: ".") ? text : text.dropFirst()
            if isOneOf(unsigned, ".inf", ".Inf", ".INF") {
                return .float(text.first == UInt8(ascii: "-") ? -.infinity : .infinity)
            }
            if isOneOf(text, ".nan", ".NaN", ".NAN") { return .float(.nan) }
        default: break
        }
        if let (digits, radix) = integerDigits(text) {
            return Int(String(decoding: digits, as: UTF8.self), radix: radix).map(YAMLNode.Value.int)
        }
        if isFloat(text), let double = Double(String(decoding: text, as: UTF8.self)) { return .float(double) }
        return .string(String(decoding: text, as: UTF8.self))
    }

    /// The digits (with any sign) and radix of the core schema's integer forms: `[-+]?[0-9]+`,
    /// `0x[0-9a-fA-F]+`, `0o[0-7]+`; nil for any other text.
    private static func integerDigits(_ text: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, Int)? {
        if text.count > 2 && text.first == UInt8(ascii: "0") {
            let digits = text.dropFirst(2)
            switch text[text.startIndex + 1] {
            case UInt8(ascii: "x") where digits.allSatisfy({ hexValue($0) != nil }): return (digits, 16)
            case UInt8(ascii: "o") where digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }):
                return (digits, 8)
            default: break
            }
        }
        let unsigned = text.first == UInt8(ascii: "-") || text.first == UInt8(ascii: "+") ? text.dropFirst() : text
        guard !unsigned.isEmpty, unsigned.allSatisfy(isDigit) else { return nil }
        return (text, 10)
    }

    /// Whether `text` is `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`.
    private static func isFloat(_ text: ArraySlice<UInt8>) -> Bool {
        var rest = text
        if rest.first == UInt8(ascii: "-") || rest.first == UInt8(ascii: "+") { rest = rest.dropFirst() }
        let integerDigits = rest.prefix(while: isDigit).count
        rest = rest.dropFirst(integerDigits)
        var fractionDigits = 0
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            fractionDigits = rest.prefix(while: isDigit).count
            rest = rest.dropFirst(fractionDigits)
        }
        guard integerDigits > 0 || fractionDigits > 0 else { return false }
        if rest.first == UInt8(ascii: "e") || rest.first == UInt8(ascii: "E") {
            rest = rest.dropFirst()
            if rest.first == UInt8(ascii: "-") || rest.first == UInt8(ascii: "+") { rest = rest.dropFirst() }
            let exponentDigits = rest.prefix(while: isDigit).count
            guard exponentDigits > 0 else { return false }
            rest = rest.dropFirst(exponentDigits)
        }
        return rest.isEmpty
    }

    /// Whether `text` is one of the three spellings the core schema allows for a word.
    private static func isOneOf(_ text: ArraySlice<UInt8>, _ a: StaticString, _ b: StaticString, _ c: StaticString)
        -> Bool
    {
        func equals(_ word: StaticString) -> Bool { word.withUTF8Buffer { text.elementsEqual($0) } }
        return equals(a) || equals(b) || equals(c)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
