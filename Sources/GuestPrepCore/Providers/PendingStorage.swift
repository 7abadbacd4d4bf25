/// Storage hardware the kernel shows whose optical drives may not be in /sys/class/block yet:
/// early in boot a controller's driver or sr_mod may still be loading (udev loads them during
/// coldplug, which is only requested when the early stage starts, and an initramfs built for
/// the root disk alone leaves them to it). `AutoDetector` loads what is missing itself (a
/// module load returns once the probes it started, asynchronous ones included, are done) and
/// waits, bounded, only while a CD/DVD device has no block device yet; nothing here asks udev.
///
/// libata shows no sign of a port probe under way (an empty slot's `class` stays `unknown`
/// for good, as the VM boots show), so a controller whose driver udev is loading at that very
/// moment can still have its CD-ROM found a little later than guestprep looks.
public struct PendingStorage: Sendable, Equatable {
    /// PCI IDE and SATA controllers with no driver bound (PCI class codes 01 01 and 01 06,
    /// the PCI Code and ID Assignment Specification, 1.1): their drives are not probed yet.
    public var controllers: [String] = []
    /// SCSI devices of CD/DVD type (5) with no block device yet (sr_mod not bound).
    public var driveDevices: [String] = []

    public var isEmpty: Bool { controllers.isEmpty && driveDevices.isEmpty }

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
        let scsi = "/sys/bus/scsi/devices"
        for device in list(fs, scsi) where device.first?.isNumber == true {
            if fs.attribute("\(scsi)/\(device)/type") == AutoDetector.cdromType, !fs.exists("\(scsi)/\(device)/block") {
                pending.driveDevices.append(device)
            }
        }
        return pending
    }

    /// The modules that bind what is pending, for `modprobe`: a controller's by its
    /// `modalias` (as udev's kmod builtin would), then the CD-ROM driver, which a drive behind
    /// a controller just bound needs too.
    public func modules(fs: any FileSystem) -> [String] {
        controllers.compactMap { fs.attribute("/sys/bus/pci/devices/\($0)/modalias") } + (isEmpty ? [] : ["sr_mod"])
    }

    /// In words, for a warning.
    public var description: String {
        var parts: [String] = []
        if !controllers.isEmpty { parts.append("storage controller \(controllers.joined(separator: ", ")) without a driver") }
        if !driveDevices.isEmpty { parts.append("CD/DVD device \(driveDevices.joined(separator: ", ")) without its block device") }
        return parts.joined(separator: "; ")
    }

    private static func list(_ fs: any FileSystem, _ directory: String) -> [String] {
        ((try? fs.list(directory)) ?? nil) ?? []
    }
}
