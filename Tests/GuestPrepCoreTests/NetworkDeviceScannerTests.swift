import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

/// Builds sysfs trees the way the kernel lays them out: /sys/class/net/NAME is a link into
/// /sys/devices, `device` and `driver` are relative links, /sys/bus/pci/devices holds links.
struct SysfsBuilder {
    let fs = InMemoryFileSystem()

    /// A NIC on a PCI function, in the modern layout.
    func pciNIC(
        _ name: String, pci: String, mac: String, driver: String?, bridge: String = "0000:00:15.0",
        type: String = "1"
    ) {
        let function = "/sys/devices/pci0000:00/\(bridge)/\(pci)"
        pciFunction(pci, bridge: bridge, driver: driver)
        netEntry(name, at: function + "/net/\(name)", mac: mac, type: type)
        fs.setLink(function + "/net/\(name)/device", to: "../../../\(pci)")
    }

    /// A PCI function with no net interface (the vmw_pvrdma half of a PVRDMA adapter).
    func pciFunction(_ pci: String, bridge: String = "0000:00:15.0", driver: String?) {
        let function = "/sys/devices/pci0000:00/\(bridge)/\(pci)"
        fs.setText(function + "/vendor", "0x15ad\n")
        if let driver { fs.setLink(function + "/driver", to: "../../../../bus/pci/drivers/\(driver)") }
        fs.setLink("/sys/bus/pci/devices/\(pci)", to: "../../../devices/pci0000:00/\(bridge)/\(pci)")
    }

    /// A virtio NIC: the net device hangs off virtioN, which hangs off the PCI function.
    func virtioNIC(_ name: String, pci: String, virtio: String, mac: String) {
        let function = "/sys/devices/pci0000:00/\(pci)"
        fs.setText(function + "/vendor", "0x1af4\n")
        fs.setLink(function + "/driver", to: "../../../bus/pci/drivers/virtio-pci")
        fs.setLink(function + "/\(virtio)/driver", to: "../../../../bus/virtio/drivers/virtio_net")
        netEntry(name, at: function + "/\(virtio)/net/\(name)", mac: mac, type: "1")
        fs.setLink(function + "/\(virtio)/net/\(name)/device", to: "../../../\(virtio)")
    }

    /// A Hyper-V synthetic NIC: the net device hangs off a VMBus device named by its instance
    /// GUID, with the synthetic network adapter's `class_id` and its channel relid in `id`.
    func vmbusNIC(
        _ name: String, instance: String, channel: String?, mac: String,
        classID: String = "{f8615163-df3e-46c5-913f-f2d2f965ed0e}"
    ) {
        let device = "/sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0004:00/VMBUS:00/\(instance)"
        fs.setText(device + "/class_id", classID + "\n")
        fs.setText(device + "/device_id", "{\(instance)}\n")
        if let channel { fs.setText(device + "/id", channel + "\n") }
        fs.setLink(device + "/driver", to: "../../../../../../bus/vmbus/drivers/hv_netvsc")
        netEntry(name, at: device + "/net/\(name)", mac: mac, type: "1")
        fs.setLink(device + "/net/\(name)/device", to: "../../../\(instance)")
    }

    /// A software interface under /sys/devices/virtual/net, with no `device`.
    func virtualNIC(_ name: String, mac: String, type: String = "1", marker: String? = nil) {
        let path = "/sys/devices/virtual/net/\(name)"
        netEntry(name, at: path, mac: mac, type: type)
        if let marker { fs.setText(path + "/\(marker)/placeholder", "0\n") }
    }

    private func netEntry(_ name: String, at path: String, mac: String, type: String) {
        fs.setText(path + "/type", type + "\n")
        fs.setText(path + "/address", mac + "\n")
        fs.setLink("/sys/class/net/\(name)", to: "../.." + path.dropFirst("/sys".count))
    }
}

