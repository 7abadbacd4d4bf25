import GuestPrepConfig
import GuestPrepModel

/// Turns what the guest sees of its GPUs (`GPUEnvironment`) into findings, each with its
/// evidence and the fix for the hypervisor DMI names. Pure: values in, values out.
///
/// The rules come from the seed guides (reference/): BARs that do not fit the VM's MMIO window,
/// BIOS firmware where BAR1s total more than 256 MB, memory below 1.5 × the GPUs' memory,
/// nouveau in the way, Secure Boot and unsigned modules.
public struct GPUDoctor: Sendable {
    public let environment: GPUEnvironment
    public let models: [GPUModel]
    /// The VM's role: whether "no GPU" is a fault (a server, a passthrough VM) or by design (a
    /// Bitfusion client).
    public let role: GPURole

    public init(environment: GPUEnvironment, models: [GPUModel] = GPUCatalog.bundled, role: GPURole = .unknown) {
        self.environment = environment
        self.models = models
        self.role = role
    }

    /// The catalog's entry for a device, nil when it is not catalogued.
    public func model(of device: NVIDIADevice) -> GPUModel? {
        GPUCatalog.model(
            deviceID: device.deviceID, subsystemVendor: device.subsystemVendorID,
            subsystemDevice: device.subsystemDeviceID, in: models)
    }

    /// `0000:0b:00.0 (A100 PCIe 80GB)`.
    func label(_ device: NVIDIADevice) -> String {
        "\(device.address) (\(model(of: device)?.name ?? (device.isNVSwitch ? "NVSwitch" : "NVIDIA 10de:\(hex4(device.deviceID))")))"
    }

    /// The 64-bit MMIO sizing of every NVIDIA function, with catalog sizes for unassigned BARs
    /// and each GPU's memory as `gpuMemory(of:)` gives it for the guides' rule.
    public var sizing: MMIOSizing {
        MMIOSizing.compute(
            devices: environment.devices, catalogSize: { device, bar in model(of: device)?.bar(at: bar)?.size },
            memoryGiB: { gpuMemory(of: $0)?.gib })
    }

    /// Where a GPU's memory figure comes from.
    public enum MemorySource: Sendable, Equatable {
        /// The GPU catalog's datasheet figure.
        case catalog
        /// The loaded driver's total (`GPUEnvironment.driverMemorySource`: NVML), for a GPU
        /// the catalog does not know, in bytes.
        case driver(bytes: UInt64)
    }

    /// A GPU's memory in whole GiB and where it comes from: the catalog's figure, else what the
    /// loaded driver reports rounded up to a GiB; nil when neither knows.
    public func gpuMemory(of device: NVIDIADevice) -> (gib: Int, source: MemorySource)? {
        if let model = model(of: device) { return (model.memoryGiB, .catalog) }
        guard let bytes = environment.driverMemory[device.address] else { return nil }
        return (Int(clamping: SaturatingSize.ceiling(bytes, unit: 1 << 30)), .driver(bytes: bytes))
    }

    /// Every finding, the critical ones first; within a level, in the order the checks run.
    public func findings() -> [Finding] {
        var found: [Finding] = []
        let sizing = self.sizing
        if environment.gpus.isEmpty {
            found.append(role.expectsGPU ? noGPU() : noGPUByDesign())
        } else if isVGPUGuest {
            found += vgpuFindings()  // GPUDoctor+VGPU.swift: no passthrough BAR/MMIO/memory rules for vGPUs
        } else {
            found += barSizesOutOfRange(sizing)
            found += unassignedBARs(sizing)
            found += driverTrouble()
            found += nouveau()
            found += firmware(sizing)
            found += secureBoot()
            found += memory()
            found += links()
            found.append(mmioSize(sizing))
            found += bar1DisplayMode(sizing)
            found += catalogNotes()
        }
        if environment.gpus.isEmpty {
            if let why = environment.nouveauLoaded {
                found.append(Finding(.info, code: "nouveau-loaded", summary: "nouveau is loaded (\(why)), though no NVIDIA GPU is visible"))
            }
            found += secureBoot()
        }
        found += nouveauRelease()
        found += inputOutOfRange()
        if let problem = environment.kernelLogProblem {
            found.append(
                Finding(
                    .info, code: "kernel-log-unreadable",
                    summary: "the kernel log was not read, so BAR and driver messages are not part of this report",
                    evidence: [problem]))
        }
        return found.enumerated().sorted { ($0.element.level, $0.offset) < ($1.element.level, $1.offset) }.map(\.element)
    }

    /// Whether any finding is critical: `doctor` exits 1 then.
    public static func hasCritical(_ findings: [Finding]) -> Bool {
        findings.contains { $0.level == .critical }
    }

    // MARK: - No GPU

