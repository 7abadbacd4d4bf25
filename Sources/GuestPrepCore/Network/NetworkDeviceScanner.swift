import GuestPrepModel

/// Finds the physical Ethernet NICs in sysfs.
///
/// A NIC counts when /sys/class/net/NAME has `type` 1 (ARPHRD_ETHER), a valid MAC in
/// `address`, no `bridge`, `bonding`, `wireless` or `phy80211` entry, and a `device` link that
/// resolves to a PCI function (`…/0000:0b:00.0`), to a virtio device on one
/// (`…/0000:00:03.0/virtio0`, the usual KVM layout), or to a Hyper-V synthetic network adapter
/// on VMBus (a directory named by its instance GUID whose `class_id` is the synthetic network
/// adapter's). Loopback, bridges, bonds, wireless, veth, tun, dummy and VLAN interfaces are
/// left out. A PCI NIC with the same MAC as a VMBus NIC is that NIC's SR-IOV virtual function
/// (Hyper-V accelerated networking): it is attached to the VMBus NIC, not listed on its own.
///
/// Symlinks are resolved here, by readLink and lexical `..` handling, rather than left to the
/// file system, so the scan reads the same paths whether sysfs is real (where
/// /sys/class/net/NAME is itself a link into /sys/devices) or a fixture tree.
public enum NetworkDeviceScanner {
    static let classNet = "/sys/class/net"
    static let pciDevices = "/sys/bus/pci/devices"
    /// The VMBus class GUID of a synthetic network adapter, as sysfs `class_id` shows it.
    static let syntheticNetworkClass = "{f8615163-df3e-46c5-913f-f2d2f965ed0e}"

    /// The physical Ethernet NICs, in `NICLocation` order (then by name). An interface whose
    /// entries are unreadable or garbled is skipped; an unreadable or missing /sys/class/net
    /// throws, since every Linux guest has one.
    public static func scan(fs: any FileSystem) throws -> [NetworkDevice] {
        let names: [String]?
        do {
            names = try fs.list(classNet)
        } catch let error as GuestPrepError {
            throw error
        } catch {
            throw GuestPrepError.io(path: classNet, operation: "list", reason: "\(error)")
        }
        guard let names else {
            throw GuestPrepError.io(path: classNet, operation: "list", reason: "not found (is sysfs mounted?)")
        }
        // Listed once for every NIC's PVRDMA pairing, not once per NIC.
        let pciEntries = (try? fs.list(pciDevices)) ?? []
        var devices: [NetworkDevice] = []
        for name in names {
            if let device = self.device(named: name, fs: fs, pciEntries: pciEntries) { devices.append(device) }
        }
        devices = pairAcceleratedFunctions(devices)
        devices.sort { ($0.location, $0.name) < ($1.location, $1.name) }
        return devices
    }

    /// Ethernet links with no device behind them that could be a machine's NIC: veths (a
    /// container's NICs are veths whose peers live outside it) and other software links of
    /// type 1 with a valid MAC. Bridges, bonds, wireless, tun/tap (`tun_flags`) and links
    /// stacked on another (`lower_*`: VLAN, macvlan, ipvlan) are left out. `NICMapping` takes
    /// one only for an OVF adapter whose MAC no device-backed NIC has. Sorted by name.
    public static func softwareLinks(fs: any FileSystem) -> [NetworkDevice] {
        guard let names = try? fs.list(classNet) else { return [] }
        var links: [NetworkDevice] = []
        for name in names.sorted() where name != "lo" && !name.contains("/") {
            guard let entry = follow(classNet + "/" + name, fs: fs),
                fs.attribute(entry + "/type") == "1",
                !fs.exists(entry + "/device"),
                let mac = fs.attribute(entry + "/address").flatMap(normalizedMAC)
            else { continue }
            let markers = ["bridge", "bonding", "wireless", "phy80211", "tun_flags"]
            if markers.contains(where: { fs.exists(entry + "/" + $0) }) { continue }
            if ((try? fs.list(entry)) ?? []).contains(where: { $0.hasPrefix("lower_") }) { continue }
            links.append(NetworkDevice(name: name, mac: mac, location: .software, driver: nil))
        }
        return links
    }

    /// The devices with each PCI NIC that shares a VMBus NIC's MAC moved into that NIC's
    /// `accelerated`. Without VMBus NICs (every guest but Hyper-V's), the list as it is.
    static func pairAcceleratedFunctions(_ devices: [NetworkDevice]) -> [NetworkDevice] {
        let syntheticMACs = Set(devices.filter(\.isSynthetic).map(\.mac))
        guard !syntheticMACs.isEmpty else { return devices }
        var functions: [String: AcceleratedFunction] = [:]
        var kept: [NetworkDevice] = []
        for device in devices {
            if let pci = device.pciAddress, syntheticMACs.contains(device.mac) {
                functions[device.mac] = AcceleratedFunction(name: device.name, pciAddress: pci, driver: device.driver)
            } else {
                kept.append(device)
            }
        }
        return kept.map { device in
            guard device.isSynthetic, let function = functions[device.mac] else { return device }
            var paired = device
            paired.accelerated = function
            return paired
        }
    }

