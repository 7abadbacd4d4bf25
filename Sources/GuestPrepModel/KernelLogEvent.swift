/// A kernel log line that says something about an NVIDIA device's BARs or driver.
public struct KernelLogEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// `pci …: BAR N: no space for […]` or `BAR N […]: can't assign; no space`: the VM's
        /// MMIO window is too small for the BAR.
        case barNoSpace = "bar-no-space"
        /// `pci …: BAR N: failed to assign […]` or `BAR N […]: failed to assign`.
        case barFailedToAssign = "bar-failed-to-assign"
        /// `NVRM: BAR1 is 0M @ 0x0 (PCI:…)`: the driver found a BAR empty (BAR1, the framebuffer,
        /// before Hopper; Hopper names BAR0 or BAR2).
        case nvrmBARZero = "nvrm-bar-zero"
        /// `NVRM: This PCI I/O region assigned to your NVIDIA device is invalid`.
        case nvrmInvalidRegion = "nvrm-invalid-region"
        /// `DRIVER: probe of … failed with error N` (`DRIVER ADDRESS: probe with driver DRIVER
        /// failed with error N` since Linux 6.10), or NVRM's `probe routine failed`.
        case probeFailed = "probe-failed"
        /// `hv_pci GUID: Need 0x… of high MMIO space. Consider reconfiguring the VM.`: Hyper-V's
        /// virtual PCI bus for a DDA device found no room in the VM's high MMIO gap, so the
        /// device never appears on the guest's PCI bus.
        case hypervHighMMIOShort = "hyperv-high-mmio-short"
        /// The same for the low (32-bit) MMIO gap.
        case hypervLowMMIOShort = "hyperv-low-mmio-short"
    }

    public var kind: Kind
    /// The PCI function the line names, when it names one.
    public var device: PCIAddress?
    /// The BAR number the line names, when it names one.
    public var bar: Int?
    /// The byte count the line names: the MMIO space hv_pci needs.
    public var bytes: UInt64?
    /// The message, without its kmsg, dmesg or journal prefix.
    public var message: String

    public init(kind: Kind, device: PCIAddress?, bar: Int?, bytes: UInt64? = nil, message: String) {
        self.kind = kind
        self.device = device
        self.bar = bar
        self.bytes = bytes
        self.message = message
    }
}