    /// No GPU on a role that needs none. Still worth a warning when the kernel shows that
    /// Hyper-V had a device to attach and no room for it: something was assigned to this VM.
    func noGPUByDesign() -> Finding {
        let name = role.profile ?? "this role"
        var finding = noGPU()
        if environment.kernelLog.contains(where: { $0.kind == .hypervHighMMIOShort || $0.kind == .hypervLowMMIOShort }) {
            finding.level = .warning
            finding.summary += " (the \(name) role needs no GPU: remove the assignment, or make room as below)"
            return finding
        }
        return Finding(
            .info, code: "no-gpu-by-role",
            summary: "no NVIDIA GPU on the PCI bus, as the \(name) role expects: it uses no GPU of its own (a Bitfusion client uses the servers' GPUs over the network)",
            evidence: [finding.evidence[0], "role: \(name), from \(role.source); its profile runs none of the GPU steps (\(Self.gpuStepList))"])
    }

    static let gpuStepList = GPURole.gpuSteps.sorted().joined(separator: ", ")

    func noGPU() -> Finding {
        let short = environment.kernelLog.filter { $0.kind == .hypervHighMMIOShort || $0.kind == .hypervLowMMIOShort }
        var evidence = ["no function with vendor 0x10de and a display class under /sys/bus/pci/devices"]
        if !short.isEmpty {
            evidence += short.map { "kernel: \($0.message)" }
            let high = short.filter { $0.kind == .hypervHighMMIOShort }.compactMap(\.bytes)
            // The sizes are the kernel log's (input): summed with a check.
            let low = SaturatingSize.sum(short.filter { $0.kind == .hypervLowMMIOShort }.compactMap(\.bytes))
            for need in high {
                evidence.append(
                    "high MMIO needed by one device: \(MMIOAdvice.mixed(need)); hv_pci aligns it to \(MMIOSizing.powerOfTwo(atLeast: MMIOAdvice.gibCeiling(need))) GiB, plus the default 512 MB for the VM's other devices")
            }
            if low.exceeds {
                evidence.append(
                    "the low MMIO sizes in \(GPUEnvironment.kernelLogPath) add up to more than 16 EiB (2^64 bytes), which no device needs: the log is garbled")
            }
            let name = environment.vmName.map(MMIOAdvice.powerShellQuoted) ?? "<VM name>"
            var fix = [
                "Hyper-V host, PowerShell as administrator, with the VM off:",
                "  Set-VM -VMName \(name) -GuestControlledCacheTypes $true",
            ]
            if !high.isEmpty {
                fix.append("  Set-VM -VMName \(name) -HighMemoryMappedIoSpace \(MMIOAdvice.hyperVHighMB(needs: high))MB")
            }
            if low.total > 0, !low.exceeds {
                fix.append("  Set-VM -VMName \(name) -LowMemoryMappedIoSpace \(MMIOAdvice.hyperVLowMB(bytes: low.total) ?? 3072)MB")
            }
            fix.append("then start the VM: the GPU appears on the PCI bus and its BARs get addresses")
            return Finding(
                .critical, code: "no-nvidia-gpu",
                summary: "no NVIDIA GPU on the PCI bus: Hyper-V has no room for the assigned device in the VM's MMIO space",
                evidence: evidence, fix: fix)
        }
        let fix: [String]
        switch environment.hypervisor {
        case .vmware:
            fix = [
                "host: the GPU is enabled for passthrough (Host → Configure → Hardware → PCI Devices) and the host was rebooted after",
                "VM, powered off: Edit Settings → Add New Device → PCI Device → the GPU (DirectPath I/O), then power it on (a guest reboot does not attach it)",
            ]
        case .hyperV:
            fix = [
                "host: Get-VMAssignableDevice -VMName \(environment.vmName.map(MMIOAdvice.powerShellQuoted) ?? "<VM name>") lists the GPU",
                "if not: Dismount-VMHostAssignableDevice -LocationPath <path> -Force, then Add-VMAssignableDevice -VMName <VM name> -LocationPath <path> with the VM off",
            ]
        case .qemu:
            fix = [
                "host: the GPU is bound to vfio-pci (lspci -nnk on the host) and the IOMMU is on (intel_iommu=on or amd_iommu=on, /sys/kernel/iommu_groups not empty)",
                "VM: a <hostdev mode='subsystem' type='pci' managed='yes'> for the GPU in the domain XML (virsh edit), or -device vfio-pci,host=BUS:DEV.FN",
            ]
        case .unknown:
            fix = ["check on the hypervisor that the GPU is assigned to this VM by PCI passthrough"]
        }
        return Finding(
            .critical, code: "no-nvidia-gpu",
            summary: role.profile.map { "no NVIDIA GPU on the PCI bus, and the \($0) role needs one" }
                ?? "no NVIDIA GPU on the PCI bus (no role known: on a Bitfusion client, which needs none, run `guestprep doctor --profile bitfusion-client`)",
            evidence: evidence, fix: fix)
    }

    // MARK: - BARs

    /// The 64-bit window to set, in GB: on ESXi the larger of the BAR rule and the seed guides'
    /// rule (which is ESXi's own advice); elsewhere what the BARs need.
    func recommendedGB(_ sizing: MMIOSizing) -> UInt64 {
        environment.hypervisor == .vmware ? sizing.recommendedGB : sizing.barRuleGB
    }

    /// The window-size settings for the hypervisor, from the sizing.
    func mmioSettings(_ sizing: MMIOSizing) -> [String] {
        MMIOAdvice.settings(
            hypervisor: environment.hypervisor, gigabytes: recommendedGB(sizing), needs: perDeviceNeeds(sizing),
            low32: low32Bytes().total, vmName: environment.vmName)
    }

