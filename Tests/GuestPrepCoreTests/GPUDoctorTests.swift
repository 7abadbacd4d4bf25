import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

/// Builds NVIDIA functions as the scanner reports them, with the pre-Hopper BAR layout.
enum GPUFixture {
    static let mem32: UInt64 = 0x40200
    static let mem64pref: UInt64 = 0x14220c

    /// A GPU with BAR0 16 MiB, BAR1 `bar1` bytes and BAR3 32 MiB; `unassigned` BAR indices get
    /// the kernel's empty line and only their declared type bits.
    static func gpu(
        _ address: String, device: UInt16, subsystem: (UInt16, UInt16)? = nil, bar1: UInt64, unassigned: Set<Int> = [],
        driver: String? = "nvidia", link: (Int, Int) = (16, 16), slot: UInt64 = 0
    ) -> NVIDIADevice {
        let base = 0x38_0000_0000 + slot * 0x40_0000_0000
        var bars: [PCIBAR] = []
        let layout: [(Int, UInt64, UInt64, UInt64)] = [
            (0, 0xfd00_0000 - slot * 0x100_0000, 16 << 20, mem32), (1, base, bar1, mem64pref),
            (3, base + 0x10_0000_0000, 32 << 20, mem64pref),
        ]
        var declared: [DeclaredBAR] = []
        for (index, start, size, flags) in layout {
            declared.append(
                DeclaredBAR(index: index, isMemory: true, is64Bit: flags == mem64pref, isPrefetchable: flags == mem64pref, address: unassigned.contains(index) ? 0 : start))
            bars.append(unassigned.contains(index) ? PCIBAR(index: index, start: 0, end: 0, flags: 0) : PCIBAR(index: index, start: start, end: start + size - 1, flags: flags))
        }
        return NVIDIADevice(
            address: PCIAddress(address)!, deviceID: device, subsystemVendorID: subsystem?.0, subsystemDeviceID: subsystem?.1,
            classCode: 0x030200, bars: bars, declaredBARs: declared, currentLinkWidth: link.0, maxLinkWidth: link.1,
            currentLinkSpeed: "2.5 GT/s PCIe", maxLinkSpeed: "16.0 GT/s PCIe", driver: driver)
    }

    static let a100_40: UInt16 = 0x20f1
    static let a100_40_second: UInt16 = 0x20b1
    static let l40s: UInt16 = 0x26b9
    static let rtxA6000: UInt16 = 0x2230
    /// RTX PRO 6000 Blackwell Server Edition: in pci.ids, not in the catalog.
    static let uncatalogued: UInt16 = 0x2bb5
    static let a100_80: UInt16 = 0x20b5
    static let t4: UInt16 = 0x1eb8
    static let v100_32: UInt16 = 0x1db6
}

@Suite struct GPUDoctorTests {
    func findings(_ environment: GPUEnvironment) -> [Finding] { GPUDoctor(environment: environment).findings() }

    @Test func twoA100sOnESXiGetTheBARRuleOverTheGuidesRule() throws {
        let environment = GPUEnvironment(
            hypervisor: .vmware, firmware: .efi, secureBoot: false, memTotalBytes: 126 << 30,
            devices: [
                GPUFixture.gpu("0000:0b:00.0", device: GPUFixture.a100_40, bar1: 64 << 30),
                GPUFixture.gpu("0000:13:00.0", device: GPUFixture.a100_40, bar1: 64 << 30, slot: 1),
            ])
        let found = findings(environment)
        #expect(!GPUDoctor.hasCritical(found))
        let mmio = try #require(found.first { $0.code == "mmio-size" })
        #expect(mmio.level == .info)
        #expect(mmio.summary == "64-bit MMIO for these GPUs: 256 GB (128 GiB + 64 MiB of 64-bit BARs)")
        #expect(mmio.evidence.contains("2 × A100 PCIe 40GB: BAR1 64 GiB + BAR3 32 MiB"))
        #expect(mmio.evidence.contains("BAR rule: 64-bit BARs 2 × (64 GiB + 32 MiB) = 128 GiB + 64 MiB → 129 GB rounded up to a power of two: 256"))
        #expect(mmio.evidence.contains("guides' rule: GPU memory 2 × 40 GB = 80 GB rounded up to a power of two: 128"))
        #expect(mmio.evidence.contains("recommended: 256 GB (the BAR rule: the guides' rule alone would be too small)"))
        #expect(mmio.fix.contains("  pciPassthru.use64bitMMIO = \"TRUE\""))
        #expect(mmio.fix.contains("  pciPassthru.64bitMMIOSizeGB = \"256\""))
        #expect(mmio.fix.contains { $0.hasPrefix("ESXi 6.5 and older: in EFI mode a VM's BARs may total at most 32 GB") })
        #expect(!found.contains { $0.code == "memory-below-1.5x-gpu" }, "126 GiB ≥ 1.5 × 80 GiB")
    }

