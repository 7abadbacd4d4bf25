import GuestPrepModel

/// The GPU catalog shipped with guestprep: the NVIDIA GPUs it knows by PCI ID, with their BAR
/// layout, memory and driver support. The text is embedded so the binary needs no data files at
/// run time; it is byte for byte `profiles/catalog/gpus.yaml` in the source tree (a test keeps
/// them equal), whose header comment describes every field.
public enum GPUCatalog {
    /// The YAML text of the bundled catalog.
    public static let text = #"""
        # GPU catalog: the NVIDIA GPUs guestprep knows, by PCI ID, with what each asks of the hypervisor's
        # MMIO window and of the driver. guestprep doctor falls back on these figures when the guest cannot
        # see a BAR (the kernel could not assign it), and uses the rest to name the GPU and pick a driver.
        # Every figure is per PCI function: a board with several GPUs (A16: four) shows as that many.
        #
        # gpus is a list; each entry has these fields (any other field is an error):
        #   name                 product name as NVIDIA's driver gives it, without "NVIDIA "; unique.
        #   device-id            PCI device ID (vendor 0x10de), four hex digits: 0x20b5.
        #   subsystems           optional; subsystem vendor:device IDs ("10de:157e") for products that
        #                        share a device ID (A2 and A16 are both 0x25b6). An entry with them wins
        #                        over one without for the same device ID. At most one entry per device ID
        #                        may leave them out, and no subsystem may be listed twice.
        #   architecture         volta, turing, ampere, ada, hopper or blackwell.
        #   memory-gib           GPU memory in GiB as the datasheet gives it ("80GB" is 80); above 0.
        #   bars                 the memory BARs the device declares, each {index, size, type,
        #                        prefetchable}: index 0-5; size a power of two with a unit (KiB, MiB, GiB,
        #                        TiB); type mem32 or mem64 (a mem64 BAR also takes index + 1, so it cannot
        #                        sit at 5 and nothing else may use that slot); prefetchable true or false.
        #                        Before Hopper: BAR0 16 MiB mem32 registers at 0, BAR1 framebuffer
        #                        aperture mem64 at 1 (1-2), BAR3 32 MiB mem64 at 3 (3-4). Hopper and later
        #                        move them to 0, 2 and 4, all mem64.
        #   bar-sizes            measured (read from a real device's lspci, sysfs resource or kernel log,
        #                        or its Windows resource list) or estimated (inferred; see source).
        #   source               where the BAR figures come from, in a line.
        #   open-kernel-modules  unsupported (proprietary modules only: Volta and older), supported
        #                        (Turing to Hopper) or required (Blackwell and later).
        #   last-driver-branch   optional; the last driver branch that supports the GPU (Volta: 580).
        #                        Absent while current branches support it.
        #
        # BAR1 is sized by the board's firmware, not by the GPU chip: data-center boards of Ampere and later
        # make it at least their memory, rounded up to a power of two; Turing and workstation boards in
        # their default display mode keep it at 256 MiB. An estimated BAR1 follows that rule; where two
        # sizes are possible the larger is given, so MMIO advice built on it errs towards enough.
        gpus:
          - name: Tesla T4
            device-id: 0x1eb8
            architecture: turing
            memory-gib: 16
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 256 MiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: measured
            source: lspci -vvv of a T4 (10de:12a2) in cloud-hypervisor issue 434
            open-kernel-modules: supported

          - name: Tesla V100 PCIe 16GB
            device-id: 0x1db4
            architecture: volta
            memory-gib: 16
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 16 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: same GV100 board firmware as the V100 SXM2 16GB, whose BARs were measured
            open-kernel-modules: unsupported
            last-driver-branch: 580

          - name: Tesla V100 PCIe 32GB
            device-id: 0x1db6
            architecture: volta
            memory-gib: 32
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 32 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: V100 16GB's measured layout with BAR1 equal to the 32 GB memory
            open-kernel-modules: unsupported
            last-driver-branch: 580

          - name: Tesla V100 SXM2 16GB
            device-id: 0x1db1
            architecture: volta
            memory-gib: 16
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 16 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: measured
            source: Hyper-V DDA guide (reference), Device Manager ranges 16 MB 32-bit, 16384 + 32 MB 64-bit
            open-kernel-modules: unsupported
            last-driver-branch: 580

          - name: Tesla V100 SXM2 32GB
            device-id: 0x1db5
            architecture: volta
            memory-gib: 32
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 32 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: V100 16GB's measured layout with BAR1 equal to the 32 GB memory
            open-kernel-modules: unsupported
            last-driver-branch: 580

          - name: Tesla V100S PCIe 32GB
            device-id: 0x1df6
            architecture: volta
            memory-gib: 32
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 32 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: V100 16GB's measured layout with BAR1 equal to the 32 GB memory
            open-kernel-modules: unsupported
            last-driver-branch: 580

