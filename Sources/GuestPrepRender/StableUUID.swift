/// A UUID derived from a name, so the same name always gives the same UUID: RFC 9562
/// version 8 (custom), its 128 bits two FNV-1a 64 hashes of the name's UTF-8 bytes under
/// different offset bases. Not cryptographic; it only has to be stable and to differ between
/// the few names one machine uses.
package enum StableUUID {
    /// The UUID for `name`, as 8-4-4-4-12 lower-case hex.
    package static func make(from name: String) -> String {
        var bytes = bigEndianBytes(fnv1a64(name, offsetBasis: 0xcbf2_9ce4_8422_2325))
            + bigEndianBytes(fnv1a64(name, offsetBasis: 0x6c62_272e_07bb_0142))
        bytes[6] = bytes[6] & 0x0f | 0x80  // version 8
        bytes[8] = bytes[8] & 0x3f | 0x80  // variant 10xx: RFC 9562
        let hex = bytes.map { byte -> String in
            let digits = String(byte, radix: 16)
            return byte < 0x10 ? "0" + digits : digits
        }
        return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { hex[$0].joined() }.joined(separator: "-")
    }

    /// FNV-1a, 64 bits, with the standard prime and the given offset basis.
    package static func fnv1a64(_ text: String, offsetBasis: UInt64) -> UInt64 {
        var hash = offsetBasis
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    private static func bigEndianBytes(_ value: UInt64) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }
}
