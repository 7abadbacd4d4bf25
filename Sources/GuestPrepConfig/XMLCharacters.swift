/// The bytes `XMLReader` looks for.
enum XMLByte {
    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let bang: UInt8 = 0x21
    static let quote: UInt8 = 0x22
    static let hash: UInt8 = 0x23
    static let ampersand: UInt8 = 0x26
    static let apostrophe: UInt8 = 0x27
    static let hyphen: UInt8 = 0x2D
    static let slash: UInt8 = 0x2F
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let lessThan: UInt8 = 0x3C
    static let equals: UInt8 = 0x3D
    static let greaterThan: UInt8 = 0x3E
    static let question: UInt8 = 0x3F
    static let closingBracket: UInt8 = 0x5D
    static let x: UInt8 = 0x78
}

/// The character classes of XML 1.0 (fifth edition) and a strict UTF-8 decoder.
enum XMLCharacters {
    /// `S`: space, tab, line feed, carriage return.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == XMLByte.space || byte == XMLByte.tab || byte == XMLByte.lineFeed
            || byte == XMLByte.carriageReturn
    }

    /// `Char`: what a document may hold at all; most C0 controls, surrogates, U+FFFE and
    /// U+FFFF are excluded.
    static func isCharacter(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// `NameStartChar` for an ASCII byte: a letter, `_` or `:`.
    static func isASCIINameStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- 0x61 < 26 || byte == 0x5F || byte == XMLByte.colon
    }

    /// `NameChar` for an ASCII byte: a `NameStartChar`, a digit, `-` or `.`.
    static func isASCIINameCharacter(_ byte: UInt8) -> Bool {
        isASCIINameStart(byte) || byte &- 0x30 < 10 || byte == XMLByte.hyphen || byte == 0x2E
    }

    /// `NameStartChar`.
    static func isNameStart(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x3A, 0x41...0x5A, 0x5F, 0x61...0x7A, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF,
            0x370...0x37D, 0x37F...0x1FFF, 0x200C...0x200D, 0x2070...0x218F, 0x2C00...0x2FEF,
            0x3001...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFFD, 0x10000...0xEFFFF:
            true
        default: false
        }
    }

    /// `NameChar`.
    static func isNameCharacter(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x2D, 0x2E, 0x30...0x39, 0xB7, 0x300...0x36F, 0x203F...0x2040: true
        default: isNameStart(scalar)
        }
    }

    /// The scalar whose UTF-8 encoding starts at `index`, and its length in bytes; nil for
    /// anything that is not shortest-form UTF-8 of a Unicode scalar (overlong forms,
    /// surrogates, values above U+10FFFF, stray or missing continuation bytes).
    static func decodeUTF8(_ bytes: [UInt8], at index: Int) -> (scalar: UInt32, length: Int)? {
        let lead = bytes[index]
        if lead < 0x80 { return (UInt32(lead), 1) }
        let length: Int
        // The second byte's range is what rules out overlong forms, surrogates and > U+10FFFF.
        let secondRange: ClosedRange<UInt8>
        switch lead {
        case 0xC2...0xDF: (length, secondRange) = (2, 0x80...0xBF)
        case 0xE0: (length, secondRange) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, secondRange) = (3, 0x80...0xBF)
        case 0xED: (length, secondRange) = (3, 0x80...0x9F)
        case 0xF0: (length, secondRange) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, secondRange) = (4, 0x80...0xBF)
        case 0xF4: (length, secondRange) = (4, 0x80...0x8F)
        default: return nil
        }
        guard index + length <= bytes.count, secondRange.contains(bytes[index + 1]) else { return nil }
        var scalar = UInt32(lead) & (0xFF >> (length + 1))
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return nil }
            scalar = scalar << 6 | UInt32(byte & 0x3F)
        }
        return (scalar, length)
    }

    /// Appends the UTF-8 encoding of `scalar`, a valid Unicode scalar value.
    static func appendUTF8(_ scalar: UInt32, to buffer: inout [UInt8]) {
        switch scalar {
        case ..<0x80:
            buffer.append(UInt8(scalar))
        case ..<0x800:
            buffer.append(0xC0 | UInt8(scalar >> 6))
            buffer.append(0x80 | UInt8(scalar & 0x3F))
        case ..<0x10000:
            buffer.append(0xE0 | UInt8(scalar >> 12))
            buffer.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            buffer.append(0x80 | UInt8(scalar & 0x3F))
        default:
            buffer.append(0xF0 | UInt8(scalar >> 18))
            buffer.append(0x80 | UInt8(scalar >> 12 & 0x3F))
            buffer.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            buffer.append(0x80 | UInt8(scalar & 0x3F))
        }
    }

    /// `U+0001`, `U+FFFE`: how messages name a code point.
    static func codePoint(_ scalar: UInt32) -> String {
        let digits = String(scalar, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
