/// The canonical text of a MAC address, as every source of one is compared: six hex pairs,
/// lower-case, separated by ':'.
public enum MACAddress {
    /// `00:50:56:AB:CD:EF` → `00:50:56:ab:cd:ef`, reading pairs separated by `separator`
    /// (`-` for the Windows form some OVF tools write); nil for anything else.
    public static func normalized(_ text: String, separator: Character = ":") -> String? {
        // Bytes, not Characters: this runs for every NIC on the boot path, and grapheme
        // iteration and splitting cost several times more (callgrind).
        guard let separatorByte = separator.asciiValue else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(17)
        for (offset, byte) in text.utf8.enumerated() {
            if offset % 3 == 2 {
                guard byte == separatorByte else { return nil }
                bytes.append(UInt8(ascii: ":"))
            } else {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): bytes.append(byte)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): bytes.append(byte | 0x20)
                default: return nil
                }
            }
            guard bytes.count <= 17 else { return nil }
        }
        guard bytes.count == 17 else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
