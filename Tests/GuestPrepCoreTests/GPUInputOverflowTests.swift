import GuestPrepConfig
@testable import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

/// Sizes read from sysfs, /proc and the kernel log are input: sums and products of them that
/// pass UInt64.max (or Int.max) are a finding that names the file, never a trap. Each case here
/// trapped (or, for `powerOfTwo`, looped forever) before the arithmetic was checked.
@Suite struct GPUInputOverflowTests {
    /// A GPU whose `resource` gives BAR1 and BAR3 8 EiB (2^63 bytes) each: 64-bit BARs that
    /// sum to 2^64, one more than UInt64 holds.
    static let eightEiBTwice = """
        0x00000000fd000000 0x00000000fdffffff 0x0000000000040200
        0x8000000000000000 0xffffffffffffffff 0x000000000014220c
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        0x8000000000000000 0xffffffffffffffff 0x000000000014220c
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        """

    static let resourcePath = "/sys/bus/pci/devices/0000:0b:00.0/resource"

    static func environment(resource: String, meminfo: String? = nil, dmi: String = "VMware, Inc.") throws -> GPUEnvironment {
        let sysfs = PCISysfsBuilder()
        sysfs.function(
            "0000:0b:00.0", device: "0x20f1", subsystem: ("0x10de", "0x145f"), class: "0x030200", resource: resource,
            link: (16, 16), driver: "nvidia")
        sysfs.fs.setText("/sys/class/dmi/id/sys_vendor", dmi + "\n")
        sysfs.fs.setText("/sys/firmware/efi/fw_platform_size", "64\n")
        if let meminfo { sysfs.fs.setText("/proc/meminfo", meminfo) }
        return try GPUEnvironment.read(fs: sysfs.fs)
    }

    @Test func bARsThatSumPastUInt64AreACriticalFindingNamingTheResourceFile() throws {
        let environment = try Self.environment(resource: Self.eightEiBTwice)
        let doctor = GPUDoctor(environment: environment)
        let found = doctor.findings()
        let finding = try #require(found.first { $0.code == "bar-sizes-out-of-range" })
        #expect(finding.level == .critical)
        #expect(finding.evidence.contains { $0.hasPrefix(Self.resourcePath + ": ") }, "\(finding.evidence)")
        let mmio = try #require(found.first { $0.code == "mmio-size" })
        #expect(mmio.summary.contains("more than 16 EiB"), "\(mmio.summary)")
        // The text and JSON reports print the sizes too.
        #expect(DoctorFormatter.text(doctor, findings: found).contains("BAR1 8 EiB"))
        #expect(DoctorFormatter.json(doctor, findings: found).contains("bar-sizes-out-of-range"))
    }

    /// 32-bit BARs whose sizes sum past UInt64.max (the flags say 32-bit; the sizes are input).
    @Test func thirtyTwoBitBARsThatSumPastUInt64AreTheSameFinding() throws {
        let resource = """
            0x8000000000000000 0xffffffffffffffff 0x0000000000040200
            0x0000002000000000 0x0000002fffffffff 0x000000000014220c
            0x0000000000000000 0x0000000000000000 0x0000000000000000
            0x8000000000000000 0xffffffffffffffff 0x0000000000040200
            """
        let found = GPUDoctor(environment: try Self.environment(resource: resource, dmi: "Microsoft Corporation")).findings()
        let finding = try #require(found.first { $0.code == "bar-sizes-out-of-range" })
        #expect(finding.evidence.contains { $0.hasPrefix(Self.resourcePath + ": ") })
    }

    /// MemTotal in kB times 1024 past UInt64.max: 2^54 kB is 2^64 bytes.
    @Test func aMemTotalPastUInt64BytesIsAFindingNamingProcMeminfo() throws {
        let environment = try Self.environment(
            resource: PCIResourceDecoderSamples.a100, meminfo: "MemTotal:       18014398509481984 kB\n")
        #expect(environment.memTotalBytes == nil)
        let found = GPUDoctor(environment: environment).findings()
        let finding = try #require(found.first { $0.code == "input-out-of-range" })
        #expect(finding.evidence.contains { $0.contains("/proc/meminfo") && $0.contains("18014398509481984 kB") })
        #expect(!found.contains { $0.code == "memory-below-1.5x-gpu" })
    }

    /// A MemTotal of Int.max / 1024 kB fits in bytes (2^63 − 1024), but 100 × it does not: the
    /// 95% comparison with the GPUs' memory, and the size printed in the report.
    @Test func aMemTotalNearIntMaxIsComparedAndPrinted() throws {
        let environment = try Self.environment(
            resource: PCIResourceDecoderSamples.a100, meminfo: "MemTotal:       \(Int.max / 1024) kB\n")
        #expect(environment.memTotalBytes == UInt64(Int.max / 1024) * 1024)
        let doctor = GPUDoctor(environment: environment)
        let found = doctor.findings()
        #expect(!found.contains { $0.code == "memory-below-1.5x-gpu" })
        #expect(!found.contains { $0.code == "input-out-of-range" })
        #expect(DoctorFormatter.text(doctor, findings: found).contains("memory: 8.0 EiB (MemTotal)"))
    }