    /// Each device's 64-bit BAR bytes (Hyper-V gives each its own bus and window), saturated
    /// at UInt64.max like the sizing's total.
    func perDeviceNeeds(_ sizing: MMIOSizing) -> [UInt64] {
        environment.devices.map { device in
            SaturatingSize.sum(sizing.terms.filter { $0.device == device.address }.map(\.bytes)).total
        }.filter { $0 > 0 }
    }

    /// The 32-bit memory BARs of every NVIDIA function, assigned or (from the catalog) not, and
    /// whether their sizes (input: the flags say 32-bit, the sizes are what `resource` says)
    /// sum past UInt64.max.
    func low32Bytes() -> (total: UInt64, exceeds: Bool) {
        SaturatingSize.sum(
            environment.devices.flatMap { device in
                device.bars.filter { $0.isAssigned && $0.isMemory && !$0.is64Bit }.map(\.size)
                    + device.unassignedBARs.filter { $0.isMemory && !$0.is64Bit }.map { model(of: device)?.bar(at: $0.index)?.size ?? 0 }
            })
    }

    /// The memory BARs' sizes in sysfs sum past UInt64.max: no machine has 16 EiB of address
    /// space, so what `resource` says (or a fixture tree under --root) is wrong, and every MMIO
    /// figure made from it with it. Each device's `resource` file is named with its sizes.
    func barSizesOutOfRange(_ sizing: MMIOSizing) -> [Finding] {
        let low32 = low32Bytes()
        guard sizing.exceeds || low32.exceeds else { return [] }
        let kinds = [sizing.exceeds ? "64-bit" : nil, low32.exceeds ? "32-bit" : nil].compactMap { $0 }.joined(separator: " and ")
        var evidence: [String] = []
        var addresses: [String] = []
        for device in environment.devices {
            let bars = device.bars.filter { $0.isAssigned && $0.isMemory }
            guard !bars.isEmpty else { continue }
            addresses.append("\(device.address)")
            evidence.append(
                "\(NVIDIADeviceScanner.pciDevices)/\(device.address)/resource: "
                    + bars.map { "BAR\($0.index) \(MMIOSizing.describe(bytes: $0.size)) (\($0.is64Bit ? "64-bit" : "32-bit"))" }
                    .joined(separator: ", "))
        }
        return [
            Finding(
                .critical, code: "bar-sizes-out-of-range",
                summary: "the \(kinds) memory BARs in sysfs add up to more than 16 EiB (2^64 bytes), which no machine can address: these sizes are not real, nor any MMIO figure made from them",
                evidence: evidence,
                fix: [
                    "compare with the Region lines of lspci -vv -s \(addresses.first ?? "<address>"): sizes like these are no real device's; under --root the fixture tree holds them, on a VM the virtual device reports them (a fault to report to the hypervisor's vendor)"
                ])
        ]
    }

    /// Values the guest's files gave that are out of range (MemTotal past 16 EiB): each names
    /// its file; the checks that need them are left out.
    func inputOutOfRange() -> [Finding] {
        guard !environment.outOfRange.isEmpty else { return [] }
        return [
            Finding(
                .warning, code: "input-out-of-range",
                summary: "a value read from the guest is out of range: the checks that need it are left out",
                evidence: environment.outOfRange,
                fix: ["the kernel writes no such value: under --root the fixture tree holds it; otherwise read the file again and report what it shows"])
        ]
    }

    /// The kernel's lines about `device`: all of them, or only those about one of `bars` (and
    /// those naming no BAR).
    func kernelLines(for device: NVIDIADevice, bars: Set<Int>? = nil) -> [String] {
        environment.kernelLog.filter { event in
            event.device == device.address && (bars == nil || event.bar.map { bars!.contains($0) } ?? true)
        }.map { "kernel: \($0.message)" }
    }

