/// Storage hardware the kernel shows whose optical drives may not be in /sys/class/block yet:
/// early in boot a controller's driver or sr_mod may still be loading (udev loads them during
/// coldplug, which is only requested when the early stage starts, and an initramfs built for
/// the root disk alone leaves them to it). `AutoDetector` loads what is missing itself and
/// waits, bounded, only while one of these is pending; nothing here asks udev.
public struct PendingStorage: Sendable, Equatable {
    /// PCI IDE and SATA controllers with no driver bound (PCI class codes 01 01 and 01 06,
    /// the PCI Code and ID Assignment Specification, 1.1): their drives are not probed yet.
    public var controllers: [String] = []
    /// ATA device slots not probed yet: libata shows a slot's `class` as `unknown` until its
    /// port's probe has classified it (`ata`, `atapi`, `none`; drivers/ata/libata-transport.c).
    public var unprobedSlots: [String] = []
    /// SCSI devices of CD/DVD type (5) with no block device yet (sr_mod not bound).
    public var driveDevices: [String] = []

    public var isEmpty: Bool { controllers.isEmpty && unprobedSlots.isEmpty && driveDevices.isEmpty }

    static let controllerClasses = ["0x0101", "0x0106"]

    /// What is pending on the system `fs` shows.
    public static func scan(fs: any FileSystem) -> PendingStorage {
        var pending = PendingStorage()
        let pci = "/sys/bus/pci/devices"
        for device in list(fs, pci) {
            guard let code = fs.attribute("\(pci)/\(device)/class"), controllerClasses.contains(where: code.hasPrefix)
            else { continue }
            if !fs.exists("\(pci)/\(device)/driver") { pending.controllers.append(device) }
        }
        let ata = "/sys/class/ata_device"
        for slot in list(fs, ata) where fs.attribute("\(ata)/\(slot)/class") == "unknown" {
            pending.unprobedSlots.append(slot)
        }
        let scsi = "/sys/bus/scsi/devices"
        for device in list(fs, scsi) where device.first?.isNumber == true {
            if fs.attribute("\(scsi)/\(device)/type") == AutoDetector.cdromType, !fs.exists("\(scsi)/\(device)/block") {
                pending.driveDevices.append(device)
            }
        }
        return pending
    }

    /// The modules that bind what is pending, for `modprobe`: a controller's by its
    /// `modalias` (as udev's kmod builtin would), the CD-ROM driver by name.
    public func modules(fs: any FileSystem) -> [String] {
        var modules = controllers.compactMap { fs.attribute("/sys/bus/pci/devices/\($0)/modalias") }
        if !driveDevices.isEmpty { modules.append("sr_mod") }
        return modules
    }

    /// In words, for a warning.
    public var description: String {
        var parts: [String] = []
        if !controllers.isEmpty { parts.append("storage controller \(controllers.joined(separator: ", ")) without a driver") }
        if !unprobedSlots.isEmpty { parts.append("ATA \(unprobedSlots.joined(separator: ", ")) not probed") }
        if !driveDevices.isEmpty { parts.append("CD/DVD device \(driveDevices.joined(separator: ", ")) without its block device") }
        return parts.joined(separator: "; ")
    }

    private static func list(_ fs: any FileSystem, _ directory: String) -> [String] {
        ((try? fs.list(directory)) ?? nil) ?? []
    }
}