@Suite struct NetworkDeviceScannerTests {
    /// A VMware VM: four vmxnet3 NICs whose names do not follow PCI order, one of them half of
    /// a PVRDMA adapter, and the software interfaces a running system has.
    private func vmwareTree() -> InMemoryFileSystem {
        let sys = SysfsBuilder()
        sys.pciNIC("ens256", pci: "0000:1b:00.0", mac: "00:50:56:00:00:04", driver: "vmxnet3", bridge: "0000:00:18.0")
        sys.pciNIC("ens161", pci: "0000:03:00.0", mac: "00:50:56:00:00:01", driver: "vmxnet3", bridge: "0000:00:15.1")
        sys.pciNIC("ens192", pci: "0000:0b:00.0", mac: "00:50:56:00:00:02", driver: "vmxnet3", bridge: "0000:00:16.0")
        sys.pciNIC("ens224", pci: "0000:13:00.0", mac: "00:50:56:00:00:03", driver: "vmxnet3", bridge: "0000:00:17.0")
        sys.pciFunction("0000:0b:00.1", bridge: "0000:00:16.0", driver: "vmw_pvrdma")
        sys.fs.setText("/sys/devices/pci0000:00/0000:00:16.0/0000:0b:00.1/infiniband/vmw_pvrdma0/node_type", "1: CA\n")
        sys.virtualNIC("lo", mac: "00:00:00:00:00:00", type: "772")
        sys.virtualNIC("br0", mac: "02:00:00:00:00:10", marker: "bridge")
        sys.virtualNIC("bond0", mac: "02:00:00:00:00:11", marker: "bonding")
        sys.virtualNIC("veth1a2b", mac: "02:00:00:00:00:12")
        sys.virtualNIC("sit0", mac: "00:00:00:00", type: "776")
        return sys.fs
    }

    @Test func keepsPhysicalEthernetInPCIOrder() throws {
        let devices = try NetworkDeviceScanner.scan(fs: vmwareTree())
        #expect(devices.map(\.name) == ["ens161", "ens192", "ens224", "ens256"])
        #expect(devices.map(\.location.description) == ["0000:03:00.0", "0000:0b:00.0", "0000:13:00.0", "0000:1b:00.0"])
        #expect(devices.map(\.mac) == ["00:50:56:00:00:01", "00:50:56:00:00:02", "00:50:56:00:00:03", "00:50:56:00:00:04"])
        #expect(devices.allSatisfy { $0.driver == "vmxnet3" })
    }

    @Test func softwareLinksAreVethsNotBridgesBondsTunsOrStackedLinks() throws {
        let sys = SysfsBuilder()
        sys.pciNIC("ens192", pci: "0000:0b:00.0", mac: "00:50:56:00:00:02", driver: "vmxnet3")
        sys.virtualNIC("lo", mac: "00:00:00:00:00:00", type: "772")
        sys.virtualNIC("br0", mac: "02:00:00:00:00:10", marker: "bridge")
        sys.virtualNIC("bond0", mac: "02:00:00:00:00:11", marker: "bonding")
        sys.virtualNIC("tap0", mac: "02:00:00:00:00:13", marker: "tun_flags")
        sys.virtualNIC("ens192.100", mac: "00:50:56:00:00:02", marker: "lower_ens192")
        sys.virtualNIC("eth1", mac: "02:00:00:00:00:21")
        sys.virtualNIC("eth0", mac: "02:00:00:00:00:20")
        sys.virtualNIC("eth2", mac: "00:00:00:00:00:00")
        let links = NetworkDeviceScanner.softwareLinks(fs: sys.fs)
        #expect(links.map(\.name) == ["eth0", "eth1"])
        #expect(links.allSatisfy { $0.location == .software && $0.driver == nil })
        // The physical scan is unchanged: only the PCI NIC.
        #expect(try NetworkDeviceScanner.scan(fs: sys.fs).map(\.name) == ["ens192"])
    }

    @Test func pairsThePVRDMAFunctionInTheSameSlot() throws {
        let devices = try NetworkDeviceScanner.scan(fs: vmwareTree())
        let paired = devices.filter { $0.rdma != nil }
        #expect(paired.map(\.name) == ["ens192"])
        #expect(paired.first?.rdma == RDMAFunction(pciAddress: PCIAddress("0000:0b:00.1")!, deviceName: "vmw_pvrdma0"))
    }

    @Test func aFunctionInTheSameSlotWithAnotherDriverIsNotRDMA() throws {
        let sys = SysfsBuilder()
        sys.pciNIC("ens192", pci: "0000:0b:00.0", mac: "00:50:56:00:00:02", driver: "vmxnet3")
        sys.pciFunction("0000:0b:00.1", driver: "vmxnet3")
        sys.pciFunction("0000:0c:00.1", driver: "vmw_pvrdma")
        let devices = try NetworkDeviceScanner.scan(fs: sys.fs)
        #expect(devices.map(\.rdma) == [nil])
    }

