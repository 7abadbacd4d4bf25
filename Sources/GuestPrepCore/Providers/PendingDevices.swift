/// Devices the kernel shows whose drivers may not be there yet: early in boot udev loads them
/// during coldplug, which is only requested when the early stage starts, and an initramfs
/// built for the root disk alone leaves them all to it. A run reads the NICs (the network
/// step) and `auto` the optical drives, so guestprep loads what is missing itself rather than
/// wait for udev's queue: a module load returns once the probes it started are done
/// (finit_module waits for the module's init and, for libata's asynchronous port probes, for
/// them too: kernel/module/main.c, do_init_module), and a load udev has under way is waited
/// for by the kernel (the same module cannot be loaded twice at once).
///
/// libata shows no sign of a port probe under way (an empty slot's `class` stays `unknown`
/// for good, as the VM boots show), so a controller whose driver udev loads at that very moment
/// can still have its CD-ROM found later than guestprep looks.
public struct PendingDevices: Sendable, Equatable {
    /// PCI network, IDE and SATA controllers with no driver bound (PCI class codes 02, 01 01 and
    /// 01 06: the PCI Code and ID Assignment Specification, 1.1).
    public var controllers: [String] = []
    /// SCSI devices of CD/DVD type (5) with no block device yet (sr_mod not bound).
    public var driveDevices: [String] = []

    public var isEmpty: Bool { controllers.isEmpty && driveDevices.isEmpty }

    static let controllerClasses = ["0x02", "0x0101", "0x0106"]
    static let storageClasses = ["0x0101", "0x0106"]
    static let pci = "/sys/bus/pci/devices"
    static let scsi = "/sys/bus/scsi/devices"

    /// What is pending on the system `fs` shows.
    public static func scan(fs: any FileSystem) -> PendingDevices {
        var pending = PendingDevices()
        for device in list(fs, pci) {
            guard let code = fs.attribute("\(pci)/\(device)/class"), controllerClasses.contains(where: code.hasPrefix)
            else { continue }
            if !fs.exists("\(pci)/\(device)/driver") { pending.controllers.append(device) }
        }
        for device in list(fs, scsi) where device.first?.isNumber == true {
            if fs.attribute("\(scsi)/\(device)/type") == AutoDetector.cdromType, !fs.exists("\(scsi)/\(device)/block") {
                pending.driveDevices.append(device)
            }
        }
        return pending
    }

    /// The modules that bind what is pending, each once, for `modprobe`: a controller's by its
    /// `modalias` (as udev's kmod builtin would), then the CD-ROM driver, which a drive behind
    /// a storage controller just bound needs too.
    public func modules(fs: any FileSystem) -> [String] {
        let storage = controllers.contains { device in
            Self.storageClasses.contains { fs.attribute("\(Self.pci)/\(device)/class")?.hasPrefix($0) == true }
        }
        var modules: [String] = []
        for alias in controllers.compactMap({ fs.attribute("\(Self.pci)/\($0)/modalias") }) where !modules.contains(alias) {
            modules.append(alias)
        }
        return modules + (storage || !driveDevices.isEmpty ? ["sr_mod"] : [])
    }

    /// Loads the drivers of what is pending with one `modprobe -b -a` (`-b` honours blacklists
    /// as udev does; one process, since under emulation each start costs) and returns what is
    /// pending after that. Without a runner (a fixture root) or modprobe, nothing is loaded.
    public static func loadDrivers(fs: any FileSystem, runner: (any ProcessRunner)?) -> PendingDevices {
        let pending = scan(fs: fs)
        let modules = pending.modules(fs: fs)
        guard !modules.isEmpty, let runner, let modprobe = CommandTable.resolve("modprobe", using: runner) else { return pending }
        _ = try? runner.run(executable: modprobe, arguments: ["-b", "-a"] + modules, timeout: CommandTable.timeout(for: "modprobe"))
        return scan(fs: fs)
    }

    private static func list(_ fs: any FileSystem, _ directory: String) -> [String] {
        ((try? fs.list(directory)) ?? nil) ?? []
    }
}