    /// One finding per device with BARs the kernel could not place.
    func unassignedBARs(_ sizing: MMIOSizing) -> [Finding] {
        var found: [Finding] = []
        for device in environment.devices {
            let missing = device.unassignedBARs.filter(\.isMemory)
            guard !missing.isEmpty else { continue }
            let model = model(of: device)
            let names = missing.map { declared in
                let size = (model?.bar(at: declared.index)).map { ", \(MMIOSizing.describe(bytes: $0.size))" } ?? ""
                return "BAR\(declared.index) (\(declared.is64Bit ? "64-bit" : "32-bit")\(size))"
            }
            var evidence = missing.map { declared in
                "config space declares BAR\(declared.index) (\(declared.is64Bit ? "64-bit" : "32-bit")\(declared.isPrefetchable ? " prefetchable" : "")); its line in resource is unassigned"
            }
            if let model, missing.contains(where: { model.bar(at: $0.index) != nil && !model.isSizeMeasured(at: $0.index) }) {
                evidence.append("sizes from the GPU catalog (\(model.barEvidence.rawValue): \(model.barSource))")
            }
            if let model, model.bar1 == .none, missing.contains(where: { $0.index == model.framebufferBARIndex }) {
                evidence.append(
                    "\(model.name) has no BAR1 aperture in the usual sense (nvidia-smi: BAR1 N/A): the catalog gives no size for BAR\(model.framebufferBARIndex)")
            }
            evidence += kernelLines(for: device, bars: Set(missing.map(\.index)))
            var fix: [String] = []
            if missing.contains(where: \.is64Bit) {
                fix = mmioSettings(sizing)
                if environment.firmware == .bios, environment.hypervisor != .hyperV {
                    fix.append("and boot the VM with EFI firmware: see firmware-bios")
                }
            }
            if missing.contains(where: { !$0.is64Bit }) {
                fix.append(
                    "a 32-bit BAR: the VM's MMIO window below 4 GiB is full: give the VM fewer devices"
                        + (environment.hypervisor == .hyperV ? ", or raise -LowMemoryMappedIoSpace" : ""))
                // VMware's vDGA setup (reference/gpu-virtualization-overview.zh.txt): reserve all
                // guest memory, and above 2 GB of memory start the PCI hole at 2048 MB.
                if environment.hypervisor == .vmware, let memory = environment.memTotalBytes, memory > 2 << 30 {
                    fix += [
                        "ESXi (vDGA), with the VM powered off: Edit Settings → Memory: \"Reserve all guest memory (All locked)\"",
                        "  and, the VM having more than 2 GB of memory, VM Options → Advanced → Configuration Parameters: pciHole.start = \"2048\"",
                    ]
                }
            }
            let verb = missing.count == 1 ? "has" : "have"
            found.append(
                Finding(
                    .critical, code: "bar-unassigned", device: device.address,
                    summary: "\(label(device)): \(names.joined(separator: ", ")) \(verb) no address: the VM's MMIO window has no room",
                    evidence: evidence, fix: fix))
        }
        return found
    }

    /// NVRM and probe errors for a GPU whose BARs all have addresses.
    func driverTrouble() -> [Finding] {
        var found: [Finding] = []
        for device in environment.devices where device.unassignedBARs.isEmpty {
            let lines = kernelLines(for: device)
            guard !lines.isEmpty else { continue }
            var fix = ["the driver's own messages above say why; the usual cause is the MMIO window (see esxi/hyperv/kvm settings under mmio-size)"]
            if environment.firmware == .bios { fix.append("and BIOS firmware: boot the VM with EFI") }
            found.append(
                Finding(
                    .critical, code: "driver-probe-failed", device: device.address,
                    summary: "\(label(device)): the kernel log shows the driver failing on it", evidence: lines, fix: fix))
        }
        return found
    }

    // MARK: - nouveau, firmware, Secure Boot, memory, links

    func nouveau() -> [Finding] {
        let bound = environment.gpus.filter { $0.driver == "nouveau" }
        let fix = [
            "guestprep run --stage early (the nouveau step blacklists it, rebuilds the initramfs and unloads it live, or asks for a reboot where it cannot)",
            "by hand: /etc/modprobe.d/blacklist-nouveau.conf with 'blacklist nouveau' and 'options nouveau modeset=0', then update-initramfs -u (Debian/Ubuntu) or dracut --force (RHEL family, SUSE), and reboot",
        ]
        if !bound.isEmpty {
            return [
                Finding(
                    .critical, code: "nouveau-bound",
                    summary: "nouveau drives \(bound.count == 1 ? "a GPU" : "\(bound.count) GPUs"): the NVIDIA driver cannot take \(bound.count == 1 ? "it" : "them")",
                    evidence: bound.map { "\($0.address): driver nouveau" }, fix: fix)
            ]
        }
        if let why = environment.nouveauLoaded {
            return [
                Finding(
                    .warning, code: "nouveau-loaded", summary: "nouveau is loaded (\(why)); it must be blacklisted before the NVIDIA driver is installed",
                    fix: fix)
            ]
        }
        return []
    }

    /// What the nouveau step did about a loaded nouveau, from guestprep's state: unloaded live
    /// (no reboot) or the reason it asked for a reboot.
    func nouveauRelease() -> [Finding] {
        guard let (decision, recorded) = environment.nouveauRelease else { return [] }
        let at = decision.at ?? recorded
        return [
            decision.needed
                ? Finding(
                    .info, code: "nouveau-reboot", summary: "the nouveau step asked for a reboot at \(at) because \(decision.because)",
                    evidence: ["/var/lib/guestprep/state.json: steps.nouveau.reboot"])
                : Finding(
                    .info, code: "nouveau-unloaded-live", summary: "nouveau unloaded live at \(at), without a reboot",
                    evidence: [decision.because, "/var/lib/guestprep/state.json: steps.nouveau.reboot"])
        ]
    }

