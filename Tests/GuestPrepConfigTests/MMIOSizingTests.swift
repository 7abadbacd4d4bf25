import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct MMIOSizingTests {
    /// An A100 40 GB at `address` with BAR1 (64 GiB) and BAR3 (32 MiB) assigned, or BAR1 left
    /// unassigned by the kernel.
    static func a100(_ address: String, bar1Assigned: Bool = true) -> NVIDIADevice {
        let flags64: UInt64 = 0x14_220c
        var bars = [PCIBAR(index: 0, start: 0xfd00_0000, end: 0xfdff_ffff, flags: 0x40200)]
        if bar1Assigned { bars.append(PCIBAR(index: 1, start: 0x20_0000_0000, end: 0x2f_ffff_ffff, flags: flags64)) }
        bars.append(PCIBAR(index: 3, start: 0x30_0000_0000, end: 0x30_01ff_ffff, flags: flags64))
        let declared = [
            DeclaredBAR(index: 0, isMemory: true, is64Bit: false, isPrefetchable: false, address: 0xfd00_0000),
            DeclaredBAR(index: 1, isMemory: true, is64Bit: true, isPrefetchable: true, address: bar1Assigned ? 0x20_0000_0000 : 0),
            DeclaredBAR(index: 3, isMemory: true, is64Bit: true, isPrefetchable: true, address: 0x30_0000_0000),
        ]
        return NVIDIADevice(address: PCIAddress(address)!, deviceID: 0x20f1, classCode: 0x030200, bars: bars, declaredBARs: declared)
    }

    /// The example: 2 × A100 40 GB need 2 × (64 GiB + 32 MiB), which rounds up to 256,
    /// where the guides' rule (2 × 40 GB rounded up) says 128.
    @Test func twoA100sNeed256WhereTheGuidesRuleSays128() {
        let sizing = MMIOSizing.compute(
            devices: [Self.a100("0000:0b:00.0"), Self.a100("0000:13:00.0")], catalogSize: { _, _ in nil },
            memoryGiB: { _ in 40 })
        #expect(sizing.totalBytes == 2 * ((64 << 30) + (32 << 20)))
        #expect(sizing.barRuleGB == 256)
        #expect(sizing.memoryRuleGB == 128)
        #expect(sizing.recommendedGB == 256)
        #expect(sizing.terms.allSatisfy { !$0.fromCatalog })
    }

    @Test func anUnassignedBARIsSizedFromTheCatalogOrListedUnknown() {
        let devices = [Self.a100("0000:0b:00.0", bar1Assigned: false)]
        let fromCatalog = MMIOSizing.compute(
            devices: devices, catalogSize: { _, bar in bar == 1 ? 64 << 30 : nil }, memoryGiB: { _ in 40 })
        #expect(fromCatalog.terms.map(\.bar) == [3, 1])
        #expect(fromCatalog.terms.map(\.fromCatalog) == [false, true])
        #expect(fromCatalog.barRuleGB == 128)
        let unknown = MMIOSizing.compute(devices: devices, catalogSize: { _, _ in nil }, memoryGiB: { _ in nil })
        #expect(unknown.unknown.map(\.bar) == [1])
        #expect(unknown.memoryRuleGB == nil)
        #expect(unknown.barRuleGB == 1, "32 MiB rounds up to 1 GiB")
    }

    /// With the catalog: an A100 PCIe 40 GB (0x20f1) whose BAR1 the kernel could not assign is
    /// sized from the catalog's 64 GiB, and its 40 GB memory gives the guides' rule.
    @Test func theCatalogFillsUnassignedBARsAndMemory() {
        let sizing = MMIOSizing.compute(devices: [Self.a100("0000:0b:00.0", bar1Assigned: false), Self.a100("0000:13:00.0")])
        #expect(sizing.unknown.isEmpty)
        #expect(sizing.terms.filter(\.fromCatalog).map(\.bytes) == [64 << 30])
        #expect(sizing.barRuleGB == 256)
        #expect(sizing.memoryRuleGB == 128)
    }

    @Test func powersOfTwoAndSizes() {
        #expect([0, 1, 2, 3, 80, 128, 129].map { MMIOSizing.powerOfTwo(atLeast: $0) } == [1, 1, 2, 4, 128, 128, 256])
        #expect(MMIOSizing.describe(bytes: 16 << 20) == "16 MiB")
        #expect(MMIOSizing.describe(bytes: 64 << 30) == "64 GiB")
        #expect(MMIOSizing.describe(bytes: (64 << 30) + (32 << 20)) == "64.0 GiB")
        #expect(MMIOSizing.describe(bytes: 3 << 29) == "1.5 GiB")
        #expect(MMIOSizing.describe(bytes: 512) == "512 B")
    }
}
