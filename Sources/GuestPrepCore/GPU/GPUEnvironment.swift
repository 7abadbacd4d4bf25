import GuestPrepConfig
import GuestPrepModel

/// What the guest can see that bears on its passed-through GPUs: the hypervisor (DMI), the
/// firmware and Secure Boot, memory, the NVIDIA functions on the PCI bus, what the kernel logged
/// about them, nouveau. Read once by `read(fs:)`; `GPUDoctor` turns it into findings.
public struct GPUEnvironment: Sendable {
    /// How the VM booted.
    public enum Firmware: String, Sendable {
        case efi, bios
    }

    public var hypervisor: AutoDetector.Hypervisor
    /// DMI's `sys_vendor`, `product_name` and `bios_version`, as evidence.
    public var dmiVendor: String?
    public var dmiProduct: String?
    public var biosVersion: String?
    public var firmware: Firmware
    /// Whether Secure Boot is on; nil when not known (BIOS boot, or the variable unreadable).
    public var secureBoot: Bool?
    /// `MemTotal` of /proc/meminfo, in bytes: a little below the VM's configured memory.
    public var memTotalBytes: UInt64?
    /// The CPU's physical address bits (`address sizes` of /proc/cpuinfo): the ceiling of the
    /// guest's physical address space, 64-bit MMIO windows included.
    public var physicalAddressBits: Int?
    /// Why nouveau counts as loaded, nil when it is not.
    public var nouveauLoaded: String?
    /// What the nouveau step's last run did about a loaded nouveau (unloaded it live, or why it
    /// asked for a reboot) and when, from guestprep's state (`nouveauRelease(in:)`, set by the
    /// doctor, which reads the state once for this and the role); nil when it never had to.
    public var nouveauRelease: (decision: RebootDecision, at: String)?
    public var devices: [NVIDIADevice]
    public var kernelLog: [KernelLogEvent]
    /// Why the kernel log could not be read, nil when it was.
    public var kernelLogProblem: String?
    /// The VM's name on the host, when the host tells it (Hyper-V's KVP pool 3).
    public var vmName: String?
    /// Values read that are out of range, each naming its file (`/proc/meminfo: MemTotal …`):
    /// left unknown, so the checks that need them are left out (GPUDoctor's `input-out-of-range`).
    public var outOfRange: [String]
    /// What bears on an NVIDIA vGPU's licence; empty unless the caller reads it (`doctor`).
    public var vgpu = VGPUEnvironment()
    /// Each GPU's memory in bytes as the loaded driver reports it (NVML's
    /// nvmlDeviceGetMemoryInfo total), by PCI address; empty when no driver answered. The
    /// doctor uses it for GPUs the catalog does not know.
    public var driverMemory: [PCIAddress: UInt64] = [:]
    /// Where `driverMemory` came from (`NVML`), nil when nothing did.
    public var driverMemorySource: String?

    public init(
        hypervisor: AutoDetector.Hypervisor, dmiVendor: String? = nil, dmiProduct: String? = nil,
        biosVersion: String? = nil, firmware: Firmware, secureBoot: Bool? = nil, memTotalBytes: UInt64? = nil,
        physicalAddressBits: Int? = nil, nouveauLoaded: String? = nil, devices: [NVIDIADevice],
        kernelLog: [KernelLogEvent] = [], kernelLogProblem: String? = nil, vmName: String? = nil,
        outOfRange: [String] = []
    ) {
        self.hypervisor = hypervisor
        self.dmiVendor = dmiVendor
        self.dmiProduct = dmiProduct
        self.biosVersion = biosVersion
        self.firmware = firmware
        self.secureBoot = secureBoot
        self.memTotalBytes = memTotalBytes
        self.physicalAddressBits = physicalAddressBits
        self.nouveauLoaded = nouveauLoaded
        self.devices = devices
        self.kernelLog = kernelLog
        self.kernelLogProblem = kernelLogProblem
        self.vmName = vmName
        self.outOfRange = outOfRange
    }

    static let kernelLogPath = "/dev/kmsg"
    static let secureBootVariable = "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
    static let kvpHostPool = "/var/lib/hyperv/.kvp_pool_3"
    static let meminfoPath = "/proc/meminfo"