    @Test func virtioNICTakesThePCIAddressAboveItsVirtioDevice() throws {
        let sys = SysfsBuilder()
        sys.virtioNIC("enp0s3", pci: "0000:00:03.0", virtio: "virtio0", mac: "52:54:00:12:34:56")
        sys.virtioNIC("enp0s2", pci: "0000:00:02.0", virtio: "virtio1", mac: "52:54:00:AB:CD:EF")
        let devices = try NetworkDeviceScanner.scan(fs: sys.fs)
        #expect(devices.map(\.name) == ["enp0s2", "enp0s3"])
        #expect(devices.map(\.location.description) == ["0000:00:02.0", "0000:00:03.0"])
        #expect(devices.map(\.driver) == ["virtio_net", "virtio_net"])
        #expect(devices.map(\.mac) == ["52:54:00:ab:cd:ef", "52:54:00:12:34:56"])
    }

    @Test func readsTheOlderLayoutWhereOnlyDeviceIsALink() throws {
        let fs = InMemoryFileSystem([
            "/sys/class/net/eth0/type": "1\n", "/sys/class/net/eth0/address": "00:15:5d:01:02:03\n",
            "/sys/devices/pci0000:00/0000:00:1f.6/vendor": "0x8086\n",
        ])
        fs.setLink("/sys/class/net/eth0/device", to: "../../../devices/pci0000:00/0000:00:1f.6")
        fs.setLink("/sys/devices/pci0000:00/0000:00:1f.6/driver", to: "../../../bus/pci/drivers/e1000e")
        let devices = try NetworkDeviceScanner.scan(fs: fs)
        #expect(devices == [NetworkDevice(name: "eth0", mac: "00:15:5d:01:02:03", pciAddress: PCIAddress("0000:00:1f.6")!, driver: "e1000e")])
    }

    @Test func anUnboundNICHasNoDriver() throws {
        let sys = SysfsBuilder()
        sys.pciNIC("ens192", pci: "0000:0b:00.0", mac: "00:50:56:00:00:02", driver: nil)
        #expect(try NetworkDeviceScanner.scan(fs: sys.fs).map(\.driver) == [nil])
    }

    @Test func leavesOutWirelessNonEthernetAndMarkedInterfacesEvenOnPCI() throws {
        let sys = SysfsBuilder()
        sys.pciNIC("wlp2s0", pci: "0000:02:00.0", mac: "00:11:22:33:44:55", driver: "iwlwifi")
        sys.fs.setLink("/sys/devices/pci0000:00/0000:00:15.0/0000:02:00.0/net/wlp2s0/phy80211", to: "../../ieee80211/phy0")
        sys.pciNIC("wlp2s1", pci: "0000:02:00.1", mac: "00:11:22:33:44:56", driver: "iwlwifi")
        sys.fs.setText("/sys/devices/pci0000:00/0000:00:15.0/0000:02:00.1/net/wlp2s1/wireless/link", "0\n")
        sys.pciNIC("ib0", pci: "0000:04:00.0", mac: "00:11:22:33:44:57", driver: "mlx5_core", type: "32")
        sys.pciNIC("lo9", pci: "0000:05:00.0", mac: "00:11:22:33:44:58", driver: "x", type: "772")
        sys.pciNIC("odd0", pci: "0000:06:00.0", mac: "00:11:22:33:44:59", driver: "x")
        sys.fs.setText("/sys/devices/pci0000:00/0000:00:15.0/0000:06:00.0/net/odd0/bridge/stp_state", "0\n")
        sys.pciNIC("ens192", pci: "0000:0b:00.0", mac: "00:50:56:00:00:02", driver: "vmxnet3")
        #expect(try NetworkDeviceScanner.scan(fs: sys.fs).map(\.name) == ["ens192"])
    }

