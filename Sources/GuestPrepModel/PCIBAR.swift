/// One base address register of a PCI function as the kernel assigned it: a line of the
/// function's sysfs `resource` file (`start end flags`, in hex).
public struct PCIBAR: Sendable, Equatable, Codable {
    /// The BAR number, 0…5.
    public var index: Int
    /// The first and last address of the window; both 0 when the kernel assigned nothing.
    public var start: UInt64
    public var end: UInt64
    /// The kernel's IORESOURCE_* flags for the window.
    public var flags: UInt64

    public init(index: Int, start: UInt64, end: UInt64, flags: UInt64) {
        self.index = index
        self.start = start
        self.end = end
        self.flags = flags
    }

    // From include/linux/ioport.h.
    static let ioFlag: UInt64 = 0x100
    static let memoryFlag: UInt64 = 0x200
    static let prefetchFlag: UInt64 = 0x2000
    static let memory64Flag: UInt64 = 0x10_0000
    static let unsetFlag: UInt64 = 0x2000_0000

    /// Whether the BAR decodes memory (as opposed to I/O ports).
    public var isMemory: Bool { flags & Self.memoryFlag != 0 }
    /// Whether the BAR decodes I/O ports.
    public var isIO: Bool { flags & Self.ioFlag != 0 }
    public var is64Bit: Bool { flags & Self.memory64Flag != 0 }
    public var isPrefetchable: Bool { flags & Self.prefetchFlag != 0 }

    /// Whether the kernel placed the window: it has an address and is not marked unset. A BAR
    /// the kernel could not fit is reported as `0 0 0`, or with IORESOURCE_UNSET and start 0.
    public var isAssigned: Bool { start != 0 && flags & Self.unsetFlag == 0 && end >= start }

    /// The window's size in bytes (`end − start + 1`); 0 when it was not assigned.
    public var size: UInt64 { isAssigned ? end - start + 1 : 0 }
}

/// A BAR as the function itself declares it in its configuration space (offsets 0x10–0x24):
/// its type bits survive when the kernel could not assign the BAR and left its `resource`
/// line empty, so the guest still knows the BAR exists.
public struct DeclaredBAR: Sendable, Equatable, Codable {
    /// The BAR number, 0…5; a 64-bit BAR also takes the next number.
    public var index: Int
    public var isMemory: Bool
    public var is64Bit: Bool
    public var isPrefetchable: Bool
    /// The address programmed into the register (type bits masked off); 0 when unassigned.
    public var address: UInt64

    public init(index: Int, isMemory: Bool, is64Bit: Bool, isPrefetchable: Bool, address: UInt64) {
        self.index = index
        self.isMemory = isMemory
        self.is64Bit = is64Bit
        self.isPrefetchable = isPrefetchable
        self.address = address
    }
}
