/// FNV-1a, 64 bits: the short, stable fingerprints guestprep keeps (the instance identity, what
/// the Bitfusion client was enrolled from). Not a cryptographic hash; what it fingerprints is
/// never recoverable from 64 bits of it.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func mix(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
    }

    /// 16 lower-case hex digits.
    var hex: String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
