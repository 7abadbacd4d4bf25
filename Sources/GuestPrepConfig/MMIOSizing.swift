import GuestPrepModel

/// How much 64-bit MMIO space a VM's NVIDIA devices need, and the `pciPassthru.64bitMMIOSizeGB`
/// that follows, by two rules: the real 64-bit BARs summed and rounded up to a power of two, and
/// the seed guides' rule (GPU count × GPU memory, rounded up to a power of two). The larger one
/// is recommended: the guides' rule falls short whenever a GPU's BAR1 is larger than its memory
/// (A100 40 GB: 64 GiB) or other BARs push the sum over the power of two.
public struct MMIOSizing: Sendable, Equatable {
    /// One 64-bit BAR counted.
    public struct Term: Sendable, Equatable {
        public var device: PCIAddress
        public var bar: Int
        public var bytes: UInt64
        /// Whether the size came from the catalog because the kernel left the BAR unassigned.
        public var fromCatalog: Bool
    }

    public var terms: [Term]
    /// 64-bit BARs that are declared but unassigned and whose size the catalog does not know.
    public var unknown: [(device: PCIAddress, bar: Int)]
    /// The sum of every counted 64-bit BAR; UInt64.max when it passes that (`exceeds`).
    public var totalBytes: UInt64
    /// Whether the counted BARs sum past UInt64.max (16 EiB): sizes no machine has, so the
    /// `resource` files (or the catalog) are wrong, and no window can be recommended.
    public var exceeds: Bool
    /// The sum in GiB rounded up to a power of two.
    public var barRuleGB: UInt64
    /// GPU count × GPU memory (GiB) rounded up to a power of two; nil when a GPU's memory is
    /// unknown.
    public var memoryRuleGB: UInt64?
    /// The larger of the two rules.
    public var recommendedGB: UInt64 { max(barRuleGB, memoryRuleGB ?? 0) }

    public static func == (lhs: MMIOSizing, rhs: MMIOSizing) -> Bool {
        lhs.terms == rhs.terms && lhs.unknown.elementsEqual(rhs.unknown, by: { $0 == $1 })
            && lhs.totalBytes == rhs.totalBytes && lhs.exceeds == rhs.exceeds && lhs.barRuleGB == rhs.barRuleGB && lhs.memoryRuleGB == rhs.memoryRuleGB
    }

    /// Sizes `devices`' 64-bit BARs: assigned ones from `resource`, unassigned ones (declared in
    /// config space, no window) from `catalogSize`. `memoryGiB` gives each GPU's memory for the
    /// guides' rule.
    public static func compute(
        devices: [NVIDIADevice], catalogSize: (NVIDIADevice, Int) -> UInt64?, memoryGiB: (NVIDIADevice) -> Int?
    ) -> MMIOSizing {
        var terms: [Term] = []
        var unknown: [(device: PCIAddress, bar: Int)] = []
        for device in devices {
            for bar in device.bars where bar.isAssigned && bar.isMemory && bar.is64Bit {
                terms.append(Term(device: device.address, bar: bar.index, bytes: bar.size, fromCatalog: false))
            }
            for declared in device.unassignedBARs where declared.isMemory && declared.is64Bit {
                if let bytes = catalogSize(device, declared.index) {
                    terms.append(Term(device: device.address, bar: declared.index, bytes: bytes, fromCatalog: true))
                } else {
                    unknown.append((device.address, declared.index))
                }
            }
        }
        // The sizes are input (sysfs): their sum is checked, and saturates past UInt64.max.
        let (total, exceeds) = SaturatingSize.sum(terms.map(\.bytes))
        let gpus = devices.filter(\.isGPU)
        let memories = gpus.map(memoryGiB)
        let memoryRule: UInt64? =
            memories.contains(where: { $0 == nil }) || gpus.isEmpty
            ? nil : powerOfTwo(atLeast: SaturatingSize.sum(memories.map { UInt64(clamping: $0 ?? 0) }).total)
        return MMIOSizing(
            terms: terms, unknown: unknown, totalBytes: total, exceeds: exceeds,
            barRuleGB: powerOfTwo(atLeast: SaturatingSize.ceiling(total, unit: 1 << 30)), memoryRuleGB: memoryRule)
    }

    /// Sizes `devices` with the catalog's figures for unassigned BARs and GPU memory.
    public static func compute(devices: [NVIDIADevice], models: [GPUModel] = GPUCatalog.bundled) -> MMIOSizing {
        func model(_ device: NVIDIADevice) -> GPUModel? {
            GPUCatalog.model(
                deviceID: device.deviceID, subsystemVendor: device.subsystemVendorID,
                subsystemDevice: device.subsystemDeviceID, in: models)
        }
        return compute(
            devices: devices, catalogSize: { device, bar in model(device)?.bar(at: bar)?.size },
            memoryGiB: { model($0)?.memoryGiB })
    }

    /// The smallest power of two ≥ `value` (1 for 0), or 2^63, the largest UInt64 holds, for a
    /// value above it (doubling past 2^63 gave 0 and never ended).
    public static func powerOfTwo(atLeast value: UInt64) -> UInt64 {
        guard value <= 1 << 63 else { return 1 << 63 }
        var result: UInt64 = 1
        while result < value { result <<= 1 }
        return result
    }

    /// `16 MiB`, `64 GiB`, `1.5 GiB`: a byte count as people write BAR sizes.
    public static func describe(bytes: UInt64) -> String {
        let units: [(UInt64, String)] = [
            (1 << 60, "EiB"), (1 << 50, "PiB"), (1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB"),
        ]
        for (size, name) in units where bytes >= size {
            if bytes % size == 0 { return "\(bytes / size) \(name)" }
            // Whole units and the rest apart: `bytes × 10` passes UInt64.max above 1.6 EiB.
            let tenths = bytes / size * 10 + ((bytes % size) * 10 + size / 2) / size
            return "\(tenths / 10).\(tenths % 10) \(name)"
        }
        return "\(bytes) B"
    }
}
