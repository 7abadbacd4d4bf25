/// A PCI function address, `DOMAIN:BUS:DEVICE.FUNCTION` in hex (`0000:0b:00.0`), as sysfs
/// names PCI devices. Ordered numerically by domain, bus, device, function: the order the
/// hypervisor's virtual slots give the NICs.
public struct PCIAddress: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var domain: UInt32
    public var bus: UInt8
    public var device: UInt8
    public var function: UInt8

    public init(domain: UInt32, bus: UInt8, device: UInt8, function: UInt8) {
        self.domain = domain
        self.bus = bus
        self.device = device
        self.function = function
    }

    /// Parses `0000:0b:00.0` (case-insensitive; the domain may have 4 to 8 hex digits, as on
    /// hosts with VMD domains such as `10000`). Nil for anything else, including a device
    /// above 0x1f or a function above 7.
    public init?(_ text: some StringProtocol) {
        let parts = Substring(text).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let slot = parts[2].split(separator: ".", omittingEmptySubsequences: false)
        guard slot.count == 2,
            (4...8).contains(parts[0].count), parts[1].count == 2, slot[0].count == 2, slot[1].count == 1,
            let domain = Self.hex(parts[0]).flatMap(UInt32.init(exactly:)),
            let bus = Self.hex(parts[1]).flatMap(UInt8.init(exactly:)),
            let device = Self.hex(slot[0]).flatMap(UInt8.init(exactly:)), device <= 0x1f,
            let function = Self.hex(slot[1]).flatMap(UInt8.init(exactly:)), function <= 7
        else { return nil }
        self.init(domain: domain, bus: bus, device: device, function: function)
    }

    /// Whether both addresses name functions of the same slot (same domain, bus and device).
    public func sameSlot(as other: PCIAddress) -> Bool {
        domain == other.domain && bus == other.bus && device == other.device
    }

    public var description: String {
        Self.pad(String(domain, radix: 16), 4) + ":" + Self.pad(String(bus, radix: 16), 2) + ":"
            + Self.pad(String(device, radix: 16), 2) + "." + String(function, radix: 16)
    }

    public static func < (lhs: PCIAddress, rhs: PCIAddress) -> Bool {
        (lhs.domain, lhs.bus, lhs.device, lhs.function) < (rhs.domain, rhs.bus, rhs.device, rhs.function)
    }

    private static func hex(_ text: Substring) -> UInt64? {
        // UInt64(_:radix:) accepts a leading sign, which an address never has.
        guard text.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        return UInt64(text, radix: 16)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

/// One physical Ethernet NIC found in sysfs.
public struct NetworkDevice: Sendable, Equatable, Codable {
    /// The kernel's interface name (`ens192`, `eth0`).
    public var name: String
    /// Lower-case, colon-separated MAC address.
    public var mac: String
    /// The PCI function the NIC sits on; for a virtio NIC, the PCI function of its virtio device.
    public var pciAddress: PCIAddress
    /// The bound kernel driver (`vmxnet3`, `virtio_net`, `e1000e`, …), nil when none is bound.
    public var driver: String?
    /// The vmw_pvrdma function paired with this NIC, when there is one (see `RDMAFunction`).
    public var rdma: RDMAFunction?

    public init(name: String, mac: String, pciAddress: PCIAddress, driver: String?, rdma: RDMAFunction? = nil) {
        self.name = name
        self.mac = mac.lowercased()
        self.pciAddress = pciAddress
        self.driver = driver
        self.rdma = rdma
    }
}

/// A VMware PVRDMA function paired with a NIC. A PVRDMA adapter is one virtual PCI slot with
/// two functions: the Ethernet function (driver vmxnet3) and the RDMA function (driver
/// vmw_pvrdma). The pair is recognised by this rule: a PCI function under
/// /sys/bus/pci/devices with the NIC's domain, bus and device, another function number, and
/// driver vmw_pvrdma.
public struct RDMAFunction: Sendable, Equatable, Codable {
    /// The RDMA function's PCI address (`0000:0b:00.1`).
    public var pciAddress: PCIAddress
    /// The RDMA device name under the function's `infiniband` directory (`vmw_pvrdma0`), nil
    /// when the driver has not registered one.
    public var deviceName: String?

    public init(pciAddress: PCIAddress, deviceName: String?) {
        self.pciAddress = pciAddress
        self.deviceName = deviceName
    }
}
