import GuestPrepConfig
import GuestPrepModel
import Testing

private let gib: UInt64 = 1 << 30
private let mib: UInt64 = 1 << 20

/// The bundled catalog against the evidence of issue 19 (reference/evidence/gpu-bars.md and
/// pci.ids at pciutils/pciids c1c12547): which IDs it knows, which entries are measured, and the
/// corrections the evidence asked for.
@Suite struct GPUCatalogEvidenceTests {
    /// Every data-center device ID of Volta and later that pci.ids c1c12547 names with its
    /// memory, and the two workstation boards: the catalog holds exactly these.
    static let pciIDs: Set<UInt16> = [
        0x1db0, 0x1db1, 0x1db2, 0x1db3, 0x1db4, 0x1db5, 0x1db6, 0x1db7, 0x1db8, 0x1df0, 0x1df2, 0x1df5, 0x1df6,
        0x1e35, 0x1e37, 0x1e38, 0x1eb4, 0x1eb8,
        0x20b0, 0x20b1, 0x20b2, 0x20b3, 0x20b5, 0x20b7, 0x20b8, 0x20b9, 0x20bd, 0x20f1, 0x20f3, 0x20f5, 0x20f6, 0x20fd,
        0x2230, 0x2235, 0x2236, 0x2237, 0x25b6,
        0x26b1, 0x26b5, 0x26b7, 0x26b9, 0x26ba, 0x26f5, 0x27b8,
        0x2313, 0x2321, 0x2322, 0x2324, 0x2329, 0x232c, 0x2330, 0x2331, 0x2335, 0x2337, 0x2338, 0x2339, 0x233a,
        0x233b, 0x233d, 0x2342, 0x2348,
        0x2901, 0x2909, 0x2920, 0x2941, 0x29bc, 0x3182, 0x31c2, 0x31c3,
    ]

    @Test func theCatalogHoldsEveryDataCenterIDOfPciIDs() {
        let ids = GPUCatalog.bundled.flatMap(\.deviceIDs)
        #expect(Set(ids) == Self.pciIDs)
        // Only A2 and A16 share an ID, told apart by subsystem.
        var seen: [UInt16: Int] = [:]
        for id in ids { seen[id, default: 0] += 1 }
        #expect(seen.filter { $0.value > 1 }.map(\.key) == [0x25b6])
    }

    /// The issue's second IDs and missing models, each found under its own name.
    @Test(arguments: [
        (0x20b1, "A100 PCIe 40GB"), (0x1df5, "Tesla V100 SXM2 16GB"), (0x1df0, "Tesla V100 PCIe 32GB"),
        (0x2339, "H100 SXM5 94GB"), (0x233d, "H100 96GB"), (0x2909, "HGX B200 168GB"), (0x2237, "A10G"),
        (0x20bd, "A800 SXM4 40GB"), (0x20f5, "A800 PCIe 80GB"), (0x2322, "H800 PCIe"), (0x2324, "H800"),
        (0x2329, "H20"), (0x2335, "H200"), (0x2342, "GH200 480GB"), (0x2348, "GH200 144G HBM3e"), (0x26ba, "L20"),
        (0x26b7, "L20"),
    ] as [(UInt16, String)])
    func issueIDsAreKnown(_ id: UInt16, _ name: String) throws {
        let model = try #require(GPUCatalog.model(deviceID: id, subsystemVendor: 0x10de, subsystemDevice: 0x0000))
        #expect(model.name == name)
        #expect(GPUCatalog.models(deviceIDs: [id]) == [model])
    }

    @Test func a100PCIe40GBUnderItsSecondIDIsTheSameEntry() throws {
        let first = try #require(GPUCatalog.model(deviceID: 0x20f1, subsystemVendor: nil, subsystemDevice: nil))
        let second = try #require(GPUCatalog.model(deviceID: 0x20b1, subsystemVendor: 0x10de, subsystemDevice: 0x145f))
        #expect(first == second)
        #expect(second.deviceIDs == [0x20f1, 0x20b1])
        #expect(second.memoryGiB == 40)
    }

    @Test func measuredEntriesAreThoseWithEvidence() {
        func names(_ evidence: BAREvidence) -> Set<String> {
            Set(GPUCatalog.bundled.filter { $0.barEvidence == evidence }.map(\.name))
        }
        #expect(
            names(.measured) == [
                "Tesla T4", "Tesla V100 SXM2 16GB", "A100 PCIe 40GB", "A100 SXM4 40GB", "A100 SXM4 80GB", "L40S",
                "RTX 6000 Ada Generation", "H100 NVL", "H20", "B200",
            ])
        #expect(
            names(.bar1Measured) == [
                "Tesla V100 PCIe 32GB", "A10", "A40", "A16", "L4", "H100 80GB HBM3", "RTX A6000", "H800", "H200",
            ])
        for model in GPUCatalog.bundled where model.barEvidence == .bar1Measured {
            #expect(model.isSizeMeasured(at: model.framebufferBARIndex), "\(model.name)")
            #expect(!model.isSizeMeasured(at: 0), "\(model.name)")
        }
    }

    /// fastfetch issue 1658 shows an H100 NVL (0x2321), not an H100 PCIe (0x2331).
    @Test func theFastfetchListingIsTheH100NVLs() throws {
        let nvl = try #require(GPUCatalog.bundled.first { $0.name == "H100 NVL" })
        let pcie = try #require(GPUCatalog.bundled.first { $0.name == "H100 PCIe" })
        #expect(nvl.barEvidence == .measured)
        #expect(nvl.barSource.contains("lspci of an H100 NVL") && nvl.barSource.contains("fastfetch issue 1658"))
        #expect(pcie.barEvidence == .estimated)
        #expect(pcie.barSource.contains("no listing of 0x2331 found"))
        #expect(pcie.barSource.contains("as lspci shows an H100 NVL (fastfetch issue 1658)"))
    }

    @Test func blackwellBAR0Is64MiB() throws {
        let b200 = try #require(GPUCatalog.model(deviceID: 0x2901, subsystemVendor: nil, subsystemDevice: nil))
        #expect(b200.bar(at: 0) == GPUModelBAR(index: 0, size: 64 * mib, is64Bit: true, isPrefetchable: true))
        #expect(b200.largeBARBytes == 256 * gib + 96 * mib)
        for model in GPUCatalog.bundled where model.architecture == .blackwell {
            #expect(model.bar(at: 0)?.size == 64 * mib, "\(model.name)")
        }
        for model in GPUCatalog.bundled where model.architecture == .hopper {
            #expect(model.bar(at: 0)?.size == 16 * mib, "\(model.name)")
        }
    }

    @Test func displayModeBoardsHaveTheSmallBAR1() {
        let modal = GPUCatalog.bundled.filter { if case .modeDependent = $0.bar1 { true } else { false } }
        #expect(Set(modal.map(\.name)) == ["RTX A6000", "RTX 6000 Ada Generation", "L40", "L40S", "A40"])
        for model in modal {
            #expect(model.bar1 == .modeDependent(displayMode: 256 * mib), "\(model.name)")
            #expect(model.bar(at: 1)?.size == 64 * gib, "\(model.name): the larger size is given")
        }
    }

    @Test func graceCoupledGPUsHaveNoBAR1() {
        let none = GPUCatalog.bundled.filter { $0.bar1 == .none }
        #expect(Set(none.map(\.name)) == ["GH200 480GB", "GH200 144G HBM3e", "GB200", "GB300"])
        for model in none {
            #expect(model.bar(at: model.framebufferBARIndex) == nil, "\(model.name)")
        }
    }
}