    /// The seed guide: "If the total BAR1 memory exceeds 256 Mbytes, EFI boot must be enabled."
    func firmware(_ sizing: MMIOSizing) -> [Finding] {
        guard environment.firmware == .bios else { return [] }
        // Each function's largest 64-bit BAR is its framebuffer aperture (BAR1; Hopper: BAR2);
        // a GPU without one (GH200) is left out: the rule is about BAR1s.
        let large = SaturatingSize.sum(
            environment.devices.filter { model(of: $0)?.bar1 != BAR1Behaviour.none }.map { device in
                sizing.terms.filter { $0.device == device.address }.map(\.bytes).max() ?? 0
            }
        ).total
        let evidence = [
            "/sys/firmware/efi does not exist: the VM booted with BIOS firmware",
            "framebuffer BARs (BAR1; Hopper: BAR2) in all: \(MMIOAdvice.mixed(large))",
        ]
        let fix: [String]
        switch environment.hypervisor {
        case .vmware: fix = ["VM, powered off: VM Options → Boot Options → Firmware: EFI (an OS installed under BIOS needs reinstalling, or converting to boot by EFI)"]
        case .hyperV: fix = ["use a Generation 2 VM (EFI); a Generation 1 VM cannot be converted: create a new one with the disk"]
        case .qemu: fix = ["boot the VM with OVMF: libvirt <os firmware='efi'>, or qemu -drive if=pflash with OVMF_CODE.fd"]
        case .unknown: fix = ["boot the VM with EFI firmware"]
        }
        guard large > 256 << 20 else {
            return [Finding(.info, code: "firmware-bios", summary: "the VM boots with BIOS firmware; its BARs fit, but EFI is recommended", evidence: evidence, fix: fix)]
        }
        return [
            Finding(
                .critical, code: "firmware-bios",
                summary: "the VM boots with BIOS firmware, and its GPUs' framebuffer BARs total more than 256 MB: EFI is required",
                evidence: evidence, fix: fix)
        ]
    }

    func secureBoot() -> [Finding] {
        switch environment.secureBoot {
        case true?:
            return [
                Finding(
                    .warning, code: "secure-boot-on",
                    summary: "Secure Boot is on: the kernel loads only signed modules, so the NVIDIA driver must be signed",
                    evidence: ["\(GPUEnvironment.secureBootVariable): 1"],
                    fix: [
                        "use signed modules: Ubuntu's precompiled linux-modules-nvidia-*, SUSE's signed KMP, or on RHEL 10.1 and AlmaLinux 10 the distribution's own signed kmod-nvidia-open",
                        // NVIDIA/yum-packaging-precompiled-kmod, UEFI.md: "Without the key enrolled in the MOK, the nvidia kernel modules will be unable to load."
                        "NVIDIA's precompiled RHEL kmods are signed with NVIDIA's own key, which the shim does not trust: enroll it as a MOK first (mokutil --import with NVIDIA's public_key.der from its CUDA repository, then confirm at the console on the next boot)",
                        "or sign DKMS-built modules with a key enrolled by MOK: mokutil --import <key.der>, then confirm at the console on the next boot",
                        "or turn Secure Boot off in the VM's firmware settings",
                    ])
            ]
        case false?:
            return []
        case nil:
            guard environment.firmware == .efi else { return [] }
            return [Finding(.info, code: "secure-boot-unknown", summary: "EFI boot, but the SecureBoot variable could not be read")]
        }
    }

    /// The seed guide: VM memory at least 1.5 × the GPUs' memory together, each GPU's from the
    /// catalog or, for one it does not know, from the loaded driver (NVML).
    func memory() -> [Finding] {
        guard let total = environment.memTotalBytes else { return [] }
        let memories = environment.gpus.map { gpuMemory(of: $0) }
        guard !memories.isEmpty, !memories.contains(where: { $0 == nil }) else { return [] }
        let gpuGiB = Self.gibTotal(memories.map { $0?.gib })
        let wantedGiB = SaturatingSize.ceiling(SaturatingSize.multiplying(gpuGiB, 3), unit: 2)
        // MemTotal is the configured memory less what the kernel keeps (a few %): allow 5%.
        guard Self.isBelow(total, percent: 95, of: SaturatingSize.multiplying(wantedGiB, 1 << 30)) else { return [] }
        let evidence = ["MemTotal \(MMIOSizing.describe(bytes: total)) (the VM's memory less what the kernel keeps)"]
            + memorySources()
            + ["1.5 × \(gpuGiB) GiB of GPU memory = \(wantedGiB) GiB"]
        let fix: [String]
        switch environment.hypervisor {
        case .vmware:
            fix = ["VM, powered off: Edit Settings → Memory: at least \(wantedGiB) GB, with \"Reserve all guest memory (All locked)\" ticked"]
        case .hyperV:
            fix = ["Set-VMMemory -VMName \(environment.vmName.map(MMIOAdvice.powerShellQuoted) ?? "<VM name>") -DynamicMemoryEnabled $false -StartupBytes \(wantedGiB)GB (DDA needs static memory)"]
        case .qemu:
            fix = ["give the VM at least \(wantedGiB) GiB: libvirt <memory unit='GiB'>\(wantedGiB)</memory>"]
        case .unknown:
            fix = ["give the VM at least \(wantedGiB) GiB of memory"]
        }
        return [
            Finding(
                .warning, code: "memory-below-1.5x-gpu",
                summary: "the VM's memory is below 1.5 × its GPUs' memory (\(wantedGiB) GiB), as the guides recommend",
                evidence: evidence, fix: fix)
        ]
    }

