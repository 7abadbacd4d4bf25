import GuestPrepModel

/// Which NIC each of net1…net4 names.
///
/// When the OVF environment lists Ethernet adapters, netN is the Nth adapter, found among the
/// devices by MAC: the hypervisor's adapter order is what the operator filled the properties
/// in by, and the guest's PCI order need not follow it. Without adapters (no OVF environment,
/// or one without an EthernetAdapterSection), netN is the Nth device in PCI order.
public struct NICMapping: Sendable, Equatable {
    /// One netN and what it resolved to.
    public struct Slot: Sendable, Equatable {
        /// N in netN, 1…4.
        public var index: Int
        /// The OVF adapter that defined this slot; nil when it came from PCI order.
        public var adapter: EthernetAdapter?
        public var outcome: Outcome

        /// `guestinfo.bitfusion.host.netN`, the prefix of this slot's property keys.
        public var keyPrefix: String { "guestinfo.bitfusion.host.net\(index)" }

        /// The matched device, nil when missing.
        public var device: NetworkDevice? {
            if case .matched(let device) = outcome { device } else { nil }
        }
    }

    public enum Outcome: Sendable, Equatable {
        case matched(NetworkDevice)
        /// The OVF environment names an adapter with this MAC, but no device has it (or an
        /// earlier slot already took the device: the environment listed the MAC twice).
        case missing(mac: String)
    }

    /// The slots in netN order. Without adapters there is a slot per device, up to four; with
    /// adapters, a slot per adapter, up to four.
    public var slots: [Slot]
    /// Devices no slot took, in PCI order.
    public var unmapped: [NetworkDevice]

    public init(slots: [Slot], unmapped: [NetworkDevice]) {
        self.slots = slots
        self.unmapped = unmapped
    }

    /// The slot for netN, nil when there is none (fewer adapters or devices than N).
    public func slot(_ index: Int) -> Slot? { slots.first { $0.index == index } }

    /// Maps net1…net4 (`PropertyKeys.nicCount`) to `devices`, which should be in PCI order
    /// as `NetworkDeviceScanner.scan` returns them. `softwareLinks` (veths: a container's
    /// NICs) are taken only for an adapter whose MAC no device has, since the OVF environment
    /// naming a MAC is the only sign that such a link is this machine's NIC; they are never
    /// numbered by order and never listed as unmapped.
    public static func map(
        adapters: [EthernetAdapter], devices: [NetworkDevice], softwareLinks: [NetworkDevice] = []
    ) -> NICMapping {
        var links = softwareLinks
        var remaining = devices
        var slots: [Slot] = []
        if adapters.isEmpty {
            for (offset, device) in devices.prefix(PropertyKeys.nicCount).enumerated() {
                slots.append(Slot(index: offset + 1, adapter: nil, outcome: .matched(device)))
            }
            remaining.removeFirst(slots.count)
        } else {
            for (offset, adapter) in adapters.prefix(PropertyKeys.nicCount).enumerated() {
                let mac = adapter.mac.lowercased()
                if let position = remaining.firstIndex(where: { $0.mac == mac }) {
                    slots.append(Slot(index: offset + 1, adapter: adapter, outcome: .matched(remaining.remove(at: position))))
                } else if let position = links.firstIndex(where: { $0.mac == mac }) {
                    slots.append(Slot(index: offset + 1, adapter: adapter, outcome: .matched(links.remove(at: position))))
                } else {
                    slots.append(Slot(index: offset + 1, adapter: adapter, outcome: .missing(mac: mac)))
                }
            }
        }
        return NICMapping(slots: slots, unmapped: remaining)
    }
}