    /// The Bitfusion server check compares MemTotal with the GPUs' memory as the doctor does:
    /// MemTotal × 100 passed UInt64.max there too.
    @Test func theBitfusionServerCheckComparesAMemTotalNearIntMax() throws {
        func memoryErrors(_ kB: String) throws -> [Diagnostic] {
            let sysfs = PCISysfsBuilder()
            sysfs.function(
                "0000:0b:00.0", device: "0x20f1", subsystem: ("0x10de", "0x145f"), class: "0x030200",
                resource: PCIResourceDecoderSamples.a100, driver: "nvidia")
            sysfs.fs.setText("/sys/firmware/efi/fw_platform_size", "64\n")
            sysfs.fs.setText("/proc/meminfo", "MemTotal:       \(kB) kB\n")
            let plan = try BitfusionServerCheckStep().plan(StepContext(spec: GuestSpec(), fs: sysfs.fs, onHost: false))
            return plan.diagnostics.filter { $0.message.contains("of memory is less than the GPUs' 40 GiB") }
        }
        #expect(try memoryErrors("\(Int.max / 1024)").isEmpty)
        #expect(try memoryErrors("16000000").count == 1, "16 GB is less than 40 GiB: the comparison still works")
    }

    @Test func theMemTotalErrorNamesProcMeminfoAndTheFigure() throws {
        #expect(throws: GuestPrepError.malformed(
            what: "/proc/meminfo", reason: "MemTotal 99999999999999999999999 kB is more than 16 EiB (2^64 bytes), which no machine has")
        ) {
            try GPUEnvironment.memTotal(meminfo: "MemFree: 1 kB\nMemTotal:\t99999999999999999999999 kB\n")
        }
        #expect(try GPUEnvironment.memTotal(meminfo: "MemTotal:       18014398509481983 kB\n") == UInt64.max - 1023)
        #expect(try GPUEnvironment.memTotal(meminfo: "MemFree: 1 kB\n") == nil)
    }

    /// The largest MemTotal that fits (2^64 − 1024 bytes) on KVM with 46 address bits: the
    /// window check adds the memory, the window and 4 GiB.
    @Test func theLargestMemTotalOnKVMIsComparedWithTheAddressSpace() throws {
        var environment = try Self.environment(
            resource: PCIResourceDecoderSamples.a100, meminfo: "MemTotal:       18014398509481983 kB\n", dmi: "QEMU")
        environment.physicalAddressBits = 46
        #expect(environment.memTotalBytes == UInt64.max - 1023)
        let mmio = try #require(GPUDoctor(environment: environment).findings().first { $0.code == "mmio-size" })
        #expect(mmio.fix.contains { $0.contains("46 physical address bits") })
    }

    /// Link widths are read with Int(_:): current × 100 passed Int.max.
    @Test func aHugeLinkWidthGivesAPercentage() throws {
        var environment = try Self.environment(resource: PCIResourceDecoderSamples.a100)
        environment.devices[0].currentLinkWidth = Int.max / 2
        environment.devices[0].maxLinkWidth = Int.max
        let link = try #require(GPUDoctor(environment: environment).findings().first { $0.code == "pcie-link-narrow" })
        #expect(link.summary.contains("at most 49% of the bandwidth"), "\(link.summary)")
    }

    /// hv_pci's sizes from the kernel log: two 8 EiB low-MMIO needs, and a high need of
    /// 2^64 − 1 bytes whose GiB ceiling passed UInt64.max.
    @Test func hyperVKernelLogSizesPastUInt64AreNamed() throws {
        let environment = GPUEnvironment(
            hypervisor: .hyperV, firmware: .efi, devices: [],
            kernelLog: [
                KernelLogEvent(kind: .hypervLowMMIOShort, device: nil, bar: nil, bytes: 1 << 63, message: "low 1"),
                KernelLogEvent(kind: .hypervLowMMIOShort, device: nil, bar: nil, bytes: 1 << 63, message: "low 2"),
                KernelLogEvent(kind: .hypervHighMMIOShort, device: nil, bar: nil, bytes: .max, message: "high"),
            ])
        let found = GPUDoctor(environment: environment).findings()
        let gpu = try #require(found.first { $0.code == "no-nvidia-gpu" })
        #expect(gpu.evidence.contains { $0.contains("/dev/kmsg") && $0.contains("more than 16 EiB") }, "\(gpu.evidence)")
        #expect(gpu.fix.contains { $0.contains("-HighMemoryMappedIoSpace") })
    }
}

/// Resource files shared by the tests above.
enum PCIResourceDecoderSamples {
    /// An A100 40 GB as ESXi with EFI gives it: BAR0 16 MiB, BAR1 64 GiB, BAR3 32 MiB.
    static let a100 = """
        0x00000000fd000000 0x00000000fdffffff 0x0000000000040200
        0x0000002000000000 0x0000002fffffffff 0x000000000014220c
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        0x0000003000000000 0x0000003001ffffff 0x000000000014220c
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        """
}
