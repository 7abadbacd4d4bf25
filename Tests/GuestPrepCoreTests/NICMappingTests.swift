import GuestPrepCore
import GuestPrepModel
import Testing

@Suite struct NICMappingTests {
    private func device(_ name: String, _ pci: String, _ mac: String) -> NetworkDevice {
        NetworkDevice(name: name, mac: mac, pciAddress: PCIAddress(pci)!, driver: "vmxnet3")
    }

    /// Four NICs in PCI order.
    private var devices: [NetworkDevice] {
        [
            device("ens161", "0000:03:00.0", "00:50:56:00:00:01"),
            device("ens192", "0000:0b:00.0", "00:50:56:00:00:02"),
            device("ens224", "0000:13:00.0", "00:50:56:00:00:03"),
            device("ens256", "0000:1b:00.0", "00:50:56:00:00:04"),
        ]
    }

    @Test func ovfAdaptersDecideTheOrderByMAC() {
        let adapters = ["00:50:56:00:00:03", "00:50:56:00:00:01", "00:50:56:00:00:04", "00:50:56:00:00:02"]
            .map { EthernetAdapter(mac: $0) }
        let mapping = NICMapping.map(adapters: adapters, devices: devices)
        #expect(mapping.slots.map(\.index) == [1, 2, 3, 4])
        #expect(mapping.slots.map { $0.device?.name } == ["ens224", "ens161", "ens256", "ens192"])
        #expect(mapping.slots.map(\.adapter) == adapters)
        #expect(mapping.unmapped.isEmpty)
    }

    @Test func adapterMACsMatchWhateverTheirCase() {
        let mapping = NICMapping.map(adapters: [EthernetAdapter(mac: "00:50:56:00:00:0A")],
            devices: [device("ens192", "0000:0b:00.0", "00:50:56:00:00:0a")])
        #expect(mapping.slot(1)?.device?.name == "ens192")
    }

    @Test func withoutAdaptersPCIOrderDecides() {
        let mapping = NICMapping.map(adapters: [], devices: devices)
        #expect(mapping.slots.map { $0.device?.name } == ["ens161", "ens192", "ens224", "ens256"])
        #expect(mapping.slots.allSatisfy { $0.adapter == nil })
        #expect(mapping.slot(1)?.keyPrefix == "guestinfo.bitfusion.host.net1")
    }

    @Test func aMACNoDeviceHasIsMissing() {
        let adapters = [EthernetAdapter(mac: "00:50:56:00:00:02"), EthernetAdapter(mac: "00:50:56:99:99:99")]
        let mapping = NICMapping.map(adapters: adapters, devices: devices)
        #expect(mapping.slot(1)?.device?.name == "ens192")
        #expect(mapping.slot(2)?.outcome == .missing(mac: "00:50:56:99:99:99"))
        #expect(mapping.slot(2)?.keyPrefix == "guestinfo.bitfusion.host.net2")
        #expect(mapping.unmapped.map(\.name) == ["ens161", "ens224", "ens256"])
    }

    @Test func moreAdaptersThanDevices() {
        let adapters = ["00:50:56:00:00:01", "00:50:56:00:00:02", "00:50:56:00:00:05"].map { EthernetAdapter(mac: $0) }
        let mapping = NICMapping.map(adapters: adapters, devices: Array(devices.prefix(2)))
        #expect(mapping.slots.map { $0.device?.name } == ["ens161", "ens192", nil])
        #expect(mapping.slot(3)?.outcome == .missing(mac: "00:50:56:00:00:05"))
        #expect(mapping.slot(4) == nil)
        #expect(mapping.unmapped.isEmpty)
    }

    @Test func aMACListedTwiceTakesItsDeviceOnce() {
        let adapters = [EthernetAdapter(mac: "00:50:56:00:00:01"), EthernetAdapter(mac: "00:50:56:00:00:01")]
        let mapping = NICMapping.map(adapters: adapters, devices: devices)
        #expect(mapping.slot(1)?.device?.name == "ens161")
        #expect(mapping.slot(2)?.outcome == .missing(mac: "00:50:56:00:00:01"))
    }

    @Test func devicesBeyondFourOrNotNamedAreUnmapped() {
        let extra = devices + [device("ens257", "0000:1b:00.1", "00:50:56:00:00:05")]
        let byPCI = NICMapping.map(adapters: [], devices: extra)
        #expect(byPCI.slots.count == 4)
        #expect(byPCI.unmapped.map(\.name) == ["ens257"])

        // Five adapters: the fifth is no netN, so its device is unmapped too.
        let adapters = ["00:50:56:00:00:05", "00:50:56:00:00:04", "00:50:56:00:00:03", "00:50:56:00:00:02", "00:50:56:00:00:01"]
            .map { EthernetAdapter(mac: $0) }
        let byMAC = NICMapping.map(adapters: adapters, devices: extra)
        #expect(byMAC.slots.map { $0.device?.name } == ["ens257", "ens256", "ens224", "ens192"])
        #expect(byMAC.unmapped.map(\.name) == ["ens161"])
    }

    @Test func noDevicesAndNoAdaptersGiveNoSlots() {
        let mapping = NICMapping.map(adapters: [], devices: [])
        #expect(mapping.slots.isEmpty && mapping.unmapped.isEmpty)
    }

    @Test func softwareLinksAnswerOnlyAdaptersNoDeviceHas() {
        // A container: its NICs are veths. One of them shares a MAC with a PCI NIC (a VLAN or
        // a veth given the same address), which the device-backed NIC wins.
        let veths = [
            NetworkDevice(name: "eth0", mac: "02:00:00:00:01:01", location: .software, driver: nil),
            NetworkDevice(name: "eth1", mac: "00:50:56:00:00:02", location: .software, driver: nil),
            NetworkDevice(name: "eth9", mac: "02:00:00:00:09:09", location: .software, driver: nil),
        ]
        let adapters = ["02:00:00:00:01:01", "00:50:56:00:00:02"].map { EthernetAdapter(mac: $0) }
        let mapping = NICMapping.map(adapters: adapters, devices: devices, softwareLinks: veths)
        #expect(mapping.slots.map { $0.device?.name } == ["eth0", "ens192"])
        #expect(mapping.slots.first?.device?.location == .software)
        // Unnamed software links are never "unmapped" NICs; the PCI NICs no adapter named are.
        #expect(mapping.unmapped.map(\.name) == ["ens161", "ens224", "ens256"])
    }

    @Test func withoutAdaptersSoftwareLinksAreNeverNumbered() {
        let veth = NetworkDevice(name: "eth0", mac: "02:00:00:00:01:01", location: .software, driver: nil)
        let mapping = NICMapping.map(adapters: [], devices: [], softwareLinks: [veth])
        #expect(mapping.slots.isEmpty)
        #expect(mapping.unmapped.isEmpty)
    }
}
