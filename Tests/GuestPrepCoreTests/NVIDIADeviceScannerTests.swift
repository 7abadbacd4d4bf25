import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

/// Builds PCI functions in sysfs the way the kernel lays them out: the function's directory
/// under /sys/devices, a link to it in /sys/bus/pci/devices, a relative `driver` link.
struct PCISysfsBuilder {
    let fs = InMemoryFileSystem()

    func function(
        _ address: String, vendor: String = "0x10de", device: String, subsystem: (String, String)? = nil,
        class classCode: String, resource: String? = nil, config: [UInt8]? = nil, link: (Int, Int)? = nil,
        numa: String = "-1", driver: String? = nil, bridge: String = "0000:00:16.0"
    ) {
        let path = "/sys/devices/pci0000:00/\(bridge)/\(address)"
        fs.setText(path + "/vendor", vendor + "\n")
        fs.setText(path + "/device", device + "\n")
        fs.setText(path + "/class", classCode + "\n")
        if let subsystem {
            fs.setText(path + "/subsystem_vendor", subsystem.0 + "\n")
            fs.setText(path + "/subsystem_device", subsystem.1 + "\n")
        }
        if let resource { fs.setText(path + "/resource", resource) }
        if let config { fs.setBytes(path + "/config", config) }
        if let link {
            fs.setText(path + "/current_link_width", "\(link.0)\n")
            fs.setText(path + "/max_link_width", "\(link.1)\n")
            fs.setText(path + "/current_link_speed", "16.0 GT/s PCIe\n")
            fs.setText(path + "/max_link_speed", "16.0 GT/s PCIe\n")
        }
        fs.setText(path + "/numa_node", numa + "\n")
        if let driver { fs.setLink(path + "/driver", to: "../../../../bus/pci/drivers/\(driver)") }
        fs.setLink("/sys/bus/pci/devices/\(address)", to: "../../../devices/pci0000:00/\(bridge)/\(address)")
    }
}

@Suite struct NVIDIADeviceScannerTests {
    static let unassignedBAR1 = """
        0x00000000fd000000 0x00000000fdffffff 0x0000000000040200
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        0x00000000f8000000 0x00000000f9ffffff 0x000000000014220c
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        """

    /// BAR0 32-bit at 0xfd000000, BAR1 64-bit prefetchable with only its type bits left,
    /// BAR3 64-bit prefetchable at 0xf8000000.
    static var config: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 256)
        func put(_ value: UInt32, at offset: Int) {
            for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
        }
        put(0x20b5_10de, at: 0)
        put(0x0302_00a1, at: 0x08)  // revision a1, class 3D controller
        put(0x1533_10de, at: 0x2c)
        put(0xfd00_0000, at: 0x10)
        put(0x0000_000c, at: 0x14)
        put(0xf800_000c, at: 0x1c)
        return bytes
    }

    func tree() -> InMemoryFileSystem {
        let sys = PCISysfsBuilder()
        sys.function(
            "0000:13:00.0", device: "0x20b5", subsystem: ("0x10de", "0x1533"), class: "0x030200",
            resource: PCIResourceDecoderFixture.a100, link: (8, 16), numa: "0", driver: "nvidia", bridge: "0000:00:17.0")
        sys.function(
            "0000:0b:00.0", device: "0x20b5", subsystem: ("0x10de", "0x1533"), class: "0x030200",
            resource: Self.unassignedBAR1, config: Self.config, link: (16, 16))
        sys.function("0000:0b:00.1", device: "0x1aef", class: "0x040300")  // the GPU's audio function
        sys.function("0000:20:00.0", device: "0x22a3", class: "0x068000", bridge: "0000:00:18.0")  // NVSwitch
        sys.function("0000:03:00.0", vendor: "0x15ad", device: "0x07b0", class: "0x020000", driver: "vmxnet3")
        return sys.fs
    }

    @Test func findsGPUsAndNVSwitchesInAddressOrder() throws {
        let devices = try NVIDIADeviceScanner.scan(fs: tree())
        #expect(devices.map(\.address.description) == ["0000:0b:00.0", "0000:13:00.0", "0000:20:00.0"])
        #expect(devices.map(\.isGPU) == [true, true, false])
        #expect(devices.map(\.isNVSwitch) == [false, false, true])
        #expect(devices.map(\.deviceID) == [0x20b5, 0x20b5, 0x22a3])
        #expect(devices[0].subsystemDeviceID == 0x1533 && devices[0].subsystemVendorID == 0x10de)
    }

    @Test func readsBARsLinkNUMAAndDriver() throws {
        let devices = try NVIDIADeviceScanner.scan(fs: tree())
        let assigned = devices[1]
        #expect(assigned.bars.map(\.size) == [16 << 20, 64 << 30, 32 << 20])
        #expect(assigned.currentLinkWidth == 8 && assigned.maxLinkWidth == 16)
        #expect(assigned.currentLinkSpeed == "16.0 GT/s PCIe")
        #expect(assigned.numaNode == 0)
        #expect(assigned.driver == "nvidia")
        #expect(assigned.declaredBARs.isEmpty, "no config file: nothing declared")

        let unassigned = devices[0]
        #expect(unassigned.numaNode == nil, "-1 means none")
        #expect(unassigned.driver == nil)
        #expect(unassigned.bars.map(\.index) == [0, 3])
        #expect(unassigned.declaredBARs.map(\.index) == [0, 1, 3])
        #expect(unassigned.unassignedBARs.map(\.index) == [1])
        #expect(unassigned.unassignedBARs.first?.is64Bit == true)
    }

    @Test func noPCIBusMeansNoDevices() throws {
        #expect(try NVIDIADeviceScanner.scan(fs: InMemoryFileSystem()).isEmpty)
    }

    @Test func hexAttributesAreStrict() {
        #expect(NVIDIADeviceScanner.hex("0x10de") == 0x10de)
        for bad in [nil, "", "0x", "10de", "0x+10", "0x10dg", "0x10000000000000000"] as [String?] {
            #expect(NVIDIADeviceScanner.hex(bad) == nil, "\(bad ?? "nil")")
        }
    }
}

/// The A100 resource text the config tests use too.
enum PCIResourceDecoderFixture {
    static let a100 = """
        0x00000000fd000000 0x00000000fdffffff 0x0000000000040200
        0x0000002000000000 0x0000002fffffffff 0x000000000014220c
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        0x0000003000000000 0x0000003001ffffff 0x000000000014220c
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        0x0000000000000000 0x0000000000000000 0x0000000000000000
        """
}
