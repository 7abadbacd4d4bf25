import GuestPrepConfig
import GuestPrepModel

/// Resolves `--source auto`: which hypervisor this is, from DMI, and which of its channels
/// are present. It decides from what the kernel shows at once, never waiting for udev: the
/// OVF-ENV CD-ROM is found among the optical drives in sysfs by the label on its medium, read
/// from the medium itself.
public struct AutoDetector: Sendable {
    let fs: any FileSystem
    /// Tells a drive with no medium from one whose medium is not ready yet; nil under a
    /// fixture root.
    let probe: (any OpticalDriveProbe)?
    /// Loads the fw_cfg driver when QEMU's firmware has the device but udev has not loaded it
    /// yet; nil under a fixture root.
    let runner: (any ProcessRunner)?
    /// How long, in all, drives whose medium is not ready are waited for.
    let readyTimeout: Double

    /// How often a drive that is not ready is asked again.
    static let pollInterval = 0.05

    public init(
        fs: any FileSystem, probe: (any OpticalDriveProbe)? = nil, runner: (any ProcessRunner)? = nil,
        readyTimeout: Double = 5
    ) {
        self.fs = fs
        self.probe = probe
        self.runner = runner
        self.readyTimeout = readyTimeout
    }

    /// The hypervisor as DMI tells it.
    public enum Hypervisor: String, Sendable {
        case vmware, hyperV = "hyper-v", qemu, unknown
    }

    /// The volume label of the CD-ROM that carries the OVF environment (the OVF ISO transport).
    public static let ovfLabel = "OVF-ENV"
    /// Where the kernel lists block devices; optical drives are the `srN` among them.
    static let blockClass = "/sys/class/block"
    /// The SCSI peripheral device type of a CD/DVD drive as the kernel shows it in
    /// `device/type` (05h, Linux's include/scsi/scsi_proto.h `TYPE_ROM`; SPC-4's standard
    /// INQUIRY data).
    static let cdromType = "5"

    public var vendor: String? { fs.attribute("/sys/class/dmi/id/sys_vendor") }
    public var product: String? { fs.attribute("/sys/class/dmi/id/product_name") }

    public var hypervisor: Hypervisor {
        let vendor = (vendor ?? "").lowercased()
        let product = (product ?? "").lowercased()
        if vendor.contains("vmware") || product.hasPrefix("vmware") { return .vmware }
        if vendor.contains("microsoft") && product.contains("virtual machine") { return .hyperV }
        if vendor.contains("qemu") || product.contains("kvm") || vendor.contains("red hat") { return .qemu }
        return .unknown
    }

    /// What `auto` resolved to.
    public struct Detection: Sendable, Equatable {
        /// The sources to read, in order (later ones override). Every path in them is a guest
        /// path, resolved under the root.
        public var sources: [SourceSpec]
        /// What was passed over on the way (a drive whose medium never became ready).
        public var diagnostics: [Diagnostic]
    }