    /// Where each GPU's memory figure comes from, one line per kind of GPU and source:
    /// "GPU memory: 2 × A100 PCIe 40GB, 40 GB each (GPU catalog)".
    func memorySources() -> [String] {
        // (what, figure, source) per GPU; equal neighbours are counted once.
        var groups: [(what: String, figure: String, source: String, count: Int)] = []
        for device in environment.gpus {
            guard let (gib, source) = gpuMemory(of: device) else { continue }
            let line: (what: String, figure: String, source: String)
            switch source {
            case .catalog:
                line = (model(of: device)?.name ?? label(device), "\(gib) GB", "(GPU catalog)")
            case .driver(let bytes):
                line = (
                    label(device), "\(MMIOSizing.describe(bytes: bytes)) → \(gib) GiB",
                    "(\(environment.driverMemorySource ?? "the driver"), the loaded driver: not in the GPU catalog)"
                )
            }
            if let last = groups.last, (last.what, last.figure, last.source) == line {
                groups[groups.count - 1].count += 1
            } else {
                groups.append((line.what, line.figure, line.source, 1))
            }
        }
        return groups.map { group in
            group.count == 1
                ? "GPU memory: \(group.what), \(group.figure) \(group.source)"
                : "GPU memory: \(group.count) × \(group.what), \(group.figure) each \(group.source)"
        }
    }

    func links() -> [Finding] {
        environment.devices.compactMap { device in
            guard let current = device.currentLinkWidth, let maximum = device.maxLinkWidth, current > 0, current < maximum
            else { return nil }
            var evidence = ["current_link_width \(current), max_link_width \(maximum)"]
            if let speed = device.currentLinkSpeed, let top = device.maxLinkSpeed {
                evidence.append("current_link_speed \(speed), max_link_speed \(top) (a lower speed at idle is power saving, not a fault)")
            }
            return Finding(
                .warning, code: "pcie-link-narrow", device: device.address,
                summary: "\(label(device)): the PCIe link runs at x\(current) of x\(maximum): host-to-GPU transfers get at most \(Self.percent(current, of: maximum))% of the bandwidth",
                evidence: evidence,
                fix: ["host: the GPU in a slot wired for x\(maximum) (not a x\(current) slot or riser), and the slot's bifurcation setting in the host BIOS"])
        }
    }

    // MARK: - MMIO size

    /// The 64-bit MMIO window the GPUs need, by both rules, with the arithmetic.
    func mmioSize(_ sizing: MMIOSizing) -> Finding {
        var evidence: [String] = []
        // One line per device kind: "2 × A100 PCIe 40GB: 64 GiB + 32 MiB".
        var groups: [MMIOGroup] = []
        for device in environment.devices {
            let terms = sizing.terms.filter { $0.device == device.address }.sorted { $0.bar < $1.bar }
            guard !terms.isEmpty else { continue }
            let bars = terms.map { "BAR\($0.bar) \(MMIOSizing.describe(bytes: $0.bytes))\($0.fromCatalog ? " (catalog; unassigned)" : "")" }
                .joined(separator: " + ")
            let name = model(of: device)?.name ?? (device.isNVSwitch ? "NVSwitch" : "10de:\(hex4(device.deviceID))")
            if let last = groups.last, last.name == name, last.bars == bars {
                groups[groups.count - 1].count += 1
            } else {
                groups.append(MMIOGroup(name: name, bars: bars, sizes: terms.map(\.bytes), count: 1))
            }
        }
        for group in groups {
            evidence.append("\(group.count) × \(group.name): \(group.bars)")
        }
        for (device, bar) in sizing.unknown {
            evidence.append("\(device) BAR\(bar): unassigned and its size unknown (not in the catalog): the figures below are too low")
        }
        if sizing.exceeds {
            evidence.append("BAR rule: 64-bit BARs \(sumText(groups)) = more than 16 EiB (2^64 bytes): no window holds them")
            return Finding(
                .info, code: "mmio-size",
                summary: "64-bit MMIO for these GPUs: none to recommend, their 64-bit BARs add up to more than 16 EiB (see bar-sizes-out-of-range)",
                evidence: evidence)
        }
        let totalGiB = MMIOAdvice.gibCeiling(sizing.totalBytes)
        evidence.append(
            "BAR rule: 64-bit BARs \(sumText(groups)) = \(MMIOAdvice.mixed(sizing.totalBytes)) → \(totalGiB) GB rounded up to a power of two: \(sizing.barRuleGB)")
        let recommended = recommendedGB(sizing)
        for device in environment.devices {
            guard let model = model(of: device) else { continue }
            if model.bar1 == .none {
                evidence.append(
                    "\(device.address) (\(model.name)): no BAR1 aperture in the usual sense (nvidia-smi: BAR1 N/A): only the BARs sysfs shows count, none from the catalog")
            } else if let seen = displayModeBAR1(device) {
                evidence.append(
                    "\(device.address) (\(model.name)): BAR\(model.framebufferBARIndex) is \(MMIOSizing.describe(bytes: seen)), its display-mode size: this advice assumes what the guest sees (see bar1-display-mode)")
            }
        }
        if environment.hypervisor == .vmware {
            let memories = environment.gpus.compactMap { gpuMemory(of: $0) }
            if let rule = sizing.memoryRuleGB {
                var counts: [(Int, Int)] = []
                for memory in memories.map(\.gib) {
                    if let last = counts.last, last.1 == memory { counts[counts.count - 1].0 += 1 } else { counts.append((1, memory)) }
                }
                let terms = counts.map { "\($0.0) × \($0.1) GB" }.joined(separator: " + ")
                let fromDriver = memories.contains { $0.source != .catalog } ? " (\(environment.driverMemorySource ?? "driver") memory for GPUs not in the catalog)" : ""
                evidence.append(
                    "guides' rule: GPU memory \(terms) = \(Self.gibTotal(memories.map(\.gib))) GB rounded up to a power of two: \(rule)\(fromDriver)")
            } else {
                evidence.append("guides' rule: not computed, a GPU's memory is unknown (not in the catalog, and no driver loaded to ask)")
            }
            let which: String
            if let rule = sizing.memoryRuleGB, rule > sizing.barRuleGB {
                which = "the guides' rule"
            } else if let rule = sizing.memoryRuleGB, rule == sizing.barRuleGB {
                which = "both rules agree"
            } else {
                which = "the BAR rule: the guides' rule alone would be too small"
            }
            evidence.append("recommended: \(recommended) GB (\(which))")
            if let line = placementNote(sizing) { evidence.append(line) }
        }
        var fix = mmioSettings(sizing)
        if environment.hypervisor == .vmware {
            fix += MMIOAdvice.esxiLegacyNotes(totalBytes: sizing.totalBytes)
            fix.append("VM memory: \"Reserve all guest memory (All locked)\": DirectPath I/O requires it")
        }
        if environment.hypervisor == .qemu, let bits = environment.physicalAddressBits, bits < 64,
            (UInt64(1) << bits) / 2
                < SaturatingSize.sum([environment.memTotalBytes ?? 0, SaturatingSize.multiplying(recommended, 1 << 30), 4 << 30]).total
        {
            fix.append(
                "the guest CPU has \(bits) physical address bits (\(MMIOSizing.describe(bytes: UInt64(1) << bits))): pass the host's with -cpu host,host-phys-bits=on (libvirt: <maxphysaddr mode='passthrough'/>) so the window fits")
        }
        return Finding(
            .info, code: "mmio-size",
            summary: "64-bit MMIO for these GPUs: \(recommended) GB (\(MMIOAdvice.mixed(sizing.totalBytes)) of 64-bit BARs)",
            evidence: evidence, fix: fix)
    }

