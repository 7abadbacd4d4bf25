import GuestPrepModel

/// Pure decoders for what sysfs shows of a PCI function's BARs: the `resource` text the kernel
/// writes, and the BAR registers in the function's configuration space (`config`).
public enum PCIResourceDecoder {
    /// BARs 0–5 from a `resource` file: one `0xSTART 0xEND 0xFLAGS` line per resource, BARs
    /// first. A line of zeros (no BAR, or one the kernel released) is left out; a garbled line
    /// is left out too, since the declared BARs still say the BAR exists.
    public static func bars(fromResource text: String) -> [PCIBAR] {
        var bars: [PCIBAR] = []
        var index = 0
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            guard index < 6 else { break }
            defer { index += 1 }
            let fields = line.split(separator: UInt8(ascii: " "))
            guard fields.count == 3, let start = hex(fields[0]), let end = hex(fields[1]), let flags = hex(fields[2])
            else { continue }
            guard start != 0 || end != 0 || flags != 0 else { continue }
            bars.append(PCIBAR(index: index, start: start, end: end, flags: flags))
        }
        return bars
    }

    /// The BARs a function declares in its configuration space: six registers at 0x10–0x24 for
    /// a type 0 header, two for a type 1 (PCI-to-PCI bridge) header. A register reading 0 is
    /// no BAR (or an unassigned 32-bit non-prefetchable one, which cannot be told apart); a
    /// 64-bit BAR takes the next register as its upper half. Empty when `config` holds less
    /// than the header (an unprivileged read returns only 64 bytes, which is enough).
    public static func declaredBARs(config: [UInt8]) -> [DeclaredBAR] {
        guard config.count >= 0x28 else { return [] }
        let count = config[0x0E] & 0x7F == 1 ? 2 : 6
        var declared: [DeclaredBAR] = []
        var index = 0
        while index < count {
            let low = dword(config, at: 0x10 + 4 * index)
            defer { index += 1 }
            guard low != 0 else { continue }
            if low & 1 == 1 {
                declared.append(
                    DeclaredBAR(index: index, isMemory: false, is64Bit: false, isPrefetchable: false, address: UInt64(low & ~3)))
                continue
            }
            let is64Bit = (low >> 1) & 0b11 == 0b10
            var address = UInt64(low & ~0xF)
            if is64Bit, index + 1 < count {
                address |= UInt64(dword(config, at: 0x10 + 4 * (index + 1))) << 32
            }
            declared.append(
                DeclaredBAR(index: index, isMemory: true, is64Bit: is64Bit, isPrefetchable: low & 0b1000 != 0, address: address))
            if is64Bit { index += 1 }
        }
        return declared
    }

    private static func dword(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }

    /// `0x00000000fd000000` → its value; nil for anything else.
    private static func hex(_ field: Substring.UTF8View) -> UInt64? {
        guard field.count > 2, field.count <= 18, field.starts(with: "0x".utf8) else { return nil }
        var value: UInt64 = 0
        for byte in field.dropFirst(2) {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}
