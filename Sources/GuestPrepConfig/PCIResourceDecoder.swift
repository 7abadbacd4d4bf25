import GuestPrepModel

/// Pure decoders for what sysfs shows of a PCI function's BARs: the `resource` text the kernel
/// writes, and the BAR registers in the function's configuration space (`config`).
public enum PCIResourceDecoder {
    /// BARs 0–5 from a `resource` file: one `0xSTART 0xEND 0xFLAGS` line per resource, BARs
    /// first (the kernel's `resource_show`, drivers/pci/pci-sysfs.c). A line of zeros (no BAR, or
    /// one the kernel released) is left out; a garbled line is left out too, since the declared
    /// BARs still say the BAR exists. A start after the end is garbled: the kernel's windows run
    /// from start to end inclusive (`resource_size` is end − start + 1), so no BAR has one.
    /// Every other line is kept: a BAR's size, end − start + 1 (`PCIBAR.size`), cannot
    /// overflow once start ≤ end, and sums of sizes are checked where they are made.
    public static func bars(fromResource text: String) -> [PCIBAR] {
        // On a byte buffer with integer offsets: over Substring.UTF8View slices this took
        // 100k instructions a file (callgrind).
        var text = text
        return text.withUTF8 { bytes in
            var bars: [PCIBAR] = []
            var position = 0
            for index in 0..<6 {
                guard position < bytes.count else { break }
                var lineEnd = position
                while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                defer { position = lineEnd + 1 }
                var fields: [UInt64] = []
                var field = position
                var valid = true
                while field < lineEnd, valid {
                    while field < lineEnd && bytes[field] == UInt8(ascii: " ") { field += 1 }
                    guard field < lineEnd else { break }
                    var fieldEnd = field
                    while fieldEnd < lineEnd && bytes[fieldEnd] != UInt8(ascii: " ") { fieldEnd += 1 }
                    if let value = hex(UnsafeBufferPointer(rebasing: bytes[field..<fieldEnd])) {
                        fields.append(value)
                    } else {
                        valid = false
                    }
                    field = fieldEnd
                }
                guard valid, fields.count == 3 else { continue }
                guard fields[0] != 0 || fields[1] != 0 || fields[2] != 0 else { continue }
                guard fields[0] <= fields[1] else { continue }
                bars.append(PCIBAR(index: index, start: fields[0], end: fields[1], flags: fields[2]))
            }
            return bars
        }
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
    private static func hex(_ field: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard field.count > 2, field.count <= 18, field[0] == UInt8(ascii: "0"), field[1] == UInt8(ascii: "x") else { return nil }
        var value: UInt64 = 0
        for byte in field[2...] {
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

    /// The IDs of a function's configuration space header: vendor and device (0x00, 0x02), the
    /// class code (0x09–0x0b), and for a type 0 header the subsystem vendor and device (0x2c,
    /// 0x2e). Nil when fewer than 48 bytes were read or no function answers (vendor 0xffff).
    public static func header(config: [UInt8]) -> PCIConfigHeader? {
        guard config.count >= 0x30 else { return nil }
        func word(_ offset: Int) -> UInt16 { UInt16(config[offset]) | UInt16(config[offset + 1]) << 8 }
        let vendor = word(0x00)
        guard vendor != 0xffff, vendor != 0 else { return nil }
        let classCode = UInt32(config[0x09]) | UInt32(config[0x0a]) << 8 | UInt32(config[0x0b]) << 16
        let type0 = config[0x0e] & 0x7f == 0
        return PCIConfigHeader(
            vendorID: vendor, deviceID: word(0x02), classCode: classCode,
            subsystemVendorID: type0 ? word(0x2c) : nil, subsystemDeviceID: type0 ? word(0x2e) : nil)
    }
}

/// The identifying fields of a PCI function's configuration space header.
public struct PCIConfigHeader: Sendable, Equatable {
    public var vendorID: UInt16
    public var deviceID: UInt16
    /// The 24-bit class code (`0x030200`).
    public var classCode: UInt32
    /// The subsystem IDs; nil for a bridge's type 1 header, which has none.
    public var subsystemVendorID: UInt16?
    public var subsystemDeviceID: UInt16?

    public init(
        vendorID: UInt16, deviceID: UInt16, classCode: UInt32, subsystemVendorID: UInt16?, subsystemDeviceID: UInt16?
    ) {
        self.vendorID = vendorID
        self.deviceID = deviceID
        self.classCode = classCode
        self.subsystemVendorID = subsystemVendorID
        self.subsystemDeviceID = subsystemDeviceID
    }
}
