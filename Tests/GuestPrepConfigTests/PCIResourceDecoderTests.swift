import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct PCIResourceDecoderTests {
    /// An A100 40 GB as ESXi with EFI gives it: BAR0 16 MiB, BAR1 64 GiB and BAR3 32 MiB, both
    /// 64-bit prefetchable; the ROM line and the empty slots follow.
    static let a100Resource = """
        0x00000000fd000000 0x00000000fdffffff 0x0000000000040200
        0x0000002000000000 0x0000002fffffffff 0x000000000014220c
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        0x0000003000000000 0x0000003001ffffff 0x000000000014220c
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        0x00000000fe000000 0x00000000fe07ffff 0x0000000000046200
        """

    @Test func readsAssignedBARsWithSizesAndTypes() {
        let bars = PCIResourceDecoder.bars(fromResource: Self.a100Resource)
        #expect(bars.map(\.index) == [0, 1, 3], "the ROM (line 7) is not a BAR")
        #expect(bars.map(\.size) == [16 << 20, 64 << 30, 32 << 20])
        #expect(bars.map(\.is64Bit) == [false, true, true])
        #expect(bars.map(\.isPrefetchable) == [false, true, true])
        #expect(bars.allSatisfy { $0.isMemory && !$0.isIO && $0.isAssigned })
    }

    @Test func anUnassignedBARHasNoSize() {
        // The kernel marks a BAR it could not fit IORESOURCE_UNSET and moves it to 0.
        let text = """
            0x00000000fd000000 0x00000000fdffffff 0x0000000000040200
            0x0000000000000000 0x0000001fffffffff 0x000000002014220c
            0x0000000000000000 0x0000000000000000 0x0000000000000000
            0x0000000000000000 0x0000000000000000 0x0000000000000000
            """
        let bars = PCIResourceDecoder.bars(fromResource: text)
        #expect(bars.map(\.index) == [0, 1])
        #expect(bars[1].isAssigned == false)
        #expect(bars[1].size == 0)
        #expect(bars[1].is64Bit && bars[1].isPrefetchable)
    }

    /// Lines no kernel writes: start after end (the BAR would have a negative size), or a window
    /// running to the top of the address space. The first is left out like any garbled line; the
    /// second is kept with its size, 2^64 − 1 bytes, computed without a trap.
    @Test func startAfterEndIsLeftOutAndAWindowToTheTopIsSized() {
        let text = """
            0xffffffffffffffff 0x0000000000000000 0x000000000014220c
            0x0000000000000001 0xffffffffffffffff 0x000000000014220c
            0x0000000000001000 0x0000000000000fff 0x0000000000040200
            0xffffffffffffffff 0xffffffffffffffff 0x000000000014220c
            """
        let bars = PCIResourceDecoder.bars(fromResource: text)
        #expect(bars.map(\.index) == [1, 3])
        #expect(bars.map(\.size) == [.max, 1])
        #expect(bars.allSatisfy { $0.isAssigned })
    }

    @Test func garbledLinesAreLeftOutAndIndicesKept() {
        let text = "nonsense\n0x0000002000000000 0x0000002fffffffff 0x000000000014220c\n0xzz 0x1 0x2\n"
        let bars = PCIResourceDecoder.bars(fromResource: text)
        #expect(bars.map(\.index) == [1])
        #expect(PCIResourceDecoder.bars(fromResource: "").isEmpty)
    }

    /// A type 0 header with BAR0 32-bit at 0xfd000000, BAR1 64-bit prefetchable left at 0 by
    /// the kernel (type bits only), BAR3 64-bit prefetchable at 0x30_0000_0000, BAR5 I/O.
    static func config(headerType: UInt8 = 0) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 64)
        bytes[0] = 0xde; bytes[1] = 0x10; bytes[2] = 0xb5; bytes[3] = 0x20
        bytes[0x0E] = headerType
        func put(_ value: UInt32, at offset: Int) {
            for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
        }
        put(0xfd00_0000, at: 0x10)
        put(0x0000_000c, at: 0x14)
        put(0x0000_0000, at: 0x18)
        put(0x0000_000c, at: 0x1c)
        put(0x0000_0030, at: 0x20)
        put(0x0000_e001, at: 0x24)
        return bytes
    }

    @Test func declaredBARsKeepTheirTypeBitsWhenUnassigned() {
        let declared = PCIResourceDecoder.declaredBARs(config: Self.config())
        #expect(declared == [
            DeclaredBAR(index: 0, isMemory: true, is64Bit: false, isPrefetchable: false, address: 0xfd00_0000),
            DeclaredBAR(index: 1, isMemory: true, is64Bit: true, isPrefetchable: true, address: 0),
            DeclaredBAR(index: 3, isMemory: true, is64Bit: true, isPrefetchable: true, address: 0x30_0000_0000),
            DeclaredBAR(index: 5, isMemory: false, is64Bit: false, isPrefetchable: false, address: 0xe000),
        ])
    }

    @Test func aBridgeHeaderHasTwoBARsAndAShortConfigNone() {
        #expect(PCIResourceDecoder.declaredBARs(config: Self.config(headerType: 0x81)).map(\.index) == [0, 1])
        #expect(PCIResourceDecoder.declaredBARs(config: Array(Self.config().prefix(0x27))).isEmpty)
    }

    @Test func readsTheHeaderIDsClassAndSubsystem() {
        var config = [UInt8](repeating: 0, count: 64)
        for (offset, byte) in [(0, 0xde), (1, 0x10), (2, 0xb5), (3, 0x20), (8, 0xa1), (9, 0x00), (10, 0x02), (11, 0x03),
            (0x2c, 0xde), (0x2d, 0x10), (0x2e, 0x33), (0x2f, 0x15)] {
            config[offset] = UInt8(byte)
        }
        #expect(
            PCIResourceDecoder.header(config: config)
                == PCIConfigHeader(vendorID: 0x10de, deviceID: 0x20b5, classCode: 0x030200, subsystemVendorID: 0x10de, subsystemDeviceID: 0x1533))
        var bridge = config
        bridge[0x0e] = 0x81  // type 1, multi-function: no subsystem at 0x2c
        #expect(PCIResourceDecoder.header(config: bridge)?.subsystemVendorID == nil)
        #expect(PCIResourceDecoder.header(config: Array(config.prefix(47))) == nil, "too short")
        #expect(PCIResourceDecoder.header(config: [UInt8](repeating: 0xff, count: 64)) == nil, "no function answers")
    }
}