    @Test func skipsGarbledEntriesAndKeepsTheRest() throws {
        let sys = SysfsBuilder()
        sys.pciNIC("badmac", pci: "0000:02:00.0", mac: "00:50:56:zz:00:01", driver: "vmxnet3")
        sys.pciNIC("zeromac", pci: "0000:02:01.0", mac: "00:00:00:00:00:00", driver: "vmxnet3")
        sys.pciNIC("badtype", pci: "0000:02:02.0", mac: "00:50:56:00:00:03", driver: "vmxnet3", type: "ether")
        sys.pciNIC("ens192", pci: "0000:0b:00.0", mac: "00:50:56:00:00:02", driver: "vmxnet3")
        // A device link that does not end in a PCI function, and one that dangles.
        sys.fs.setText("/sys/devices/platform/foo/net/plat0/type", "1\n")
        sys.fs.setText("/sys/devices/platform/foo/net/plat0/address", "00:50:56:00:00:05\n")
        sys.fs.setLink("/sys/class/net/plat0", to: "../../devices/platform/foo/net/plat0")
        sys.fs.setLink("/sys/devices/platform/foo/net/plat0/device", to: "../../../foo")
        sys.fs.setText("/sys/class/net/dangling/type", "1\n")
        sys.fs.setText("/sys/class/net/dangling/address", "00:50:56:00:00:06\n")
        sys.fs.setLink("/sys/class/net/dangling/device", to: "../../../devices/pci0000:00/0000:00:09.0")
        #expect(try NetworkDeviceScanner.scan(fs: sys.fs).map(\.name) == ["ens192"])
    }

    @Test func hyperVSyntheticNICsComeInChannelOrderBeforePCINICs() throws {
        let sys = SysfsBuilder()
        sys.vmbusNIC("eth1", instance: "0a1b2c3d-0000-4000-8000-000000000002", channel: "15", mac: "00:15:5D:00:00:02")
        sys.vmbusNIC("eth0", instance: "ff1b2c3d-0000-4000-8000-000000000001", channel: "14", mac: "00:15:5d:00:00:01")
        sys.vmbusNIC("eth3", instance: "0a1b2c3d-0000-4000-8000-000000000009", channel: nil, mac: "00:15:5d:00:00:09")
        sys.pciNIC("eth2", pci: "0000:00:02.0", mac: "00:15:5d:00:00:03", driver: "e1000e")
        let devices = try NetworkDeviceScanner.scan(fs: sys.fs)
        #expect(devices.map(\.name) == ["eth0", "eth1", "eth3", "eth2"])
        #expect(devices.map(\.driver) == ["hv_netvsc", "hv_netvsc", "hv_netvsc", "e1000e"])
        #expect(devices.map(\.isSynthetic) == [true, true, true, false])
        #expect(devices[0].mac == "00:15:5d:00:00:01")
        #expect(devices[0].location == .vmbus(VMBusAddress(instance: "FF1B2C3D-0000-4000-8000-000000000001", channel: 14)))
        #expect(devices[0].location.description == "VMBus ff1b2c3d-0000-4000-8000-000000000001 channel 14")
        #expect(devices[2].location.description == "VMBus 0a1b2c3d-0000-4000-8000-000000000009")
        #expect(devices.map(\.pciAddress) == [nil, nil, nil, PCIAddress("0000:00:02.0")])
    }

    @Test func theAcceleratedNetworkingVFIsAttachedToItsSyntheticNICNotListed() throws {
        let sys = SysfsBuilder()
        sys.vmbusNIC("eth0", instance: "ff1b2c3d-0000-4000-8000-000000000001", channel: "14", mac: "00:15:5d:00:00:01")
        sys.pciNIC("enP30832s1", pci: "7870:00:02.0", mac: "00:15:5d:00:00:01", driver: "mlx5_core")
        // A PCI NIC with a MAC of its own stays a NIC of its own.
        sys.pciNIC("eth5", pci: "0000:00:05.0", mac: "00:15:5d:00:00:05", driver: "e1000e")
        let devices = try NetworkDeviceScanner.scan(fs: sys.fs)
        #expect(devices.map(\.name) == ["eth0", "eth5"])
        #expect(devices[0].accelerated == AcceleratedFunction(name: "enP30832s1", pciAddress: PCIAddress("7870:00:02.0")!, driver: "mlx5_core"))
        #expect(devices[1].accelerated == nil)
    }

