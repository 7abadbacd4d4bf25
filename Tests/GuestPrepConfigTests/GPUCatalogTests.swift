import Foundation
import GuestPrepConfig
import GuestPrepModel
import Testing

/// The repository's GPU catalog file, found from this file's path.
private let catalogFile = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("profiles/catalog/gpus.yaml")

/// Whether `architecture` lays its BARs out at 0, 2 and 4 (Hopper and later).
private func hasHopperLayout(_ architecture: GPUArchitecture) -> Bool {
    architecture == .hopper || architecture == .blackwell
}

private let gib: UInt64 = 1 << 30
private let mib: UInt64 = 1 << 20

/// The reason of the `malformed` error decoding `yaml` throws, or nil when it throws nothing.
private func failure(_ yaml: String) -> String? {
    do {
        _ = try GPUCatalogDecoder.decode(yaml, source: "test.yaml")
        return nil
    } catch {
        guard case .malformed(let what, let reason) = error, what == "test.yaml" else { return "\(error)" }
        return reason
    }
}

/// A catalog of one valid A100-like entry named `name`, with `extra` lines added to the entry
/// and `bars` in place of its BAR list.
private func catalog(
    name: String = "Test GPU", deviceID: String = "0x20f1", extra: String = "",
    bars: String = """
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 64 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
        """
) -> String {
    """
    gpus:
      - name: \(name)
        device-ids: [\(deviceID)]
        architecture: ampere
        memory-gib: 40
        bars:
    \(bars)
        bar-sizes: estimated
        source: a test
        open-kernel-modules: supported
    \(extra)
    """
}

@Suite struct GPUCatalogTests {
    /// SwiftPM embeds the file through the link Sources/GuestPrepConfig/profiles: this fails if
    /// the link or the resource list in Package.swift points elsewhere.
    @Test func embeddedTextIsTheFileByteForByte() throws {
        let file = try Data(contentsOf: catalogFile)
        let identical = Array(file) == Array(GPUCatalog.text.utf8)
        #expect(identical, "the embedded GPUCatalog.text differs from profiles/catalog/gpus.yaml")
    }

    @Test func bundledCatalogDecodes() throws {
        let models = try GPUCatalogDecoder.decode(GPUCatalog.text, source: "profiles/catalog/gpus.yaml")
        #expect(models == GPUCatalog.bundled)
        #expect(Set(models.map(\.name)).count == models.count)
        for model in models {
            #expect(!model.barSource.isEmpty)
            #expect(model.bars.map(\.index) == model.bars.map(\.index).sorted())
            // BAR1 (the framebuffer aperture) is the largest BAR of every GPU that has one.
            if model.bar1 != .none {
                #expect(model.bars.max { $0.size < $1.size }?.index == (hasHopperLayout(model.architecture) ? 2 : 1))
            }
        }
    }