    @Test func anUnassignedBARIsCriticalWithCatalogSizeKernelLinesAndTheFix() throws {
        let line = "pci 0000:0b:00.0: BAR 1: no space for [mem size 0x2000000000 64bit pref]"
        let environment = GPUEnvironment(
            hypervisor: .vmware, firmware: .bios, memTotalBytes: 62 << 30,
            devices: [GPUFixture.gpu("0000:0b:00.0", device: GPUFixture.a100_80, bar1: 128 << 30, unassigned: [1], driver: nil)],
            kernelLog: [
                KernelLogEvent(kind: .barNoSpace, device: PCIAddress("0000:0b:00.0"), bar: 1, message: line),
                KernelLogEvent(kind: .barNoSpace, device: PCIAddress("0000:13:00.0"), bar: 1, message: "another device"),
            ])
        let found = findings(environment)
        #expect(GPUDoctor.hasCritical(found))
        #expect(found.map(\.code) == ["bar-unassigned", "firmware-bios", "memory-below-1.5x-gpu", "mmio-size"])
        let bar = found[0]
        #expect(bar.device == PCIAddress("0000:0b:00.0"))
        #expect(bar.summary == "0000:0b:00.0 (A100 PCIe 80GB): BAR1 (64-bit, 128 GiB) has no address: the VM's MMIO window has no room")
        #expect(bar.evidence.contains("kernel: \(line)"))
        #expect(!bar.evidence.contains("kernel: another device"))
        #expect(bar.fix.contains("  pciPassthru.64bitMMIOSizeGB = \"256\""))
        #expect(bar.fix.last == "and boot the VM with EFI firmware: see firmware-bios")
        #expect(found[1].level == .critical)
        #expect(found[1].evidence.contains("framebuffer BARs (BAR1; Hopper: BAR2) in all: 128 GiB"))
        let memory = found[2]
        #expect(
            memory.evidence == [
                "MemTotal 62 GiB (the VM's memory less what the kernel keeps)", "GPU memory: A100 PCIe 80GB, 80 GB (GPU catalog)",
                "1.5 × 80 GiB of GPU memory = 120 GiB",
            ])
        #expect(memory.fix == ["VM, powered off: Edit Settings → Memory: at least 120 GB, with \"Reserve all guest memory (All locked)\" ticked"])
        let mmio = found[3]
        #expect(mmio.evidence.first == "1 × A100 PCIe 80GB: BAR1 128 GiB (catalog; unassigned) + BAR3 32 MiB")
    }

    @Test func aT4UnderBIOSIsOnlyAdvisedToMoveToEFI() throws {
        let environment = GPUEnvironment(
            hypervisor: .qemu, firmware: .bios, memTotalBytes: 31 << 30,
            devices: [GPUFixture.gpu("0000:01:00.0", device: GPUFixture.t4, bar1: 256 << 20)])
        let found = findings(environment)
        let firmware = try #require(found.first { $0.code == "firmware-bios" })
        #expect(firmware.level == .info)
        #expect(!GPUDoctor.hasCritical(found))
        let mmio = try #require(found.first { $0.code == "mmio-size" })
        // Off ESXi the guides' rule (16 GB for a T4) is not advice; 288 MiB fits QEMU's default.
        #expect(!mmio.evidence.contains { $0.hasPrefix("guides' rule") })
        #expect(mmio.evidence.contains("BAR rule: 64-bit BARs 256 MiB + 32 MiB = 288 MiB → 1 GB rounded up to a power of two: 1"))
        #expect(mmio.fix == ["KVM/QEMU: the default 64-bit PCI hole (32 GB with q35, and OVMF's window) holds these BARs: nothing to set"])
    }

    @Test func hyperVWithoutTheGPUNamesTheHighMMIOTheDeviceNeeds() throws {
        let message = "hv_pci 1c8a7a7e-3cbb-4b4b-9d1b-3e4f5a6b7c8d: Need 0x402000000 of high MMIO space. Consider reconfiguring the VM."
        let environment = GPUEnvironment(
            hypervisor: .hyperV, firmware: .efi, secureBoot: false, devices: [],
            kernelLog: [KernelLogEvent(kind: .hypervHighMMIOShort, device: nil, bar: nil, bytes: 0x4_0200_0000, message: message)],
            vmName: "gpu vm's")
        let found = findings(environment)
        #expect(found.map(\.code) == ["no-nvidia-gpu"])
        let finding = found[0]
        #expect(finding.evidence.contains("kernel: \(message)"))
        #expect(finding.fix.contains("  Set-VM -VMName 'gpu vm''s' -HighMemoryMappedIoSpace 33280MB"))
        #expect(finding.fix.contains("  Set-VM -VMName 'gpu vm''s' -GuestControlledCacheTypes $true"))
    }

    @Test func noGPUOnESXiSaysWhatToCheckOnTheHost() {
        let found = findings(GPUEnvironment(hypervisor: .vmware, firmware: .efi, secureBoot: false, devices: []))
        #expect(found.map(\.code) == ["no-nvidia-gpu"])
        #expect(found[0].fix.contains { $0.contains("Add New Device → PCI Device") })
    }

    @Test func nouveauSecureBootAndANarrowLink() throws {
        var environment = GPUEnvironment(
            hypervisor: .vmware, firmware: .efi, secureBoot: true, memTotalBytes: 128 << 30,
            nouveauLoaded: "/sys/module/nouveau exists",
            devices: [
                GPUFixture.gpu("0000:0b:00.0", device: GPUFixture.v100_32, bar1: 32 << 30, driver: "nouveau", link: (8, 16))
            ])
        var found = findings(environment)
        #expect(found.map(\.code) == ["nouveau-bound", "secure-boot-on", "pcie-link-narrow", "mmio-size", "driver-branch-limit"])
        #expect(found[0].evidence == ["0000:0b:00.0: driver nouveau"])
        #expect(found[2].summary.hasSuffix("the PCIe link runs at x8 of x16: host-to-GPU transfers get at most 50% of the bandwidth"))
        #expect(found[4].summary == "Tesla V100 PCIe 32GB: the last NVIDIA driver branch that supports it is 580; install 580 or older")
        environment.devices[0].driver = "nvidia"
        found = findings(environment)
        #expect(found.first { $0.code == "nouveau-loaded" }?.level == .warning)
        #expect(!GPUDoctor.hasCritical(found))
    }

    @Test func kvmWithFewPhysicalAddressBitsIsToldToPassTheHosts() throws {
        let environment = GPUEnvironment(
            hypervisor: .qemu, firmware: .efi, secureBoot: false, memTotalBytes: 64 << 30, physicalAddressBits: 39,
            devices: [GPUFixture.gpu("0000:01:00.0", device: GPUFixture.a100_80, bar1: 128 << 30)])
        let mmio = try #require(findings(environment).first { $0.code == "mmio-size" })
        #expect(mmio.fix.contains("  libvirt (virsh edit): <controller type='pci' index='0' model='pcie-root'><pcihole64 unit='KiB'>268435456</pcihole64></controller>"))
        #expect(mmio.fix.contains("  with OVMF also: -fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=262144"))
        #expect(mmio.fix.last?.hasPrefix("the guest CPU has 39 physical address bits (512 GiB)") == true)
    }

    @Test func driverErrorsOnAGPUWithAllBARsAreCritical() throws {
        let message = "NVRM: This PCI I/O region assigned to your NVIDIA device is invalid:"
        let environment = GPUEnvironment(
            hypervisor: .vmware, firmware: .efi, secureBoot: false,
            devices: [GPUFixture.gpu("0000:0b:00.0", device: GPUFixture.t4, bar1: 256 << 20)],
            kernelLog: [KernelLogEvent(kind: .nvrmInvalidRegion, device: PCIAddress("0000:0b:00.0"), bar: nil, message: message)])
        let found = findings(environment)
        #expect(found.first?.code == "driver-probe-failed")
        #expect(found.first?.evidence == ["kernel: \(message)"])
    }

    @Test func mmioArithmeticHelpers() {
        #expect(MMIOAdvice.mixed(0x4_0200_0000) == "16 GiB + 32 MiB")
        #expect(MMIOAdvice.mixed(0) == "0 B")
        #expect(MMIOAdvice.hyperVHighMB(needs: [0x4_0200_0000]) == 33280)
        #expect(MMIOAdvice.hyperVHighMB(needs: [0x8_0200_0000, 0x8_0200_0000]) == 2 * 65536 + 512)
        #expect(MMIOAdvice.hyperVLowMB(bytes: 16 << 20) == nil)
        #expect(MMIOAdvice.hyperVLowMB(bytes: 128 << 20) == 256)
    }
}

