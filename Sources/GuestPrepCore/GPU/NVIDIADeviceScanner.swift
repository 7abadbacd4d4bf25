import GuestPrepConfig
import GuestPrepModel

/// Finds the NVIDIA PCI functions in sysfs: every entry of /sys/bus/pci/devices whose `vendor`
/// is 0x10de and whose class is a display controller (0x03xx) or an NVSwitch (0x0680), with
/// its IDs, BARs (assigned and declared), PCIe link, NUMA node and driver.
public enum NVIDIADeviceScanner {
    static let pciDevices = "/sys/bus/pci/devices"

    /// The NVIDIA GPUs and NVSwitches, in PCI address order. A guest without
    /// /sys/bus/pci/devices (no PCI bus, or sysfs not mounted) has none; an entry whose IDs
    /// cannot be read is skipped.
    public static func scan(fs: any FileSystem) throws -> [NVIDIADevice] {
        let entries: [String]
        do {
            entries = try fs.list(pciDevices) ?? []
        } catch let error as GuestPrepError {
            throw error
        } catch {
            throw GuestPrepError.io(path: pciDevices, operation: "list", reason: "\(error)")
        }
        var devices: [NVIDIADevice] = []
        for entry in entries {
            // Read through the bus's link: the file system follows it, which costs no
            // readlink/lstat of our own per function (syscalls are most of a scan in a VM), and
            // `driver` is read by its last component alone. The config header (the first 64
            // bytes, all an unprivileged read gets) gives the IDs, class and declared BARs in
            // one read, where the sysfs attributes take one each.
            let path = pciDevices + "/" + entry
            guard let address = PCIAddress(entry) else { continue }
            let config = (try? fs.readRange(path + "/config", offset: 0, limit: 64)) ?? []
            let header = PCIResourceDecoder.header(config: config)
            let vendor = header.map { UInt64($0.vendorID) } ?? hex(fs.attribute(path + "/vendor"))
            guard vendor == UInt64(NVIDIADevice.vendorID),
                let device = device(at: path, address: address, config: config, header: header, fs: fs)
            else { continue }
            devices.append(device)
        }
        return devices.sorted { $0.address < $1.address }
    }

    /// The NVIDIA function at `path`, nil when it is neither a GPU nor an NVSwitch or its IDs
    /// are unreadable. `config` and `header` are what its config file gave (empty and nil when
    /// it had none): the sysfs attributes stand in for a missing header.
    static func device(
        at path: String, address: PCIAddress, config: [UInt8], header: PCIConfigHeader?, fs: any FileSystem
    ) -> NVIDIADevice? {
        guard let deviceID = header?.deviceID ?? hex(fs.attribute(path + "/device")).flatMap(UInt16.init(exactly:)),
            let classCode = header?.classCode ?? hex(fs.attribute(path + "/class")).flatMap(UInt32.init(exactly:))
        else { return nil }
        var device = NVIDIADevice(address: address, deviceID: deviceID, classCode: classCode)
        guard device.isGPU || device.isNVSwitch else { return nil }
        if let header {
            device.subsystemVendorID = header.subsystemVendorID
            device.subsystemDeviceID = header.subsystemDeviceID
        } else {
            device.subsystemVendorID = hex(fs.attribute(path + "/subsystem_vendor")).flatMap(UInt16.init(exactly:))
            device.subsystemDeviceID = hex(fs.attribute(path + "/subsystem_device")).flatMap(UInt16.init(exactly:))
        }
        // One page: open, one pread, close.
        if let resource = try? fs.readRange(path + "/resource", offset: 0, limit: 4096) {
            device.bars = PCIResourceDecoder.bars(fromResource: String(decoding: resource, as: UTF8.self))
        }
        device.declaredBARs = PCIResourceDecoder.declaredBARs(config: config)
        device.currentLinkWidth = fs.attribute(path + "/current_link_width").flatMap { Int($0) }
        device.maxLinkWidth = fs.attribute(path + "/max_link_width").flatMap { Int($0) }
        // The speeds are evidence for a narrow link only (an idle GPU lowers its speed anyway).
        if let current = device.currentLinkWidth, let maximum = device.maxLinkWidth, current < maximum {
            device.currentLinkSpeed = fs.attribute(path + "/current_link_speed")
            device.maxLinkSpeed = fs.attribute(path + "/max_link_speed")
        }
        device.numaNode = fs.attribute(path + "/numa_node").flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
        device.driver = NetworkDeviceScanner.driver(of: path, fs: fs)
        return device
    }

    /// `0x10de` → 0x10de; nil for anything else.
    public static func hex(_ text: String?) -> UInt64? {
        guard let text, text.hasPrefix("0x"), text.utf8.count > 2, text.utf8.count <= 18,
            text.utf8.dropFirst(2).allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) })
        else { return nil }
        return UInt64(text.dropFirst(2), radix: 16)
    }
}
