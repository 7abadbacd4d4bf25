/// One NVIDIA PCI function found in sysfs (vendor 0x10de): a GPU (class 0x03xx) or an NVSwitch
/// (class 0x0680), with what the guest can see of it.
public struct NVIDIADevice: Sendable, Equatable, Codable {
    public var address: PCIAddress
    public var deviceID: UInt16
    public var subsystemVendorID: UInt16?
    public var subsystemDeviceID: UInt16?
    /// The 24-bit class code (`0x030200`: 3D controller; `0x030000`: VGA; `0x068000`: bridge).
    public var classCode: UInt32
    /// BARs 0–5 as the kernel assigned them (`resource`), in index order; a BAR the function
    /// does not have is left out.
    public var bars: [PCIBAR]
    /// BARs as the function declares them in config space; empty when `config` was unreadable.
    public var declaredBARs: [DeclaredBAR]
    public var currentLinkWidth: Int?
    public var maxLinkWidth: Int?
    /// `8.0 GT/s PCIe`, as sysfs words it.
    public var currentLinkSpeed: String?
    public var maxLinkSpeed: String?
    /// The NUMA node, nil when sysfs says -1 (none) or has no entry.
    public var numaNode: Int?
    /// The bound driver (`nvidia`, `nouveau`, `vfio-pci`), nil when none.
    public var driver: String?

    public init(
        address: PCIAddress, deviceID: UInt16, subsystemVendorID: UInt16? = nil, subsystemDeviceID: UInt16? = nil,
        classCode: UInt32, bars: [PCIBAR] = [], declaredBARs: [DeclaredBAR] = [], currentLinkWidth: Int? = nil,
        maxLinkWidth: Int? = nil, currentLinkSpeed: String? = nil, maxLinkSpeed: String? = nil, numaNode: Int? = nil,
        driver: String? = nil
    ) {
        self.address = address
        self.deviceID = deviceID
        self.subsystemVendorID = subsystemVendorID
        self.subsystemDeviceID = subsystemDeviceID
        self.classCode = classCode
        self.bars = bars
        self.declaredBARs = declaredBARs
        self.currentLinkWidth = currentLinkWidth
        self.maxLinkWidth = maxLinkWidth
        self.currentLinkSpeed = currentLinkSpeed
        self.maxLinkSpeed = maxLinkSpeed
        self.numaNode = numaNode
        self.driver = driver
    }

    /// NVIDIA's PCI vendor ID.
    public static let vendorID: UInt16 = 0x10de

    /// Whether the function is a GPU (display controller class 0x03).
    public var isGPU: Bool { classCode >> 16 == 0x03 }
    /// Whether the function is an NVSwitch (bridge class 0x06, subclass 0x80 "other").
    public var isNVSwitch: Bool { classCode >> 8 == 0x0680 }

    /// The declared BARs the kernel left without a window: declared in config space, and
    /// either missing from `resource` or there unassigned.
    public var unassignedBARs: [DeclaredBAR] {
        declaredBARs.filter { declared in
            !(bars.first { $0.index == declared.index }?.isAssigned ?? false)
        }
    }
}