@Suite struct GPUEnvironmentTests {
    @Test func readsFirmwareSecureBootMemoryCPUKernelLogAndTheHyperVName() throws {
        let fs = InMemoryFileSystem()
        fs.setText("/sys/class/dmi/id/sys_vendor", "Microsoft Corporation\n")
        fs.setText("/sys/class/dmi/id/product_name", "Virtual Machine\n")
        fs.setText("/sys/class/dmi/id/bios_version", "Hyper-V UEFI Release v4.1\n")
        fs.setText("/sys/firmware/efi/fw_platform_size", "64\n")
        fs.setBytes("/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c", [6, 0, 0, 0, 1])
        fs.setText("/proc/meminfo", "MemTotal:       32803840 kB\nMemFree:        30000000 kB\n")
        fs.setText("/proc/cpuinfo", "processor\t: 0\naddress sizes\t: 46 bits physical, 48 bits virtual\n\n")
        fs.setText("/dev/kmsg", "3,802,3101000,-;hv_pci 1c8a: Need 0x402000000 of high MMIO space. Consider reconfiguring the VM.\n")
        var pool: [UInt8] = []
        for (key, value) in [("HostName", "hv01"), ("VirtualMachineName", "gpu-vm01")] {
            pool += Array(key.utf8) + [UInt8](repeating: 0, count: 512 - key.utf8.count)
            pool += Array(value.utf8) + [UInt8](repeating: 0, count: 2048 - value.utf8.count)
        }
        fs.setBytes("/var/lib/hyperv/.kvp_pool_3", pool)
        let environment = try GPUEnvironment.read(fs: fs)
        #expect(environment.hypervisor == .hyperV)
        #expect(environment.biosVersion == "Hyper-V UEFI Release v4.1")
        #expect(environment.firmware == .efi)
        #expect(environment.secureBoot == true)
        #expect(environment.memTotalBytes == 32_803_840 * 1024)
        #expect(environment.physicalAddressBits == 46)
        #expect(environment.kernelLog.map(\.bytes) == [0x4_0200_0000])
        #expect(environment.kernelLogProblem == nil)
        #expect(environment.vmName == "gpu-vm01")
        #expect(environment.devices.isEmpty && environment.nouveauLoaded == nil)
    }

