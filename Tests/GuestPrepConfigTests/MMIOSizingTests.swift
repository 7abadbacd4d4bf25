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
        #expect(!sizing.exceeds)
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

    /// The same board under pci.ids' second ID (0x20b1) is sized the same from the catalog;
    /// a GH200 (no BAR1 aperture) gets no catalog size for its BAR2, which stays unknown.
    @Test func aSecondDeviceIDIsSizedAndAGH200GetsNoBAR1Size() {
        var second = Self.a100("0000:0b:00.0", bar1Assigned: false)
        second.deviceID = 0x20b1
        let sizing = MMIOSizing.compute(devices: [second, Self.a100("0000:13:00.0")])
        #expect(sizing.terms.filter(\.fromCatalog).map(\.bytes) == [64 << 30])
        #expect(sizing.memoryRuleGB == 128)
        let flags64: UInt64 = 0x14_220c
        let gh200 = NVIDIADevice(
            address: PCIAddress("0009:01:00.0")!, deviceID: 0x2342, classCode: 0x030200,
            bars: [PCIBAR(index: 0, start: 0x6_6000_0000, end: 0x6_60ff_ffff, flags: flags64)],
            declaredBARs: [
                DeclaredBAR(index: 0, isMemory: true, is64Bit: true, isPrefetchable: true, address: 0x6_6000_0000),
                DeclaredBAR(index: 2, isMemory: true, is64Bit: true, isPrefetchable: true, address: 0),
            ])
        let grace = MMIOSizing.compute(devices: [gh200])
        #expect(grace.unknown.map(\.bar) == [2])
        #expect(grace.terms.map(\.bar) == [0])
        #expect(grace.memoryRuleGB == 128, "96 GB of HBM3 rounds up to 128")
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

    /// Two 64-bit BARs of 8 EiB (2^63 bytes) each sum to 2^64: the total saturates and says
    /// so, where the sum trapped.
    @Test func bARSizesThatSumPastUInt64Saturate() {
        let flags64: UInt64 = 0x14_220c
        let device = NVIDIADevice(
            address: PCIAddress("0000:0b:00.0")!, deviceID: 0x20f1, classCode: 0x030200,
            bars: [
                PCIBAR(index: 1, start: 1 << 63, end: .max, flags: flags64),
                PCIBAR(index: 3, start: 1 << 63, end: .max, flags: flags64),
            ])
        let sizing = MMIOSizing.compute(devices: [device], catalogSize: { _, _ in nil }, memoryGiB: { _ in 40 })
        #expect(sizing.terms.map(\.bytes) == [1 << 63, 1 << 63])
        #expect(sizing.totalBytes == .max)
        #expect(sizing.exceeds)
        #expect(sizing.barRuleGB == 1 << 34, "2^64 − 1 bytes is 2^34 GiB, rounded up")
    }

    /// A BAR size near UInt64.max that is no whole number of TiB: `bytes * 10` trapped.
    @Test func aSizeNearUInt64MaxIsDescribed() {
        #expect(MMIOSizing.describe(bytes: .max - 1) == "16.0 EiB")
        #expect(MMIOSizing.describe(bytes: (1 << 63) - 1024) == "8.0 EiB")
        #expect(MMIOSizing.describe(bytes: 1 << 63) == "8 EiB")
        #expect(MMIOSizing.describe(bytes: (1 << 50) * 3 / 2) == "1.5 PiB")
        #expect(MMIOSizing.describe(bytes: (1 << 40) + (1 << 39) - 1) == "1.5 TiB")
    }

    /// Above 2^63 no power of two fits in UInt64: the smallest one at least the value looped
    /// forever (the shift went to 0); it saturates at 2^63 now.
    @Test func powerOfTwoSaturatesAtTheTopBit() {
        #expect(MMIOSizing.powerOfTwo(atLeast: 1 << 63) == 1 << 63)
        #expect(MMIOSizing.powerOfTwo(atLeast: (1 << 63) + 1) == 1 << 63)
        #expect(MMIOSizing.powerOfTwo(atLeast: .max) == 1 << 63)
    }

    /// GPU count × GPU memory past UInt64.max (a catalog entry that claims Int.max GiB): the
    /// guides' rule saturates.
    @Test func theGuidesRuleSaturates() {
        let devices = [MMIOSizingTests.a100("0000:0b:00.0"), MMIOSizingTests.a100("0000:13:00.0")]
        let sizing = MMIOSizing.compute(devices: devices, catalogSize: { _, _ in nil }, memoryGiB: { _ in .max })
        #expect(sizing.memoryRuleGB == 1 << 63)
        #expect(sizing.recommendedGB == 1 << 63)
    }

    @Test func saturatingSizesSayWhenTheyPassUInt64() {
        #expect(SaturatingSize.sum([1 << 63, (1 << 63) - 1]) == (.max, false))
        #expect(SaturatingSize.sum([1 << 63, 1 << 63, 0]) == (.max, true))
        #expect(SaturatingSize.sum([UInt64]()) == (0, false))
        #expect(SaturatingSize.adding(.max, 1) == .max)
        #expect(SaturatingSize.adding(2, 3) == 5)
        #expect(SaturatingSize.multiplying(1 << 32, 1 << 32) == .max)
        #expect(SaturatingSize.multiplying(1 << 31, 1 << 32) == 1 << 63)
        #expect(SaturatingSize.ceiling(.max, unit: 1 << 30) == 1 << 34)
        #expect(SaturatingSize.ceiling(1 << 30, unit: 1 << 30) == 1)
        #expect(SaturatingSize.ceiling((1 << 30) + 1, unit: 1 << 30) == 2)
    }
}