    /// Reads everything from the guest's files (under the file system's root). Only the PCI
    /// scan can fail the read; anything else unreadable is left unknown.
    public static func read(fs: any FileSystem) throws -> GPUEnvironment {
        let dmi = AutoDetector(fs: fs)
        var environment = GPUEnvironment(
            hypervisor: dmi.hypervisor, dmiVendor: dmi.vendor, dmiProduct: dmi.product,
            biosVersion: fs.attribute("/sys/class/dmi/id/bios_version"),
            firmware: fs.exists("/sys/firmware/efi") ? .efi : .bios, devices: try NVIDIADeviceScanner.scan(fs: fs))
        if environment.firmware == .efi, let bytes = try? fs.read(secureBootVariable) {
            environment.secureBoot = secureBoot(efivar: bytes)
        }
        if let meminfo = try? fs.readText(meminfoPath) {
            do {
                environment.memTotalBytes = try memTotal(meminfo: meminfo)
            } catch {
                environment.outOfRange.append("\(error)")
            }
        }
        // The first processor's block is enough; a many-CPU cpuinfo runs to hundreds of KiB.
        if let cpuinfo = try? fs.readRange("/proc/cpuinfo", offset: 0, limit: 8192) {
            environment.physicalAddressBits = physicalAddressBits(cpuinfo: String(decoding: cpuinfo, as: UTF8.self))
        }
        environment.nouveauLoaded = NouveauStep.loadedEvidence(fs: fs)
        do {
            if let log = try fs.readAvailable(kernelLogPath, limit: 8 << 20) {
                environment.kernelLog = KernelLogDecoder.events(in: String(decoding: log, as: UTF8.self))
            } else {
                environment.kernelLogProblem = "\(kernelLogPath) does not exist"
            }
        } catch {
            // Unprivileged reads fail when kernel.dmesg_restrict is 1.
            environment.kernelLogProblem = "\(error) (run as root to include the kernel log)"
        }
        if environment.hypervisor == .hyperV, let pool = try? fs.readLocked(kvpHostPool),
            let records = try? KVPPoolDecoder.decode(pool)
        {
            environment.vmName = records.first { $0.key == "VirtualMachineName" }?.value
        }
        return environment
    }

    /// The nouveau step's reboot decision in `state` and when its record was made; nil when
    /// the step never had one.
    public static func nouveauRelease(in state: AgentState) -> (decision: RebootDecision, at: String)? {
        guard let record = state.steps["nouveau"], let decision = record.reboot else { return nil }
        return (decision, record.at)
    }

    /// An efivarfs variable is 4 attribute bytes, then its data: SecureBoot's is one byte, 1 for on.
    static func secureBoot(efivar bytes: [UInt8]) -> Bool? {
        bytes.count >= 5 ? bytes[4] == 1 : nil
    }

    /// `MemTotal:       98765432 kB` → bytes; nil without a MemTotal line. The kernel writes
    /// kB (fs/proc/meminfo.c, `show_val_kb`); a figure whose bytes pass UInt64.max (2^54 kB and
    /// more) is an error that names /proc/meminfo.
    static func memTotal(meminfo: String) throws(GuestPrepError) -> UInt64? {
        guard let digits = digits(after: "MemTotal:", in: meminfo) else { return nil }
        guard let kB = UInt64(digits), case let (bytes, false) = kB.multipliedReportingOverflow(by: 1024) else {
            throw .malformed(
                what: meminfoPath, reason: "MemTotal \(digits) kB is more than 16 EiB (2^64 bytes), which no machine has")
        }
        return bytes
    }

    /// `address sizes\t: 45 bits physical, 48 bits virtual` → 45.
    static func physicalAddressBits(cpuinfo: String) -> Int? {
        digits(after: "\naddress sizes", in: "\n" + cpuinfo).flatMap { Int($0) }
    }

    /// The first decimal number after `label` at the start of a line of `text` (spaces, tabs
    /// and a colon skipped), as its digits: the caller converts them and says what a number too
    /// large means. Bytes, not Characters: cpuinfo runs to many KiB, and splitting it into lines
    /// as Characters cost a tenth of a `doctor` run.
    static func digits(after label: String, in text: String) -> Substring? {
        guard let found = TextSearch.firstRange(of: label, in: Substring(text)) else { return nil }
        let utf8 = text.utf8
        var start = found.upperBound
        func isSeparator(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: ":") }
        while start < utf8.endIndex, isSeparator(utf8[start]) {
            start = utf8.index(after: start)
        }
        var end = start
        while end < utf8.endIndex, utf8[end] >= UInt8(ascii: "0") && utf8[end] <= UInt8(ascii: "9") {
            end = utf8.index(after: end)
        }
        return start == end ? nil : text[start..<end]
    }

    /// Adds what the loaded driver says of its GPUs' memory (`query`, from the driver probe):
    /// the GPUs whose total it reports, by address.
    public mutating func addDriverMemory(_ query: DriverQuery) {
        for gpu in query.gpus {
            guard let bytes = gpu.memoryTotalBytes, bytes > 0, let address = PCIAddress(gpu.address) else { continue }
            driverMemory[address] = bytes
        }
        if !driverMemory.isEmpty { driverMemorySource = query.source }
    }

    /// The GPUs (not NVSwitches).
    public var gpus: [NVIDIADevice] { devices.filter(\.isGPU) }
}
