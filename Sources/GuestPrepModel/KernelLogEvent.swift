/// A kernel log line that says something about an NVIDIA device's BARs or driver.
public struct KernelLogEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// `pci …: BAR N: no space for […]` or `BAR N […]: can't assign; no space`: the VM's
        /// MMIO window is too small for the BAR.
        case barNoSpace = "bar-no-space"
        /// `pci …: BAR N: failed to assign […]` or `BAR N […]: failed to assign`.
        case barFailedToAssign = "bar-failed-to-assign"
        /// `NVRM: BAR1 is 0M @ 0x0 (PCI:…)`: the driver found the framebuffer BAR empty.
        case nvrmBAR1Zero = "nvrm-bar1-zero"
        /// `NVRM: This PCI I/O region assigned to your NVIDIA device is invalid`.
        case nvrmInvalidRegion = "nvrm-invalid-region"
        /// `DRIVER: probe of … failed with error N`, or NVRM's `probe routine failed`.
        case probeFailed = "probe-failed"
    }

    public var kind: Kind
    /// The PCI function the line names, when it names one.
    public var device: PCIAddress?
    /// The BAR number the line names, when it names one.
    public var bar: Int?
    /// The message, without its kmsg, dmesg or journal prefix.
    public var message: String

    public init(kind: Kind, device: PCIAddress?, bar: Int?, message: String) {
        self.kind = kind
        self.device = device
        self.bar = bar
        self.message = message
    }
}
