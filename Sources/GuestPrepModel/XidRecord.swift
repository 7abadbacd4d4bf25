/// One Xid record of the NVIDIA driver in the kernel log: an error the GPU or its driver
/// reported (`NVRM: Xid (PCI:0000:0b:00): 79, pid=…, GPU has fallen off the bus.`).
public struct XidRecord: Sendable, Equatable {
    /// The GPU the record names: NVRM prints domain, bus and device only, so the function is 0
    /// (a GPU is function 0 of its slot); nil when the address cannot be read.
    public var device: PCIAddress?
    /// The Xid number (79: the GPU has fallen off the bus).
    public var code: Int
    /// The message, without its kmsg, dmesg or journal prefix.
    public var message: String

    public init(device: PCIAddress?, code: Int, message: String) {
        self.device = device
        self.code = code
        self.message = message
    }
}
