import GuestPrepConfig
import GuestPrepModel

/// Resolves `--source auto`: which hypervisor this is, from DMI, and which of its channels
/// are present.
public struct AutoDetector: Sendable {
    let fs: any FileSystem
    /// Waits until udev has handled the devices found so far (`UdevQueue` on a real system;
    /// nil under a fixture root). Early in boot the CD-ROM's by-label link can still be on its
    /// way: udev's coldplug is requested before guestprep starts, not finished.
    let settle: (@Sendable () -> Void)?

    public init(fs: any FileSystem, settle: (@Sendable () -> Void)? = nil) {
        self.fs = fs
        self.settle = settle
    }

    /// Whether the OVF-ENV CD-ROM is there, after letting udev catch up when it is not yet.
    func ovfCDROMPresent() -> Bool {
        if fs.exists(Self.ovfCDROM) { return true }
        guard let settle else { return false }
        settle()
        return fs.exists(Self.ovfCDROM)
    }

    /// The hypervisor as DMI tells it.
    public enum Hypervisor: String, Sendable {
        case vmware, hyperV = "hyper-v", qemu, unknown
    }

    /// Where a CD-ROM labelled OVF-ENV (the OVF ISO transport) appears.
    public static let ovfCDROM = "/dev/disk/by-label/OVF-ENV"

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

    /// The sources to read, in order (later ones override). Every path in them is a guest
    /// path, resolved under the root.
    public func detect() throws -> [SourceSpec] {
        let cdrom: [SourceSpec] = ovfCDROMPresent() ? [.ovf(path: Self.ovfCDROM)] : []
        switch hypervisor {
        case .vmware:
            return cdrom + [.vmware]
        case .hyperV:
            return cdrom + [.kvp(directory: nil)]
        case .qemu:
            let fwcfg: [SourceSpec] = fs.exists(FwCfgDecoder.directory) ? [.fwcfg] : []
            if cdrom.isEmpty && fwcfg.isEmpty {
                throw GuestPrepError.source(
                    name: "auto",
                    reason: "QEMU/KVM detected, but there is neither an OVF-ENV CD-ROM nor fw_cfg entries under \(FwCfgDecoder.directory); name a --source")
            }
            return cdrom + fwcfg
        case .unknown:
            if !cdrom.isEmpty { return cdrom }
            throw GuestPrepError.source(
                name: "auto",
                reason: "could not tell the hypervisor from DMI (sys_vendor '\(vendor ?? "unreadable")', product_name '\(product ?? "unreadable")'); name a --source")
        }
    }
}