          - name: A2
            device-id: 0x25b6
            subsystems: [10de:157e]
            architecture: ampere
            memory-gib: 16
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 16 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: Ampere data-center layout, BAR1 the 16 GB memory; IDs from NVIDIA's supported-GPU table
            open-kernel-modules: supported

          - name: A16
            device-id: 0x25b6
            subsystems: [10de:14a9]
            architecture: ampere
            memory-gib: 16
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 16 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: Ampere data-center layout, BAR1 the 16 GB of one of the board's four GPUs
            open-kernel-modules: supported

          - name: A10
            device-id: 0x2236
            architecture: ampere
            memory-gib: 24
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 32 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: Ampere data-center layout, BAR1 the 24 GB memory rounded up to a power of two
            open-kernel-modules: supported

          - name: A30
            device-id: 0x20b7
            architecture: ampere
            memory-gib: 24
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 32 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: Ampere data-center layout, BAR1 the 24 GB memory rounded up to a power of two
            open-kernel-modules: supported

          - name: A40
            device-id: 0x2235
            architecture: ampere
            memory-gib: 48
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 64 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: Ampere data-center layout (ships with its display outputs off), BAR1 48 GB rounded up
            open-kernel-modules: supported

          - name: A100 PCIe 40GB
            device-id: 0x20f1
            architecture: ampere
            memory-gib: 40
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 64 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: measured
            source: kernel log reg 0x10/0x14/0x1c of 10de:20f1 (10de:145f) in kata-containers PR 4358
            open-kernel-modules: supported

          - name: A100 SXM4 40GB
            device-id: 0x20b0
            architecture: ampere
            memory-gib: 40
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 64 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: measured
            source: kernel log of 10de:20b0 in an Azure VM, triton-inference-server issue 4154
            open-kernel-modules: supported

          - name: A100 PCIe 80GB
            device-id: 0x20b5
            architecture: ampere
            memory-gib: 80
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 128 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: A100 40GB's measured layout with BAR1 the 80 GB memory rounded up to a power of two
            open-kernel-modules: supported

          - name: A100 SXM4 80GB
            device-id: 0x20b2
            architecture: ampere
            memory-gib: 80
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 128 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: A100 40GB's measured layout with BAR1 the 80 GB memory rounded up to a power of two
            open-kernel-modules: supported

          - name: L4
            device-id: 0x27b8
            architecture: ada
            memory-gib: 24
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 32 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: pre-Hopper layout, BAR1 the 24 GB memory rounded up to a power of two
            open-kernel-modules: supported

          - name: L40
            device-id: 0x26b5
            architecture: ada
            memory-gib: 48
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 64 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: pre-Hopper layout, BAR1 the 48 GB memory rounded up to a power of two
            open-kernel-modules: supported

          - name: L40S
            device-id: 0x26b9
            architecture: ada
            memory-gib: 48
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 64 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: BAR1 48 GB rounded up, unconfirmed; the L40S guide's 128 GB for two cards suggests less
            open-kernel-modules: supported