    @Test func theDoctorSaysNouveauWasUnloadedLiveFromTheState() throws {
        let fs = InMemoryFileSystem()
        var state = AgentState()
        state.steps["nouveau"] = StepRecord(
            status: .done, identity: "d", boot: "b2", at: "2026-12-05T09:00:00Z", changes: 0,
            reboot: RebootDecision(needed: false, because: "nouveau unloaded live (modprobe -r nouveau)", at: "2026-12-05T08:00:00Z"))
        try state.save(fs: fs)
        var environment = try GPUEnvironment.read(fs: fs)
        environment.nouveauRelease = GPUEnvironment.nouveauRelease(in: try AgentState.load(fs: fs))
        let finding = GPUDoctor(environment: environment).findings().first { $0.code.hasPrefix("nouveau-") }
        #expect(finding?.code == "nouveau-unloaded-live" && finding?.level == .info)
        #expect(finding?.summary == "nouveau unloaded live at 2026-12-05T08:00:00Z, without a reboot")
        #expect(finding?.evidence.first == "nouveau unloaded live (modprobe -r nouveau)")
    }

    @Test func biosBootHasNoSecureBootAndAMissingKernelLogIsSaid() throws {
        let fs = InMemoryFileSystem()
        fs.setText("/sys/class/dmi/id/sys_vendor", "VMware, Inc.\n")
        fs.setText("/sys/module/nouveau/initstate", "live\n")
        let environment = try GPUEnvironment.read(fs: fs)
        #expect(environment.firmware == .bios && environment.secureBoot == nil)
        #expect(environment.kernelLogProblem == "/dev/kmsg does not exist")
        #expect(environment.nouveauLoaded == "/sys/module/nouveau exists")
        #expect(environment.memTotalBytes == nil && environment.physicalAddressBits == nil)
    }
}