    @Test(arguments: [
        "Tesla T4", "Tesla V100 PCIe 16GB", "Tesla V100 PCIe 32GB", "Tesla V100 SXM2 16GB",
        "Tesla V100 SXM2 32GB", "Tesla V100S PCIe 32GB", "A2", "A16", "A10", "A30", "A40", "A100 PCIe 40GB",
        "A100 SXM4 40GB", "A100 PCIe 80GB", "A100 SXM4 80GB", "L4", "L40", "L40S", "H100 PCIe", "H100 NVL",
        "H200 NVL", "RTX A6000", "RTX 6000 Ada Generation",
    ])
    func everyModelOfTheIssueIsPresent(_ name: String) throws {
        let model = try #require(GPUCatalog.bundled.first { $0.name == name })
        #expect(GPUCatalog.model(deviceID: model.deviceID, subsystemVendor: model.subsystems.first?.vendor,
            subsystemDevice: model.subsystems.first?.device) == model)
    }

    @Test func a2AndA16AreToldApartBySubsystem() throws {
        let a2 = GPUCatalog.model(deviceID: 0x25b6, subsystemVendor: 0x10de, subsystemDevice: 0x157e)
        let a16 = GPUCatalog.model(deviceID: 0x25b6, subsystemVendor: 0x10de, subsystemDevice: 0x14a9)
        #expect(a2?.name == "A2")
        #expect(a16?.name == "A16")
        // Another subsystem, or none, does not say which of the two it is.
        #expect(GPUCatalog.model(deviceID: 0x25b6, subsystemVendor: 0x10de, subsystemDevice: 0x0001) == nil)
        #expect(GPUCatalog.model(deviceID: 0x25b6, subsystemVendor: nil, subsystemDevice: nil) == nil)
        #expect(GPUCatalog.model(deviceID: 0xffff, subsystemVendor: nil, subsystemDevice: nil) == nil)
    }

    @Test func subsystemMatchWinsOverAnEntryWithoutSubsystems() throws {
        let yaml = catalog(name: "Plain", extra: """
              - name: Special
                device-ids: [0x20f1]
                subsystems: ["10de:1234"]
                architecture: ampere
                memory-gib: 80
                bars: [{index: 0, size: 16 MiB, type: mem32, prefetchable: false}]
                bar-sizes: measured
                source: a test
                open-kernel-modules: supported
            """)
        let models = try GPUCatalogDecoder.decode(yaml, source: "test.yaml")
        func name(_ vendor: UInt16?, _ device: UInt16?) -> String? {
            GPUCatalog.model(deviceID: 0x20f1, subsystemVendor: vendor, subsystemDevice: device, in: models)?.name
        }
        #expect(name(0x10de, 0x1234) == "Special")
        #expect(name(0x10de, 0x145f) == "Plain")
        #expect(name(nil, nil) == "Plain")
        #expect(models[1].subsystems == [PCISubsystem(vendor: 0x10de, device: 0x1234)])
        #expect(models[1].subsystems.first?.description == "10de:1234")
    }

    @Test func hopperUsesBARIndices024() throws {
        let hopper = GPUCatalog.bundled.filter { hasHopperLayout($0.architecture) }
        #expect(Set(hopper.map(\.name)).isSuperset(of: ["H100 PCIe", "H100 NVL", "H200 NVL"]))
        for model in hopper {
            #expect(model.bars.map(\.index) == (model.bar1 == .none ? [0] : [0, 2, 4]), "\(model.name)")
            #expect(model.bars.allSatisfy { $0.is64Bit }, "\(model.name)")
            #expect(model.total32BitBARBytes == 0)
        }
        let h100 = try #require(GPUCatalog.model(deviceID: 0x2331, subsystemVendor: 0x10de, subsystemDevice: 0x1626))
        #expect(h100.bar(at: 2)?.size == 128 * gib)
        #expect(h100.largeBARBytes == 128 * gib + 32 * mib + 16 * mib)
    }

    @Test func preHopperUsesBARIndices013() throws {
        for model in GPUCatalog.bundled where !hasHopperLayout(model.architecture) {
            #expect(model.bars.map(\.index) == [0, 1, 3], "\(model.name)")
            #expect(model.bar(at: 0) == GPUModelBAR(index: 0, size: 16 * mib, is64Bit: false, isPrefetchable: false))
            #expect(model.bar(at: 3)?.size == 32 * mib)
        }
        let a100 = try #require(GPUCatalog.model(deviceID: 0x20f1, subsystemVendor: nil, subsystemDevice: nil))
        #expect(a100.name == "A100 PCIe 40GB")
        #expect(a100.barEvidence == .measured)
        #expect(a100.largeBARBytes == 64 * gib + 32 * mib)
        #expect(a100.total32BitBARBytes == 16 * mib)
    }

    @Test func voltaEndsWithBranch580AndHasNoOpenModules() throws {
        let volta = GPUCatalog.bundled.filter { $0.architecture == .volta }
        #expect(volta.count == 10)
        for model in volta {
            #expect(model.lastDriverBranch == 580, "\(model.name)")
            #expect(model.openKernelModules == .unsupported, "\(model.name)")
        }
        for model in GPUCatalog.bundled where model.architecture != .volta {
            #expect(model.lastDriverBranch == nil, "\(model.name)")
            #expect(model.openKernelModules == (model.architecture == .blackwell ? .required : .supported))
        }
    }

    @Test func decodesEveryField() throws {
        let models = try GPUCatalogDecoder.decode(catalog(extra: "    last-driver-branch: 535"), source: "test.yaml")
        #expect(
            models == [
                GPUModel(
                    name: "Test GPU", deviceIDs: [0x20f1], architecture: .ampere, memoryGiB: 40,
                    bars: [
                        GPUModelBAR(index: 0, size: 16 * mib, is64Bit: false, isPrefetchable: false),
                        GPUModelBAR(index: 1, size: 64 * gib, is64Bit: true, isPrefetchable: true),
                        GPUModelBAR(index: 3, size: 32 * mib, is64Bit: true, isPrefetchable: true),
                    ],
                    barEvidence: .estimated, barSource: "a test", openKernelModules: .supported,
                    lastDriverBranch: 535)
            ])
        let extra = "    bar1: {display-mode: 256 MiB}"
        let modes = try GPUCatalogDecoder.decode(
            catalog(deviceID: "0x20f1, 0x20b1", extra: extra).replacingOccurrences(of: "estimated", with: "bar1-measured"),
            source: "test.yaml")
        #expect(modes.first?.deviceIDs == [0x20f1, 0x20b1])
        #expect(modes.first?.deviceID == 0x20f1)
        #expect(modes.first?.barEvidence == .bar1Measured)
        #expect(modes.first?.bar1 == .modeDependent(displayMode: 256 * mib))
        #expect(modes.first?.isSizeMeasured(at: 1) == true)
        #expect(modes.first?.isSizeMeasured(at: 0) == false)
    }

    // MARK: - Bad input: each message names the line, the entry and the field

    @Test func unknownFieldIsNamed() throws {
        let reason = try #require(failure(catalog(extra: "    memory-gb: 40")))
        #expect(reason.contains("line 13: entry 'Test GPU': unknown field 'memory-gb'"))
    }

    @Test func duplicateDeviceIDIsNamed() throws {
        let second = catalog(name: "Second").replacingOccurrences(of: "gpus:\n", with: "")
        let reason = try #require(failure(catalog(name: "First") + "\n" + second))
        #expect(reason.contains("entry 'Second': field 'device-ids': 0x20f1 is also a device ID of 'First' (line 2)"))
        // A second ID of one entry counts as much as the first.
        let third = catalog(name: "Third", deviceID: "0x20b5, 0x20b1").replacingOccurrences(of: "gpus:\n", with: "")
        let again = try #require(failure(catalog(name: "First", deviceID: "0x20f1, 0x20b1") + "\n" + third))
        #expect(again.contains("entry 'Third': field 'device-ids': 0x20b1 is also a device ID of 'First' (line 2)"))
    }

    @Test func sharedSubsystemIsNamed() throws {
        let second = catalog(name: "Second", extra: "    subsystems: [10de:157e]")
            .replacingOccurrences(of: "gpus:\n", with: "")
        let reason = try #require(failure(catalog(name: "First", extra: "    subsystems: [10de:157e]") + "\n" + second))
        #expect(reason.contains("entry 'Second': field 'subsystems': 10de:157e of device 0x20f1 is also listed by 'First'"))
    }

    @Test func sizeNotAPowerOfTwoIsNamed() throws {
        let reason = try #require(
            failure(catalog(bars: "      - {index: 1, size: 48 GiB, type: mem64, prefetchable: true}")))
        #expect(reason.contains("line 7: entry 'Test GPU': field 'bars': BAR 1 has size '48 GiB', which is not a power of two"))
    }

    @Test(arguments: ["16", "16MiB", "16 MB", "0 MiB", "sixteen MiB", "99999999999 TiB"])
    func sizeWithoutAUnitIsNamed(_ size: String) throws {
        let reason = try #require(
            failure(catalog(bars: "      - {index: 0, size: \(size), type: mem32, prefetchable: false}")))
        #expect(reason.contains("entry 'Test GPU': field 'bars': BAR 0 has size '\(size)': write a number and a unit"))
    }

    @Test func barIndex6IsNamed() throws {
        let reason = try #require(
            failure(catalog(bars: "      - {index: 6, size: 16 MiB, type: mem32, prefetchable: false}")))
        #expect(reason.contains("entry 'Test GPU': field 'bars': BAR 6 has index '6': a BAR index is 0 to 5"))
    }

    @Test func overlapping64BitBARIsNamed() throws {
        let bars = """
                  - {index: 1, size: 64 GiB, type: mem64, prefetchable: true}
                  - {index: 2, size: 32 MiB, type: mem32, prefetchable: false}
            """
        let reason = try #require(failure(catalog(bars: bars)))
        #expect(
            reason.contains(
                "line 8: entry 'Test GPU': field 'bars': BAR 2 overlaps the upper half of the 64-bit BAR 1"))
    }

    @Test func sixtyFourBitBARBeforeItsNeighbourIsNamed() throws {
        let bars = """
                  - {index: 3, size: 32 MiB, type: mem32, prefetchable: false}
                  - {index: 2, size: 64 GiB, type: mem64, prefetchable: true}
            """
        let reason = try #require(failure(catalog(bars: bars)))
        #expect(reason.contains("field 'bars': the 64-bit BAR 2 needs index 3 for its upper half, but BAR 3 is there"))
    }

    @Test func sixtyFourBitBARAt5IsNamed() throws {
        let reason = try #require(
            failure(catalog(bars: "      - {index: 5, size: 32 MiB, type: mem64, prefetchable: true}")))
        #expect(reason.contains("field 'bars': BAR 5 is mem64, but a 64-bit BAR needs index + 1"))
    }

    @Test func barGivenTwiceIsNamed() throws {
        let bars = """
                  - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
                  - {index: 0, size: 32 MiB, type: mem32, prefetchable: false}
            """
        let reason = try #require(failure(catalog(bars: bars)))
        #expect(reason.contains("line 8: entry 'Test GPU': field 'bars': BAR 0 is given twice"))
    }

    @Test func oversized32BitBARIsNamed() throws {
        let reason = try #require(
            failure(catalog(bars: "      - {index: 0, size: 4 GiB, type: mem32, prefetchable: false}")))
        #expect(reason.contains("field 'bars': BAR 0 is mem32 but 4 GiB: a 32-bit BAR is at most 2 GiB"))
    }

    @Test(arguments: ["0x20g1", "0x20f", "0x020f1", "8433", "'20f1'", "A100"])
    func badDeviceIDIsNamed(_ id: String) throws {
        let reason = try #require(failure(catalog(deviceID: id)))
        #expect(reason.contains("line 3: entry 'Test GPU': field 'device-ids':"))
        #expect(reason.contains("is not a PCI device ID: write 0x and four hex digits"))
    }

    @Test func deviceIDGivenTwiceOrNotAListIsNamed() throws {
        let twice = try #require(failure(catalog(deviceID: "0x20f1, 0x20f1")))
        #expect(twice.contains("line 3: entry 'Test GPU': field 'device-ids': 0x20f1 is listed twice"))
        let scalar = try #require(failure(catalog().replacingOccurrences(of: "[0x20f1]", with: "0x20f1")))
        #expect(scalar.contains("line 3: entry 'Test GPU': field 'device-ids' must be a list of PCI device IDs"))
        let old = try #require(failure(catalog().replacingOccurrences(of: "device-ids: [0x20f1]", with: "device-id: 0x20f1")))
        #expect(old.contains("entry 'Test GPU': unknown field 'device-id'"))
    }

    @Test(arguments: [
        ("    bar1: some", "field 'bar1' must be none or a mapping with the one field display-mode, not the string 'some'"),
        ("    bar1: {display-mode: 300 MiB}", "field 'bar1': display-mode '300 MiB' is not a power of two with a unit"),
        ("    bar1: {display: 256 MiB}", "field 'bar1' must be none or a mapping with the one field display-mode"),
        ("    bar1: {display-mode: 64 GiB}", "field 'bar1': the display-mode size must be below the size of BAR 1, the framebuffer BAR of ampere, which bars gives as no larger"),
        ("    bar1: none", "field 'bar1': none, but bars lists BAR 1, the framebuffer BAR of ampere"),
    ])
    func badBAR1IsNamed(_ line: String, _ message: String) throws {
        let reason = try #require(failure(catalog(extra: line)))
        #expect(reason.contains("entry 'Test GPU': \(message)"), "\(reason)")
    }

    @Test func bar1MeasuredWithoutAFramebufferBARIsNamed() throws {
        let yaml = catalog(bars: "      - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}")
            .replacingOccurrences(of: "estimated", with: "bar1-measured")
        let reason = try #require(failure(yaml))
        #expect(reason.contains("entry 'Test GPU': field 'bar-sizes': bar1-measured, but bars lists no BAR 1"))
        // With bar1: none the same BARs are a GPU without BAR1 (GH200).
        let none = try GPUCatalogDecoder.decode(
            catalog(extra: "    bar1: none", bars: "      - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}"),
            source: "test.yaml")
        #expect(none.first?.bar1 == BAR1Behaviour.none)
    }

    @Test(arguments: ["[10de:15zz]", "[10de157e]", "[0x10de:0x157e]", "[]", "10de:157e"])
    func badSubsystemIsNamed(_ subsystems: String) throws {
        let reason = try #require(failure(catalog(extra: "    subsystems: \(subsystems)")))
        #expect(reason.contains("entry 'Test GPU': field 'subsystems'"))
    }

    @Test func badValuesAreAllReportedTogether() throws {
        var yaml = catalog(extra: "    last-driver-branch: latest")
        yaml = yaml.replacingOccurrences(of: "ampere", with: "kepler")
        yaml = yaml.replacingOccurrences(of: "memory-gib: 40", with: "memory-gib: 0")
        yaml = yaml.replacingOccurrences(of: "estimated", with: "guessed")
        yaml = yaml.replacingOccurrences(of: "open-kernel-modules: supported", with: "open-kernel-modules: yes")
        let reason = try #require(failure(yaml))
        let expected = [
            "line 4: entry 'Test GPU': field 'architecture' must be one of volta, turing, ampere, ada, hopper, blackwell",
            "line 5: entry 'Test GPU': field 'memory-gib' must be a whole number above 0",
            "line 10: entry 'Test GPU': field 'bar-sizes' must be one of measured, bar1-measured, estimated, not the string 'guessed'",
            "line 12: entry 'Test GPU': field 'open-kernel-modules' must be one of unsupported, supported, required",
            "line 13: entry 'Test GPU': field 'last-driver-branch' must be a whole number above 0",
        ]
        for message in expected {
            #expect(reason.contains(message), "\(message)")
        }
    }

    @Test func missingFieldsAreNamed() throws {
        let reason = try #require(failure("gpus:\n  - name: Bare\n    device-ids: [0x1234]\n"))
        #expect(
            reason
                == "line 2: entry 'Bare': missing fields 'architecture', 'memory-gib', 'bars', 'bar-sizes', 'source',"
                + " 'open-kernel-modules'")
    }

    @Test func duplicateNameIsNamed() throws {
        let second = catalog(deviceID: "0x20b0").replacingOccurrences(of: "gpus:\n", with: "")
        let reason = try #require(failure(catalog() + "\n" + second))
        #expect(reason.contains("entry 'Test GPU': name 'Test GPU' is used twice (first on line 2)"))
    }

    @Test(arguments: [
        ("", "the catalog is empty"),
        ("- a\n", "the catalog must be a mapping with the field gpus, not a list"),
        ("gpus: []\n", "gpus must be a list of GPU entries, not an empty list"),
        ("gpu: []\n", "unknown field 'gpu': the catalog has only the field gpus; missing field 'gpus'"),
        ("gpus:\n  - just text\n", "line 2: entry 1 must be a mapping of the GPU's fields, not the string 'just text'"),
        ("gpus: [\n", "invalid YAML: line 2, column 1: did not find expected node content (while parsing a flow node on line 2, column 1)"),
        ("gpus:\n  - name: A\n    name: B\n", "invalid YAML: line 3, column 5: duplicate key 'name' (first on line 2, column 5)"),
    ])
    func malformedDocumentsAreNamed(_ yaml: String, _ message: String) throws {
        let reason = try #require(failure(yaml))
        #expect(reason.contains(message), "\(reason)")
    }

    /// With device IDs, only the entries listing one are decoded; an entry whose IDs cannot be
    /// read is decoded anyway, so its problems are still named.
    @Test func aDecodeForSomeDeviceIDsSkipsTheOtherEntries() throws {
        let second = catalog(name: "Second", deviceID: "0x20b0, 0x20b2").replacingOccurrences(of: "gpus:\n", with: "")
        let yaml = catalog(name: "First") + "\n" + second
        let models = try GPUCatalogDecoder.decode(yaml, source: "test.yaml", deviceIDs: [0x20b2])
        #expect(models.map(\.name) == ["Second"])
        #expect(try GPUCatalogDecoder.decode(yaml, source: "test.yaml", deviceIDs: [0x1234]).isEmpty)
        let broken = catalog(name: "Broken").replacingOccurrences(of: "[0x20f1]", with: "0x20f1")
        #expect(throws: GuestPrepError.self) { try GPUCatalogDecoder.decode(broken, source: "test.yaml", deviceIDs: [0x20b2]) }
    }

    /// `models(deviceIDs:)` gives exactly what the whole catalog gives for those IDs, one ID at
    /// a time and all together.
    @Test func aSubsetByDeviceIDEqualsTheWholeCatalogFiltered() {
        let all = GPUCatalog.bundled
        for id in Set(all.flatMap(\.deviceIDs)) {
            #expect(GPUCatalog.models(deviceIDs: [id]) == all.filter { $0.deviceIDs.contains(id) }, "device ID \(id)")
        }
        #expect(GPUCatalog.models(deviceIDs: Set(all.map(\.deviceID))) == all)
        #expect(GPUCatalog.models(deviceIDs: [0x20b1, 0x2342]).map(\.name) == ["A100 PCIe 40GB", "GH200 480GB"])
        #expect(GPUCatalog.models(deviceIDs: [0x0001]).isEmpty)
        #expect(GPUCatalog.models(deviceIDs: []).isEmpty)
    }
}