    /// The NIC at /sys/class/net/NAME, or nil when it is not a physical Ethernet NIC on PCI or
    /// VMBus, or cannot be read. `pciEntries` lists /sys/bus/pci/devices.
    static func device(named name: String, fs: any FileSystem, pciEntries: [String]) -> NetworkDevice? {
        guard name != "lo", !name.contains("/"), let entry = follow(classNet + "/" + name, fs: fs) else { return nil }
        guard fs.attribute(entry + "/type") == "1" else { return nil }
        for marker in ["bridge", "bonding", "wireless", "phy80211"] where fs.exists(entry + "/" + marker) {
            return nil
        }
        guard let mac = fs.attribute(entry + "/address").flatMap(normalizedMAC),
            let devicePath = follow(entry + "/device", fs: fs),
            let location = location(of: devicePath, fs: fs)
        else { return nil }
        return NetworkDevice(
            name: name, mac: mac, location: location, driver: driver(of: devicePath, fs: fs),
            rdma: location.pciAddress.flatMap { rdmaFunction(pairedWith: $0, among: pciEntries, fs: fs) })
    }

    /// Where the device at `devicePath` sits: its PCI function, or its VMBus device when it is
    /// a synthetic network adapter. Nil for anything else.
    static func location(of devicePath: String, fs: any FileSystem) -> NICLocation? {
        if let pci = pciAddress(of: devicePath) { return .pci(pci) }
        let name = devicePath[devicePath.index(after: devicePath.lastIndex(of: "/") ?? devicePath.startIndex)...]
        guard VMBusAddress.isInstanceGUID(name),
            fs.attribute(devicePath + "/class_id")?.lowercased() == syntheticNetworkClass
        else { return nil }
        let channel = fs.attribute(devicePath + "/id").flatMap { Int($0) }
        return .vmbus(VMBusAddress(instance: String(name), channel: channel))
    }

    /// The PCI function a device path names: its last component, or for a virtio device
    /// (`virtioN`) the component before it.
    static func pciAddress(of devicePath: String) -> PCIAddress? {
        let components = devicePath.split(separator: "/")
        guard let last = components.last else { return nil }
        if let address = PCIAddress(last) { return address }
        guard last.hasPrefix("virtio"), last.count > 6, last.dropFirst(6).allSatisfy(\.isASCIIDigit),
            components.count >= 2
        else { return nil }
        return PCIAddress(components[components.count - 2])
    }

    /// The last component of the device's `driver` link; nil when no driver is bound.
    static func driver(of devicePath: String, fs: any FileSystem) -> String? {
        guard let target = try? fs.readLink(devicePath + "/driver"),
            let last = target.split(separator: "/").last
        else { return nil }
        return String(last)
    }

    /// The vmw_pvrdma function in the same slot as `nic`, among the entries of
    /// /sys/bus/pci/devices.
    static func rdmaFunction(pairedWith nic: PCIAddress, among pciEntries: [String], fs: any FileSystem) -> RDMAFunction? {
        for entry in pciEntries {
            guard let address = PCIAddress(entry), address != nic, address.sameSlot(as: nic),
                let path = follow(pciDevices + "/" + entry, fs: fs),
                driver(of: path, fs: fs) == "vmw_pvrdma"
            else { continue }
            let names = (try? fs.list(path + "/infiniband")) ?? []
            return RDMAFunction(pciAddress: address, deviceName: names.first)
        }
        return nil
    }

    /// The path with its last component's symlink resolved (relative targets against the
    /// link's directory), or the path itself when it is not a link. Nil when it does not exist.
    static func follow(_ path: String, fs: any FileSystem) -> String? {
        var current = path
        // sysfs links point at real directories; the bound only guards against a link loop.
        for _ in 0..<8 {
            guard let target = try? fs.readLink(current) else {
                return fs.exists(current) ? current : nil
            }
            current = normalize(target.hasPrefix("/") ? target : parent(of: current) + "/" + target)
        }
        return nil
    }

    static func parent(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// An absolute path with `.` and `..` removed (`..` at the root stays at the root).
    static func normalize(_ path: String) -> String {
        // One pass over the bytes: every link a scan follows passes through here (callgrind:
        // splitting into parts and joining them cost 15k instructions a link).
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        var path = path
        return path.withUTF8 { input in
            var output: [UInt8] = []
            output.reserveCapacity(input.count + 1)
            var index = 0
            while index < input.count {
                while index < input.count && input[index] == slash { index += 1 }
                let start = index
                while index < input.count && input[index] != slash { index += 1 }
                let length = index - start
                if length == 0 || (length == 1 && input[start] == dot) { continue }
                if length == 2 && input[start] == dot && input[start + 1] == dot {
                    while let last = output.popLast(), last != slash {}
                    continue
                }
                output.append(slash)
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<index]))
            }
            return output.isEmpty ? "/" : String(decoding: output, as: UTF8.self)
        }
    }

    /// `00:50:56:AB:CD:EF` → `00:50:56:ab:cd:ef`; nil for anything else and for the all-zero
    /// address a NIC reports when it has none.
    static func normalizedMAC(_ text: String) -> String? {
        guard let mac = MACAddress.normalized(text), mac != "00:00:00:00:00:00" else { return nil }
        return mac
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