/// Issue 19: the catalog's second IDs, NVML memory, display-mode BAR1, GH200, the guides'
/// window and vDGA, in the doctor's findings.
@Suite struct GPUDoctorCatalogEvidenceTests {
    func findings(_ environment: GPUEnvironment) -> [Finding] { GPUDoctor(environment: environment).findings() }

    /// The new user: 2 × A100 PCIe 40GB under 0x20b1 with 64 GiB of memory.
    @Test func twoA100sUnderTheSecondIDGetTheMemoryRule() throws {
        let environment = GPUEnvironment(
            hypervisor: .vmware, firmware: .efi, secureBoot: false, memTotalBytes: 62 << 30,
            devices: [
                GPUFixture.gpu("0000:0b:00.0", device: GPUFixture.a100_40_second, bar1: 64 << 30),
                GPUFixture.gpu("0000:13:00.0", device: GPUFixture.a100_40_second, bar1: 64 << 30, slot: 1),
            ])
        let found = findings(environment)
        #expect(!found.contains { $0.code == "gpu-not-in-catalog" })
        let memory = try #require(found.first { $0.code == "memory-below-1.5x-gpu" })
        #expect(memory.level == .warning)
        #expect(
            memory.evidence == [
                "MemTotal 62 GiB (the VM's memory less what the kernel keeps)",
                "GPU memory: 2 × A100 PCIe 40GB, 40 GB each (GPU catalog)", "1.5 × 80 GiB of GPU memory = 120 GiB",
            ])
        #expect(memory.fix.first?.contains("at least 120 GB") == true)
    }

    /// A GPU the catalog does not know takes its memory from the loaded driver (NVML), and
    /// says so; without a driver its memory stays unknown and no memory finding is made.
    @Test func anUncataloguedGPUTakesItsMemoryFromNVML() throws {
        var environment = GPUEnvironment(
            hypervisor: .vmware, firmware: .efi, secureBoot: false, memTotalBytes: 62 << 30,
            devices: [GPUFixture.gpu("0000:0b:00.0", device: GPUFixture.uncatalogued, bar1: 128 << 30)])
        let withoutDriver = findings(environment)
        #expect(!withoutDriver.contains { $0.code == "memory-below-1.5x-gpu" })
        let unknown = try #require(withoutDriver.first { $0.code == "gpu-not-in-catalog" })
        #expect(unknown.summary.hasSuffix("its memory is unknown until the NVIDIA driver is loaded (NVML)"))

        environment.addDriverMemory(
            DriverQuery(
                driverVersion: "580.95.05",
                gpus: [
                    DriverQuery.GPU(
                        address: "0000:0b:00.0", name: "NVIDIA RTX PRO 6000 Blackwell Server Edition",
                        persistenceMode: true, memoryTotalBytes: 97887 << 20),
                    DriverQuery.GPU(address: "0000:99:00.0", name: "no memory", persistenceMode: true),
                ],
                source: "NVML"))
        #expect(environment.driverMemory == [PCIAddress("0000:0b:00.0")!: 97887 << 20])
        #expect(environment.driverMemorySource == "NVML")
        let found = findings(environment)
        let memory = try #require(found.first { $0.code == "memory-below-1.5x-gpu" })
        #expect(
            memory.evidence.contains(
                "GPU memory: 0000:0b:00.0 (NVIDIA 10de:2bb5), 95.6 GiB → 96 GiB (NVML, the loaded driver: not in the GPU catalog)"))
        #expect(memory.evidence.contains("1.5 × 96 GiB of GPU memory = 144 GiB"))
        let notes = try #require(found.first { $0.code == "gpu-not-in-catalog" })
        #expect(notes.summary.hasSuffix("and its memory from NVML"))
        let mmio = try #require(found.first { $0.code == "mmio-size" })
        #expect(
            mmio.evidence.contains(
                "guides' rule: GPU memory 1 × 96 GB = 96 GB rounded up to a power of two: 128 (NVML memory for GPUs not in the catalog)"))
    }

    /// RTX A6000 in a display mode: BAR1 256 MiB. The doctor reports it, says the advice
    /// assumes it, and names the window compute mode (64 GiB) would need.
    @Test func aDisplayModeBAR1IsReportedAndTheAdviceSaysItAssumesIt() throws {
        let small = GPUEnvironment(
            hypervisor: .vmware, firmware: .efi, secureBoot: false, memTotalBytes: 94 << 30,
            devices: [GPUFixture.gpu("0000:0b:00.0", device: GPUFixture.rtxA6000, bar1: 256 << 20)])
        let found = findings(small)
        let mode = try #require(found.first { $0.code == "bar1-display-mode" })
        #expect(mode.level == .info)
        #expect(mode.device == PCIAddress("0000:0b:00.0"))
        #expect(
            mode.summary
                == "0000:0b:00.0 (RTX A6000): BAR1 is 256 MiB, the size this board declares in a display mode; in compute mode it is 64 GiB. The MMIO advice assumes the 256 MiB seen")
        #expect(mode.evidence.first == "/sys/bus/pci/devices/0000:0b:00.0/resource: BAR1 256 MiB")
        #expect(mode.fix.first?.contains("the VM's 64-bit MMIO window must be 128 GB") == true)
        let mmio = try #require(found.first { $0.code == "mmio-size" })
        #expect(mmio.summary == "64-bit MMIO for these GPUs: 64 GB (288 MiB of 64-bit BARs)")
        #expect(
            mmio.evidence.contains(
                "0000:0b:00.0 (RTX A6000): BAR1 is 256 MiB, its display-mode size: this advice assumes what the guest sees (see bar1-display-mode)"))

        let large = GPUEnvironment(
            hypervisor: .vmware, firmware: .efi, secureBoot: false, memTotalBytes: 94 << 30,
            devices: [GPUFixture.gpu("0000:0b:00.0", device: GPUFixture.rtxA6000, bar1: 64 << 30)])
        #expect(!findings(large).contains { $0.code == "bar1-display-mode" })
    }

    /// A GH200 (no BAR1 aperture): its unassigned BAR2 gets no catalog size, the doctor says
    /// why, and the BIOS rule on BAR1s leaves its BARs out.
    @Test func aGH200GetsNoBAR1Rule() throws {
        let flags64: UInt64 = 0x14_220c
        let gh200 = NVIDIADevice(
            address: PCIAddress("0009:01:00.0")!, deviceID: 0x2342, subsystemVendorID: 0x10de, subsystemDeviceID: 0x1809,
            classCode: 0x030200,
            bars: [
                PCIBAR(index: 0, start: 0x6_6000_0000, end: 0x6_60ff_ffff, flags: flags64),
                PCIBAR(index: 2, start: 0, end: 0, flags: 0),
            ],
            declaredBARs: [
                DeclaredBAR(index: 0, isMemory: true, is64Bit: true, isPrefetchable: true, address: 0x6_6000_0000),
                DeclaredBAR(index: 2, isMemory: true, is64Bit: true, isPrefetchable: true, address: 0),
            ], driver: nil)
        let found = findings(GPUEnvironment(hypervisor: .qemu, firmware: .bios, memTotalBytes: 256 << 30, devices: [gh200]))
        let bar = try #require(found.first { $0.code == "bar-unassigned" })
        #expect(bar.summary.hasPrefix("0009:01:00.0 (GH200 480GB): BAR2 (64-bit) has no address"))
        #expect(
            bar.evidence.contains(
                "GH200 480GB has no BAR1 aperture in the usual sense (nvidia-smi: BAR1 N/A): the catalog gives no size for BAR2"))
        let firmware = try #require(found.first { $0.code == "firmware-bios" })
        #expect(firmware.level == .info)
        #expect(firmware.evidence.contains("framebuffer BARs (BAR1; Hopper: BAR2) in all: 0 B"))
        let mmio = try #require(found.first { $0.code == "mmio-size" })
        #expect(
            mmio.evidence.contains(
                "0009:01:00.0 (GH200 480GB): no BAR1 aperture in the usual sense (nvidia-smi: BAR1 N/A): only the BARs sysfs shows count, none from the catalog"))
        #expect(mmio.evidence.contains("0009:01:00.0 BAR2: unassigned and its size unknown (not in the catalog): the figures below are too low"))
    }

    /// The seed's 2 × L40S: the guides' 128 GB holds the two 64 GiB BAR1s only if the firmware
    /// puts both 32 MiB BAR3s below 4 GiB, which the ESXi text says in one line.
    @Test func twoL40SOnESXiSayWhereTheGuidesWindowFallsShort() throws {
        let environment = GPUEnvironment(
            hypervisor: .vmware, firmware: .efi, secureBoot: false, memTotalBytes: 188 << 30,
            devices: [
                GPUFixture.gpu("0000:03:00.0", device: GPUFixture.l40s, subsystem: (0x10de, 0x1851), bar1: 64 << 30),
                GPUFixture.gpu("0000:13:00.0", device: GPUFixture.l40s, subsystem: (0x10de, 0x1851), bar1: 64 << 30, slot: 1),
            ])
        let mmio = try #require(findings(environment).first { $0.code == "mmio-size" })
        #expect(mmio.fix.contains("  pciPassthru.64bitMMIOSizeGB = \"256\""))
        #expect(
            mmio.evidence.last
                == "the guides' 128 GB holds the framebuffer BARs (128 GiB) only if the VM's firmware places the other 64-bit BARs (64 MiB in all) below 4 GiB; 256 GB holds them wherever it places them")
        // Where the rules agree (one T4), no such line.
        let t4 = GPUEnvironment(
            hypervisor: .vmware, firmware: .efi, secureBoot: false, memTotalBytes: 31 << 30,
            devices: [GPUFixture.gpu("0000:0b:00.0", device: GPUFixture.t4, bar1: 256 << 20)])
        let one = try #require(findings(t4).first { $0.code == "mmio-size" })
        #expect(!one.evidence.contains { $0.hasPrefix("the guides'") })
    }

    /// vDGA: BAR0 (32-bit) without an address on ESXi with more than 2 GB of memory: reserve all
    /// guest memory and pciHole.start = "2048"; not with 2 GB, nor on another hypervisor.
    @Test(arguments: [
        (AutoDetector.Hypervisor.vmware, UInt64(16) << 30, true), (.vmware, UInt64(2) << 30, false),
        (.qemu, UInt64(16) << 30, false),
    ])
    func aBAR0WithoutAddressOnESXiAsksForPciHoleStart(_ hypervisor: AutoDetector.Hypervisor, _ memory: UInt64, _ expected: Bool) throws {
        let environment = GPUEnvironment(
            hypervisor: hypervisor, firmware: .efi, secureBoot: false, memTotalBytes: memory,
            devices: [GPUFixture.gpu("0000:0b:00.0", device: GPUFixture.t4, bar1: 256 << 20, unassigned: [0], driver: nil)])
        let bar = try #require(findings(environment).first { $0.code == "bar-unassigned" })
        #expect(bar.summary.contains("BAR0 (32-bit, 16 MiB) has no address"))
        let hole = "  and, the VM having more than 2 GB of memory, VM Options → Advanced → Configuration Parameters: pciHole.start = \"2048\""
        #expect(bar.fix.contains(hole) == expected)
        #expect(bar.fix.contains("ESXi (vDGA), with the VM powered off: Edit Settings → Memory: \"Reserve all guest memory (All locked)\"") == expected)
    }

    @Test func secureBootFixNamesNVIDIAsMOKKeyAndTheSignedRHELModules() throws {
        let environment = GPUEnvironment(
            hypervisor: .vmware, firmware: .efi, secureBoot: true, memTotalBytes: 31 << 30,
            devices: [GPUFixture.gpu("0000:0b:00.0", device: GPUFixture.t4, bar1: 256 << 20)])
        let secure = try #require(findings(environment).first { $0.code == "secure-boot-on" })
        #expect(secure.fix.contains { $0.hasPrefix("NVIDIA's precompiled RHEL kmods are signed with NVIDIA's own key") && $0.contains("enroll it as a MOK") })
        #expect(secure.fix.contains { $0.contains("RHEL 10.1 and AlmaLinux 10 the distribution's own signed kmod-nvidia-open") })
        #expect(!secure.fix.contains { $0.contains("RHEL precompiled stream") })
    }
}