    /// When the guides' rule is below the BAR rule, why in one line: the guides' window holds
    /// the framebuffer BARs at most, and only if the VM's firmware puts every other 64-bit BAR
    /// below 4 GiB (2 × L40S: 128 GB holds the two 64 GiB BAR1s alone, the two 32 MiB BAR3s
    /// must go below 4 GiB; 256 GB holds all of them wherever they go).
    func placementNote(_ sizing: MMIOSizing) -> String? {
        guard let rule = sizing.memoryRuleGB, rule < sizing.barRuleGB, !sizing.exceeds else { return nil }
        let framebuffers = SaturatingSize.sum(
            environment.devices.map { device in sizing.terms.filter { $0.device == device.address }.map(\.bytes).max() ?? 0 }
        ).total
        let others = sizing.totalBytes - framebuffers
        let framebufferGB = MMIOSizing.powerOfTwo(atLeast: MMIOAdvice.gibCeiling(framebuffers))
        guard framebufferGB <= rule, others > 0 else {
            return "the guides' \(rule) GB cannot hold even the framebuffer BARs (\(MMIOAdvice.mixed(framebuffers))): \(sizing.barRuleGB) GB holds every 64-bit BAR"
        }
        return "the guides' \(rule) GB holds the framebuffer BARs (\(MMIOAdvice.mixed(framebuffers))) only if the VM's firmware places the other 64-bit BARs (\(MMIOAdvice.mixed(others)) in all) below 4 GiB; \(sizing.barRuleGB) GB holds them wherever it places them"
    }

    /// The size of `device`'s framebuffer BAR when it is assigned and no larger than the
    /// display-mode size its catalog entry gives; nil otherwise.
    func displayModeBAR1(_ device: NVIDIADevice) -> UInt64? {
        guard let model = model(of: device), case .modeDependent(let small) = model.bar1,
            let bar = device.bars.first(where: { $0.index == model.framebufferBARIndex && $0.isAssigned && $0.isMemory }),
            bar.size <= small
        else { return nil }
        return bar.size
    }

