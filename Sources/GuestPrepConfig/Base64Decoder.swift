/// Decodes base64 (RFC 4648, the standard alphabet `A–Z a–z 0–9 + /`), as a token archive
/// arrives in a guestinfo property. Padding is optional; white space and line breaks anywhere
/// are ignored. The unused low bits of a final partial group are not checked.
///
/// The text may be a secret, so errors give the offset of the first bad character, never the
/// character or any of the text.
public enum Base64Decoder {
    /// The bytes `text` encodes; offsets in errors count UTF-8 bytes from 0.
    public static func decode(_ text: String) throws(Base64Error) -> [UInt8] {
        try decode(Array(text.utf8))
    }

    /// The bytes the base64 text `input` encodes.
    public static func decode(_ input: [UInt8]) throws(Base64Error) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3 + 3)
        var group: UInt32 = 0
        var inGroup = 0
        // Where the characters of the group being read started, for an error about it.
        var groupStart = 0
        var padding = 0
        for (offset, byte) in input.enumerated() {
            if isWhiteSpace(byte) { continue }
            if byte == UInt8(ascii: "=") {
                // "=" may only complete a group of two or three characters.
                guard inGroup + padding >= 2, inGroup + padding < 4 else {
                    throw Base64Error(.misplacedPadding, offset: offset)
                }
                padding += 1
                continue
            }
            let value = decodeTable[Int(byte)]
            guard value != invalid else { throw Base64Error(.invalidCharacter, offset: offset) }
            guard padding == 0 else { throw Base64Error(.dataAfterPadding, offset: offset) }
            if inGroup == 0 { groupStart = offset }
            group = group << 6 | UInt32(value)
            inGroup += 1
            if inGroup == 4 {
                output.append(UInt8(truncatingIfNeeded: group >> 16))
                output.append(UInt8(truncatingIfNeeded: group >> 8))
                output.append(UInt8(truncatingIfNeeded: group))
                (group, inGroup) = (0, 0)
            }
        }
        if padding > 0, inGroup + padding != 4 {
            throw Base64Error(.incompletePadding, offset: groupStart)
        }
        switch inGroup {
        case 0: break
        case 1: throw Base64Error(.incompleteGroup, offset: groupStart)
        case 2: output.append(UInt8(truncatingIfNeeded: group >> 4))
        default:
            output.append(UInt8(truncatingIfNeeded: group >> 10))
            output.append(UInt8(truncatingIfNeeded: group >> 2))
        }
        return output
    }

    private static let invalid: UInt8 = 0xFF

    /// Each byte's 6-bit value, or `invalid`.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()

    private static func isWhiteSpace(_ byte: UInt8) -> Bool {
        // Space, \t, \n, \v, \f, \r.
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}

/// Why a text is not base64, and where: the 0-based byte offset of the first bad character.
/// Never holds any of the text, which may be a secret.
public struct Base64Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong at ``offset``.
    public enum Reason: Sendable, Equatable {
        /// A character outside the alphabet, `=` and white space.
        case invalidCharacter
        /// `=` where no padding may be: before two characters of a group, or a third `=`.
        case misplacedPadding
        /// A character after the padding that ended the data.
        case dataAfterPadding
        /// The text ends with padding that does not complete its group (`QQ=`).
        case incompletePadding
        /// The text ends with a single character after the last full group: one character
        /// cannot encode a byte, so the text was cut short.
        case incompleteGroup
    }

    /// What is wrong.
    public let reason: Reason
    /// The 0-based byte offset of the bad character (for an incomplete group or padding, of
    /// the group's first character).
    public let offset: Int

    public init(_ reason: Reason, offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        switch reason {
        case .invalidCharacter:
            "not base64: the character at offset \(offset) is not in the base64 alphabet (A–Z, a–z, 0–9, + and /, with = padding; base64url's - and _ are not accepted)"
        case .misplacedPadding:
            "not base64: the '=' at offset \(offset) is misplaced; padding only ends a group of four characters"
        case .dataAfterPadding:
            "not base64: the character at offset \(offset) comes after the '=' padding that ends the data"
        case .incompletePadding:
            "not base64: the group of characters at offset \(offset) is padded with too few '='; the text is cut short"
        case .incompleteGroup:
            "not base64: the text ends with a single character at offset \(offset); it is cut short"
        }
    }
}