          - name: H100 PCIe
            device-id: 0x2331
            architecture: hopper
            memory-gib: 80
            bars:
              - {index: 0, size: 16 MiB, type: mem64, prefetchable: true}
              - {index: 2, size: 128 GiB, type: mem64, prefetchable: true}
              - {index: 4, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: Hopper layout as lspci shows an H100 (fastfetch issue 1658) and an H20 (nvtrust 128)
            open-kernel-modules: supported

          - name: H100 NVL
            device-id: 0x2321
            architecture: hopper
            memory-gib: 94
            bars:
              - {index: 0, size: 16 MiB, type: mem64, prefetchable: true}
              - {index: 2, size: 128 GiB, type: mem64, prefetchable: true}
              - {index: 4, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: Hopper layout from H100/H20 lspci listings, BAR1 the 94 GB memory rounded up
            open-kernel-modules: supported

          - name: H100 80GB HBM3
            device-id: 0x2330
            architecture: hopper
            memory-gib: 80
            bars:
              - {index: 0, size: 16 MiB, type: mem64, prefetchable: true}
              - {index: 2, size: 128 GiB, type: mem64, prefetchable: true}
              - {index: 4, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: BAR types from an H100 SXM5 config-space dump (landontclipp.github.io); sizes inferred
            open-kernel-modules: supported

          - name: H200 NVL
            device-id: 0x233b
            architecture: hopper
            memory-gib: 141
            bars:
              - {index: 0, size: 16 MiB, type: mem64, prefetchable: true}
              - {index: 2, size: 256 GiB, type: mem64, prefetchable: true}
              - {index: 4, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: Hopper layout from H100/H20 lspci listings, BAR1 the 141 GB memory rounded up
            open-kernel-modules: supported

          - name: RTX A6000
            device-id: 0x2230
            architecture: ampere
            memory-gib: 48
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 64 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: 256 MiB in display mode (RTX A4000/A2000 lspci); larger with Resizable BAR; larger given
            open-kernel-modules: supported

          - name: RTX 6000 Ada Generation
            device-id: 0x26b1
            architecture: ada
            memory-gib: 48
            bars:
              - {index: 0, size: 16 MiB, type: mem32, prefetchable: false}
              - {index: 1, size: 64 GiB, type: mem64, prefetchable: true}
              - {index: 3, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: 256 MiB in display mode (RTX A4000/A2000 lspci); larger with Resizable BAR; larger given
            open-kernel-modules: supported

          - name: B200
            device-id: 0x2901
            architecture: blackwell
            memory-gib: 180
            bars:
              - {index: 0, size: 16 MiB, type: mem64, prefetchable: true}
              - {index: 2, size: 256 GiB, type: mem64, prefetchable: true}
              - {index: 4, size: 32 MiB, type: mem64, prefetchable: true}
            bar-sizes: estimated
            source: Hopper's index layout assumed, BAR1 the 180 GB memory rounded up; not seen on a device
            open-kernel-modules: required

        """#

    /// The bundled catalog's models, decoded once. The text is part of the program, so a
    /// decoding failure is a programmer error, which the tests catch before it ships.
    public static let bundled: [GPUModel] = {
        do {
            return try GPUCatalogDecoder.decode(text, source: "profiles/catalog/gpus.yaml")
        } catch {
            preconditionFailure("the bundled GPU catalog does not decode: \(error)")
        }
    }()

    /// The bundled models with one of `deviceIDs`, decoded from just their entries: a guest has
    /// a GPU model or two, and decoding all of the catalog is a fifth of `doctor`'s run
    /// (callgrind). The text is cut before each `  - name:` line, the entries whose
    /// `    device-id:` line names a wanted ID are kept, and the result is decoded like the whole;
    /// the tests check that every ID gives what `bundled` gives.
    public static func models(deviceIDs: Set<UInt16>) -> [GPUModel] {
        guard !deviceIDs.isEmpty else { return [] }
        // Entries are found on the bytes: each begins at a line "  - name:", and is kept when
        // its "    device-id: 0x" line names a wanted ID.
        var text = text
        let selected: String = text.withUTF8 { bytes in
            let entryMark = Array("\n  - name:".utf8)
            let idMark = Array("\n    device-id: 0x".utf8)
            func find(_ mark: [UInt8], from: Int, to end: Int) -> Int? {
                var index = from
                while index + mark.count <= end {
                    if bytes[index] == mark[0] && bytes[index..<index + mark.count].elementsEqual(mark) { return index }
                    index += 1
                }
                return nil
            }
            var entries: [Range<Int>] = []
            var start = find(entryMark, from: 0, to: bytes.count)
            while let entryStart = start {
                let next = find(entryMark, from: entryStart + 1, to: bytes.count)
                entries.append(entryStart + 1..<(next ?? bytes.count))
                start = next
            }
            var result = "gpus:\n"
            for entry in entries {
                guard let mark = find(idMark, from: entry.lowerBound - 1, to: entry.upperBound) else { continue }
                var id = 0
                var index = mark + idMark.count
                while index < entry.upperBound, let digit = hexDigit(bytes[index]) {
                    id = id * 16 + digit
                    index += 1
                }
                if let id = UInt16(exactly: id), deviceIDs.contains(id) {
                    result += String(decoding: UnsafeBufferPointer(rebasing: bytes[entry]), as: UTF8.self)
                    if result.utf8.last != UInt8(ascii: "\n") { result += "\n" }
                }
            }
            return result
        }
        guard selected != "gpus:\n" else { return [] }
        do {
            return try GPUCatalogDecoder.decode(selected, source: "profiles/catalog/gpus.yaml")
        } catch {
            preconditionFailure("the bundled GPU catalog's entries do not decode: \(error)")
        }
    }

    private static func hexDigit(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The model of a GPU with PCI device ID `deviceID` and, when known, the subsystem IDs of
    /// its config space, or nil when `models` has none.
    ///
    /// An entry that lists the function's subsystem wins over one that lists no subsystems for
    /// the same device ID; an entry that lists only other subsystems never matches, since they
    /// name a different product (A2 is not A16).
    public static func model(
        deviceID: UInt16, subsystemVendor: UInt16?, subsystemDevice: UInt16?, in models: [GPUModel] = bundled
    ) -> GPUModel? {
        let candidates = models.filter { $0.deviceID == deviceID }
        if let vendor = subsystemVendor, let device = subsystemDevice {
            let subsystem = PCISubsystem(vendor: vendor, device: device)
            if let match = candidates.first(where: { $0.subsystems.contains(subsystem) }) { return match }
        }
        return candidates.first { $0.subsystems.isEmpty }
    }
}