    /// GPUs whose framebuffer BAR depends on the board's display mode and shows the small size:
    /// the size is reported, with the window the other mode would need, since the MMIO advice
    /// assumes what the guest sees.
    func bar1DisplayMode(_ sizing: MMIOSizing) -> [Finding] {
        var found: [Finding] = []
        var extra: UInt64 = 0
        var devices: [(NVIDIADevice, GPUModel, UInt64)] = []
        for device in environment.devices {
            guard let seen = displayModeBAR1(device), let model = model(of: device),
                let large = model.bar(at: model.framebufferBARIndex)?.size
            else { continue }
            extra = SaturatingSize.adding(extra, large - seen)
            devices.append((device, model, seen))
        }
        guard !devices.isEmpty, !sizing.exceeds else { return [] }
        let computeBytes = SaturatingSize.adding(sizing.totalBytes, extra)
        var computeGB = MMIOSizing.powerOfTwo(atLeast: MMIOAdvice.gibCeiling(computeBytes))
        if environment.hypervisor == .vmware { computeGB = max(computeGB, sizing.memoryRuleGB ?? 0) }
        for (device, model, seen) in devices {
            let index = model.framebufferBARIndex
            let large = model.bar(at: index)?.size ?? seen
            found.append(
                Finding(
                    .info, code: "bar1-display-mode", device: device.address,
                    summary: "\(label(device)): BAR\(index) is \(MMIOSizing.describe(bytes: seen)), the size this board declares in a display mode; in compute mode it is \(MMIOSizing.describe(bytes: large)). The MMIO advice assumes the \(MMIOSizing.describe(bytes: seen)) seen",
                    evidence: [
                        "\(NVIDIADeviceScanner.pciDevices)/\(device.address)/resource: BAR\(index) \(MMIOSizing.describe(bytes: seen))",
                        "GPU catalog: \(model.name) BAR\(index) \(MMIOSizing.describe(bytes: large)), \(MMIOSizing.describe(bytes: seen)) in a display mode (\(model.barSource))",
                    ],
                    fix: [
                        "nothing to change while the board stays in this mode; after switching it to compute mode (NVIDIA's Display Mode Selector, physical_display_disabled, then a host power cycle) the VM's 64-bit MMIO window must be \(computeGB) GB: run guestprep doctor again then"
                    ]))
        }
        return found
    }

    /// Devices of one kind with the same 64-bit BARs, counted once in the evidence.
    private struct MMIOGroup {
        var name: String
        /// `BAR1 64 GiB + BAR3 32 MiB`, with unassigned BARs marked.
        var bars: String
        /// The BARs' sizes, in the same order.
        var sizes: [UInt64]
        var count: Int
    }

    /// `2 × (64 GiB + 32 MiB) + 16 MiB`: the groups' BAR sizes as a sum.
    private func sumText(_ groups: [MMIOGroup]) -> String {
        groups.map { group in
            let bars = group.sizes.map(MMIOSizing.describe(bytes:)).joined(separator: " + ")
            if group.count == 1 { return bars }
            return "\(group.count) × " + (group.sizes.count > 1 ? "(\(bars))" : bars)
        }.joined(separator: " + ")
    }

    // MARK: - Checked arithmetic on input

    /// The GPUs' memory together, in GiB (the catalog's figures times the GPUs found), saturated.
    public static func gibTotal(_ memories: [Int?]) -> UInt64 {
        SaturatingSize.sum(memories.map { UInt64(clamping: $0 ?? 0) }).total
    }

    /// Whether `bytes` is below `percent`% of `wanted`: bytes × 100 < wanted × percent, in 128
    /// bits, so that a MemTotal near UInt64.max is compared instead of trapping.
    public static func isBelow(_ bytes: UInt64, percent: UInt64, of wanted: UInt64) -> Bool {
        let lhs = bytes.multipliedFullWidth(by: 100)
        let rhs = wanted.multipliedFullWidth(by: percent)
        return (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// `part × 100 / whole` for 0 < part < whole, in 128 bits: link widths are read from sysfs,
    /// and `part × 100` passed Int.max for a width near it. The quotient is below 100.
    static func percent(_ part: Int, of whole: Int) -> Int {
        whole.dividingFullWidth(part.multipliedFullWidth(by: 100)).quotient
    }

    // MARK: - Catalog notes

    /// Facts from the catalog that later steps act on: unknown GPUs, the last driver branch.
    func catalogNotes() -> [Finding] {
        var found: [Finding] = []
        var seen: Set<String> = []
        for device in environment.gpus {
            guard let model = model(of: device) else {
                found.append(
                    Finding(
                        .info, code: "gpu-not-in-catalog", device: device.address,
                        summary: "\(label(device)) is not in the GPU catalog: sizes come from sysfs alone, an unassigned BAR's size is unknown"
                            + (environment.driverMemory[device.address] != nil
                                ? ", and its memory from \(environment.driverMemorySource ?? "the driver")"
                                : ", and its memory is unknown until the NVIDIA driver is loaded (NVML)"),
                        evidence: ["device 10de:\(hex4(device.deviceID)), subsystem \(device.subsystemVendorID.map(hex4) ?? "?"):\(device.subsystemDeviceID.map(hex4) ?? "?")"]))
                continue
            }
            if let branch = model.lastDriverBranch, seen.insert(model.name).inserted {
                found.append(
                    Finding(
                        .info, code: "driver-branch-limit",
                        summary: "\(model.name): the last NVIDIA driver branch that supports it is \(branch); install \(branch) or older",
                        evidence: ["GPU catalog: \(model.architecture.rawValue), last-driver-branch \(branch)"]))
            }
        }
        return found
    }
}