    /// Whether `name` is one the kernel's sr driver gives an optical drive (`sr` and digits).
    public static func isOpticalDriveName(_ name: String) -> Bool {
        let digits = name.utf8.dropFirst(2)
        return name.hasPrefix("sr") && !digits.isEmpty && digits.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// The optical drives in sysfs, in the kernel's order (sr0, sr1, …, sr10): the `srN` block
    /// devices whose SCSI device type is CD/DVD.
    func opticalDrives() -> [String] {
        let names = ((try? fs.list(Self.blockClass)) ?? nil) ?? []
        return names.filter { Self.isOpticalDriveName($0) && fs.attribute("\(Self.blockClass)/\($0)/device/type") == Self.cdromType }
            .sorted { Int($0.dropFirst(2)) ?? 0 < Int($1.dropFirst(2)) ?? 0 }
    }

    /// The label on the medium in `device`, read from its ISO 9660 primary volume descriptor;
    /// nil when it cannot be read or is not ISO 9660.
    func label(_ device: String) -> String? {
        guard let bytes = try? fs.readRange(device, offset: ISOVolumeLabel.descriptorsOffset, limit: ISOVolumeLabel.readLength)
        else { return nil }
        return ISOVolumeLabel.label(descriptors: bytes)
    }

    /// The optical drive whose medium is labelled OVF-ENV (`/dev/srN`), if any, and a
    /// warning for what did not become ready in time. Only optical drives count: the
    /// hypervisor attaches the OVF environment as a CD-ROM, and the same label on a disk or a
    /// USB stick is not its transport.
    ///
    /// Drives still on their way (``PendingDevices``: a storage controller without its driver,
    /// a CD/DVD device without sr_mod) get their modules loaded, then a CD/DVD device without
    /// its block device yet is waited for; so is a drive whose medium is not ready. Both waits
    /// share one bound, `readyTimeout`.
    func ovfCDROM() -> (device: String?, diagnostics: [Diagnostic]) {
        var pausesLeft = Int((readyTimeout / Self.pollInterval).rounded(.up))
        var diagnostics: [Diagnostic] = []
        var waiting = PendingDevices.loadDrivers(fs: fs, runner: runner).driveDevices
        while !waiting.isEmpty, pausesLeft > 0, let probe {
            probe.pause(seconds: Self.pollInterval)
            pausesLeft -= 1
            waiting = PendingDevices.scan(fs: fs).driveDevices
        }
        if !waiting.isEmpty, probe != nil {
            diagnostics.append(
                .warning(nil, "CD/DVD device \(waiting.joined(separator: ", ")) had no block device after \(waitInWords) (is sr_mod available?): an OVF-ENV CD-ROM there was not looked at"))
        }
        for name in opticalDrives() {
            let device = "/dev/\(name)"
            var medium = probe?.medium(device) ?? (fs.exists(device) ? .ready : .absent)
            while medium == .notReady, pausesLeft > 0, let probe {
                probe.pause(seconds: Self.pollInterval)
                pausesLeft -= 1
                medium = probe.medium(device)
            }
            switch medium {
            case .ready:
                if label(device) == Self.ovfLabel { return (device, diagnostics) }
            case .absent:
                continue
            case .notReady:
                diagnostics.append(
                    .warning(
                        nil,
                        "optical drive \(device) passed over: its medium was not ready after \(waitInWords); if it holds the OVF environment, name it with --source ovf:\(device)"
                    ))
            }
        }
        return (nil, diagnostics)
    }

    /// The bound on the waits, in words (`5 s`, `0.5 s`).
    var waitInWords: String {
        readyTimeout == readyTimeout.rounded() ? "\(Int(readyTimeout)) s" : "\(readyTimeout) s"
    }

    /// The sources to read for this machine.
    public func detect() throws -> Detection {
        let found = ovfCDROM()
        let cdrom: [SourceSpec] = found.device.map { [.ovf(path: $0)] } ?? []
        func detection(_ sources: [SourceSpec]) -> Detection { Detection(sources: sources, diagnostics: found.diagnostics) }
        switch hypervisor {
        case .vmware:
            return detection(cdrom + [.vmware])
        case .hyperV:
            return detection(cdrom + [.kvp(directory: nil)])
        case .qemu:
            let fwcfg: [SourceSpec] = FwCfgModule.entriesPresent(fs: fs, runner: runner) ? [.fwcfg] : []
            if cdrom.isEmpty && fwcfg.isEmpty {
                throw GuestPrepError.source(
                    name: "auto",
                    reason: "QEMU/KVM detected, but there is neither an OVF-ENV CD-ROM nor fw_cfg entries under \(FwCfgDecoder.directory); name a --source")
            }
            return detection(cdrom + fwcfg)
        case .unknown:
            if !cdrom.isEmpty { return detection(cdrom) }
            throw GuestPrepError.source(
                name: "auto",
                reason: "could not tell the hypervisor from DMI (sys_vendor '\(vendor ?? "unreadable")', product_name '\(product ?? "unreadable")'); name a --source")
        }
    }
}
