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
    public init?(_ text: String) { self.init(Substring(text)) }

    /// As `init(_:)` for a String. Concrete, not generic over StringProtocol: an unspecialised
    /// generic pays a runtime witness lookup per byte (callgrind).
    public init?(_ text: Substring) {
        // Bytes and no arrays: every entry of /sys/bus/pci/devices is tried once per NIC when
        // pairing PVRDMA functions.
        var field = 0
        var values: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var digits: (Int, Int, Int, Int) = (0, 0, 0, 0)
        for byte in text.utf8 {
            if (byte == UInt8(ascii: ":") && field < 2) || (byte == UInt8(ascii: ".") && field == 2) {
                field += 1
                continue
            }
            guard let value = Self.hexValue(byte) else { return nil }
            switch field {
            case 0: values.0 = values.0 << 4 | UInt64(value); digits.0 += 1
            case 1: values.1 = values.1 << 4 | UInt64(value); digits.1 += 1
            case 2: values.2 = values.2 << 4 | UInt64(value); digits.2 += 1
            default: values.3 = values.3 << 4 | UInt64(value); digits.3 += 1
            }
            guard digits.0 <= 8, digits.1 <= 2, digits.2 <= 2, digits.3 <= 1 else { return nil }
        }
        guard field == 3, digits.0 >= 4, digits.1 == 2, digits.2 == 2, digits.3 == 1, values.2 <= 0x1f, values.3 <= 7
        else { return nil }
        self.init(domain: UInt32(values.0), bus: UInt8(values.1), device: UInt8(values.2), function: UInt8(values.3))
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

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

/// A Hyper-V VMBus device: where a synthetic NIC (driver hv_netvsc) sits instead of a PCI slot.
public struct VMBusAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The device's instance GUID, lower-case: the name of its directory in sysfs.
    public var instance: String
    /// The child relid of the device's primary channel (sysfs `id`): the order Hyper-V offered
    /// the devices in, which is the order the kernel named them. Nil when unreadable.
    public var channel: Int?

    public init(instance: String, channel: Int?) {
        self.instance = instance.lowercased()
        self.channel = channel
    }

    /// `VMBus 6e2f1d84-…`, with ` channel 14` when known.
    public var description: String {
        "VMBus \(instance)" + (channel.map { " channel \($0)" } ?? "")
    }

    /// Whether `text` is a GUID as sysfs names VMBus devices: 8-4-4-4-12 hex digits.
    public static func isInstanceGUID(_ text: some StringProtocol) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12]
            && groups.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isHexDigit } }
    }
}

/// Where a NIC sits, and the order NICs without an OVF adapter list are numbered in: VMBus
/// NICs first (on Hyper-V the synthetic NICs are the VM's network adapters), by channel, then
/// PCI NICs by address. Software links come last and are never numbered by location.
public enum NICLocation: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    case pci(PCIAddress)
    case vmbus(VMBusAddress)
    /// No device behind the link: a veth or another software Ethernet link, as a container's
    /// NICs are. Taken only when the OVF environment names its MAC (`NICMapping`).
    case software

    /// The PCI address, nil on VMBus.
    public var pciAddress: PCIAddress? {
        if case .pci(let address) = self { address } else { nil }
    }

    /// `PCI order` or `VMBus channel order`: what numbering by location means here.
    public var orderName: String {
        switch self {
        case .pci: "PCI order"
        case .vmbus: "VMBus channel order"
        case .software: "software link"
        }
    }

    public var description: String {
        switch self {
        case .pci(let address): address.description
        case .vmbus(let address): address.description
        case .software: "software link (no device)"
        }
    }

    public static func < (lhs: NICLocation, rhs: NICLocation) -> Bool {
        switch (lhs, rhs) {
        case (.software, _): false
        case (_, .software): true
        case (.vmbus, .pci): true
        case (.pci, .vmbus): false
        case (.pci(let left), .pci(let right)): left < right
        case (.vmbus(let left), .vmbus(let right)):
            // A known channel before an unknown one; the GUID settles the rest.
            (left.channel ?? .max, left.instance) < (right.channel ?? .max, right.instance)
        }
    }
}

/// One physical Ethernet NIC found in sysfs.
public struct NetworkDevice: Sendable, Equatable, Codable {
    /// The kernel's interface name (`ens192`, `eth0`).
    public var name: String
    /// Lower-case, colon-separated MAC address.
    public var mac: String
    /// The PCI function the NIC sits on (for a virtio NIC, the PCI function of its virtio
    /// device), or its VMBus device on Hyper-V.
    public var location: NICLocation
    /// The bound kernel driver (`vmxnet3`, `virtio_net`, `e1000e`, `hv_netvsc`, …), nil when
    /// none is bound.
    public var driver: String?
    /// The vmw_pvrdma function paired with this NIC, when there is one (see `RDMAFunction`).
    public var rdma: RDMAFunction?
    /// The SR-IOV virtual function that carries this synthetic NIC's traffic (Hyper-V
    /// accelerated networking), when one is present (see `AcceleratedFunction`).
    public var accelerated: AcceleratedFunction?

    public init(
        name: String, mac: String, location: NICLocation, driver: String?, rdma: RDMAFunction? = nil,
        accelerated: AcceleratedFunction? = nil
    ) {
        self.name = name
        self.mac = mac.lowercased()
        self.location = location
        self.driver = driver
        self.rdma = rdma
        self.accelerated = accelerated
    }

    /// A NIC on a PCI function.
    public init(name: String, mac: String, pciAddress: PCIAddress, driver: String?, rdma: RDMAFunction? = nil) {
        self.init(name: name, mac: mac, location: .pci(pciAddress), driver: driver, rdma: rdma)
    }

    /// The PCI address, nil for a NIC on VMBus.
    public var pciAddress: PCIAddress? { location.pciAddress }

    /// Whether the NIC is a Hyper-V synthetic NIC on VMBus.
    public var isSynthetic: Bool {
        if case .vmbus = location { true } else { false }
    }
}

/// The SR-IOV virtual function of a Hyper-V synthetic NIC. With accelerated networking, Hyper-V
/// gives the VM a PCI virtual function with the same MAC as the synthetic NIC, and hv_netvsc
/// sends the NIC's traffic through it; the VF must never be configured on its own. The pair is
/// recognised by this rule: a PCI Ethernet NIC whose MAC equals a VMBus NIC's.
public struct AcceleratedFunction: Sendable, Equatable, Codable {
    /// The VF's interface name (`enP30832s1`).
    public var name: String
    public var pciAddress: PCIAddress
    /// Its driver (`mlx5_core`, `mlx4_en`), nil when none is bound.
    public var driver: String?

    public init(name: String, pciAddress: PCIAddress, driver: String?) {
        self.name = name
        self.pciAddress = pciAddress
        self.driver = driver
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