    @Test func aVMBusDeviceThatIsNotASyntheticNICIsLeftOut() throws {
        let sys = SysfsBuilder()
        // Same layout, another class (a synthetic SCSI controller does not have a net entry,
        // but a device link naming one must still not count), and a name that is no GUID.
        sys.vmbusNIC("eth0", instance: "ff1b2c3d-0000-4000-8000-000000000001", channel: "14", mac: "00:15:5d:00:00:01",
            classID: "{ba6163d9-04a1-4d29-b605-72e2ffb1dc7f}")
        sys.vmbusNIC("eth1", instance: "vmbus_14", channel: "15", mac: "00:15:5d:00:00:02")
        sys.vmbusNIC("eth2", instance: "ff1b2c3d-0000-4000-8000-00000000000", channel: "16", mac: "00:15:5d:00:00:03")
        #expect(try NetworkDeviceScanner.scan(fs: sys.fs).isEmpty)
    }

    @Test func nicLocationsOrderVMBusFirstThenByChannelThenPCI() {
        let a = NICLocation.vmbus(VMBusAddress(instance: "b", channel: 2))
        let b = NICLocation.vmbus(VMBusAddress(instance: "a", channel: 10))
        let c = NICLocation.vmbus(VMBusAddress(instance: "a", channel: nil))
        let d = NICLocation.vmbus(VMBusAddress(instance: "b", channel: nil))
        let e = NICLocation.pci(PCIAddress("0000:00:01.0")!)
        #expect([e, d, c, b, a].sorted() == [a, b, c, d, e])
        #expect(e.orderName == "PCI order" && a.orderName == "VMBus channel order")
    }

    @Test func aMissingClassNetThrows() {
        #expect(throws: GuestPrepError.self) { try NetworkDeviceScanner.scan(fs: InMemoryFileSystem()) }
    }

    @Test func anUnreadableClassNetThrowsNamingThePath() {
        do {
            _ = try NetworkDeviceScanner.scan(fs: UnlistableFileSystem())
            Issue.record("expected an error")
        } catch {
            #expect((error as? GuestPrepError) == .io(path: "/sys/class/net", operation: "list", reason: "Permission denied"))
        }
    }

    @Test func pciAddressesParseAndOrderNumerically() {
        #expect(PCIAddress("0000:0B:00.0")?.description == "0000:0b:00.0")
        #expect(PCIAddress("10000:e1:1f.7")?.description == "10000:e1:1f.7")
        for bad in ["", "0000:0b:00", "000:0b:00.0", "0000:0b:20.0", "0000:0b:00.8", "0000:+b:00.0", "virtio0"] {
            #expect(PCIAddress(bad) == nil, "\(bad)")
        }
        let sorted = ["0000:1b:00.0", "0000:03:00.0", "0001:00:00.0", "0000:0b:00.1", "0000:0b:00.0"]
            .compactMap { PCIAddress($0) }.sorted().map(\.description)
        #expect(sorted == ["0000:03:00.0", "0000:0b:00.0", "0000:0b:00.1", "0000:1b:00.0", "0001:00:00.0"])
    }
}

/// A file system whose directory listings fail as an unreadable /sys would.
private struct UnlistableFileSystem: FileSystem {
    func hostPath(of guestPath: String) -> String? { nil }
    func read(_ path: String) throws -> [UInt8]? { nil }
    func writeAtomically(_ path: String, _ content: [UInt8], mode: UInt32, owner: FileOwner, syncDirectory: Bool) throws {}
    func delete(_ path: String, syncDirectory: Bool) throws {}
    func writeAttribute(_ path: String, _ text: String) throws {}
    func writeUnderHome(_ path: String, _ content: [UInt8], mode: UInt32, owner: FileOwner, home: UserHome) throws {}
    func deleteUnderHome(_ path: String, home: UserHome) throws {}
    func readUnderHome(_ path: String, home: UserHome, limit: Int) throws -> [UInt8]? { nil }
    func syncDirectory(of path: String) throws {}
    func exists(_ path: String) -> Bool { false }
    func list(_ directory: String) throws -> [String]? {
        throw GuestPrepError.io(path: directory, operation: "list", reason: "Permission denied")
    }
    func mode(_ path: String) throws -> UInt32? { nil }
    func readLink(_ path: String) throws -> String? { nil }
    func readRange(_ path: String, offset: UInt64, limit: Int) throws -> [UInt8]? { nil }
    func readAvailable(_ path: String, limit: Int) throws -> [UInt8]? { nil }
}
