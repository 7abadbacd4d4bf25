import GuestPrepConfig
import GuestPrepModel

/// The MMIO settings to make on the hypervisor, worded for the one DMI names, from the
/// sizing of the VM's NVIDIA BARs. Pure: text from numbers.
public enum MMIOAdvice {
    /// Hyper-V's default high MMIO space (512 MB), kept on top of what the GPUs need for the
    /// VM's other devices: Microsoft's own example for a 16 GiB BAR is 33280 MB = 32 GiB + 512 MB.
    static let hyperVHighHeadroomMB: UInt64 = 512
    /// QEMU's default 64-bit PCI hole on q35, and OVMF's default 64-bit aperture.
    static let qemuDefaultHoleGB: UInt64 = 32
    /// Hyper-V's default low MMIO space.
    static let hyperVLowDefaultMB: UInt64 = 128

    /// What Hyper-V's `-HighMemoryMappedIoSpace` must be, in MB, for DDA buses needing
    /// `needs` bytes each: hv_pci gives every device its own bus and allocates each bus's window
    /// aligned to its largest power of two, so each need is rounded up to a power of two of GiB
    /// on its own before they are added. The needs are input (sysfs, the kernel log): the sum
    /// saturates at UInt64.max.
    public static func hyperVHighMB(needs: [UInt64]) -> UInt64 {
        let perBus = needs.map { SaturatingSize.multiplying(MMIOSizing.powerOfTwo(atLeast: gibCeiling($0)), 1024) }
        return SaturatingSize.adding(SaturatingSize.sum(perBus).total, hyperVHighHeadroomMB)
    }

    /// `-LowMemoryMappedIoSpace` in MB when the 32-bit BARs (`bytes` in all) need more than
    /// half of the default 128 MB (the VM's own devices take the rest); nil when the default does.
    public static func hyperVLowMB(bytes: UInt64) -> UInt64? {
        let mib = SaturatingSize.ceiling(bytes, unit: 1 << 20)
        guard mib > hyperVLowDefaultMB / 2 else { return nil }
        return MMIOSizing.powerOfTwo(atLeast: SaturatingSize.adding(mib, hyperVLowDefaultMB))
    }

    /// The lines that set the 64-bit MMIO window to `gigabytes` on `hypervisor`.
    /// `needs` are the per-device 64-bit byte counts (Hyper-V sizes per device), `low32` the
    /// 32-bit BAR bytes in all, `vmName` the VM's name on the host where known.
    public static func settings(
        hypervisor: AutoDetector.Hypervisor, gigabytes: UInt64, needs: [UInt64], low32: UInt64, vmName: String?
    ) -> [String] {
        switch hypervisor {
        case .vmware:
            return [
                "ESXi, with the VM powered off: VM Options → Advanced → Configuration Parameters:",
                "  pciPassthru.use64bitMMIO = \"TRUE\"",
                "  pciPassthru.64bitMMIOSizeGB = \"\(gigabytes)\"",
            ]
        case .hyperV:
            let name = vmName.map(powerShellQuoted) ?? "<VM name>"
            var lines = [
                "Hyper-V host, PowerShell as administrator, with the VM off:",
                "  Set-VM -VMName \(name) -GuestControlledCacheTypes $true",
                "  Set-VM -VMName \(name) -HighMemoryMappedIoSpace \(hyperVHighMB(needs: needs))MB",
            ]
            if let low = hyperVLowMB(bytes: low32) {
                lines.append("  Set-VM -VMName \(name) -LowMemoryMappedIoSpace \(low)MB")
            }
            return lines
        case .qemu:
            guard gigabytes > qemuDefaultHoleGB else {
                return ["KVM/QEMU: the default 64-bit PCI hole (\(qemuDefaultHoleGB) GB with q35, and OVMF's window) holds these BARs: nothing to set"]
            }
            let kib = SaturatingSize.multiplying(gigabytes, 1 << 20)
            return [
                "KVM/QEMU, the 64-bit PCI hole of the VM's host bridge:",
                "  libvirt (virsh edit): <controller type='pci' index='0' model='pcie-root'><pcihole64 unit='KiB'>\(kib)</pcihole64></controller>",
                "  qemu: -global q35-pcihost.pci-hole64-size=\(gigabytes)G (i440fx: i440FX-pcihost.pci-hole64-size)",
                "  with OVMF also: -fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=\(SaturatingSize.multiplying(gigabytes, 1024))",
            ]
        case .unknown:
            return ["give the VM a 64-bit MMIO window of at least \(gigabytes) GB (the hypervisor could not be told from DMI)"]
        }
    }

    /// The notes the seed guide gives for ESXi 6.5 and older, when they matter: above 32 GB of
    /// BARs, or always as a reminder of the host BIOS setting.
    static func esxiLegacyNotes(totalBytes: UInt64) -> [String] {
        var lines = [
            "ESXi 6.5 and older: set the host's BIOS to map PCI above 4 GB and below 16 TB (MMIO High Base, e.g. 4T)"
        ]
        if totalBytes > 32 << 30 {
            lines.append(
                "ESXi 6.5 and older: in EFI mode a VM's BARs may total at most 32 GB, and these need \(mixed(totalBytes)): use ESXi 6.7 or later")
        }
        return lines
    }

    /// Whole GiB, rounded up (2^34 for UInt64.max: no sum that passes it).
    static func gibCeiling(_ bytes: UInt64) -> UInt64 { SaturatingSize.ceiling(bytes, unit: 1 << 30) }

    /// `64 GiB + 32 MiB`: a byte count as whole units, largest first, so that nothing is
    /// rounded away (BAR sums are a large power of two plus small ones).
    public static func mixed(_ bytes: UInt64) -> String {
        guard bytes > 0 else { return "0 B" }
        var rest = bytes
        var parts: [String] = []
        let units: [(UInt64, String)] = [
            (1 << 60, "EiB"), (1 << 50, "PiB"), (1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB"), (1, "B"),
        ]
        for (size, name) in units {
            if rest >= size {
                parts.append("\(rest / size) \(name)")
                rest %= size
            }
        }
        return parts.joined(separator: " + ")
    }

    /// A PowerShell single-quoted string: quotes doubled.
    static func powerShellQuoted(_ text: String) -> String {
        let plain = text.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7a) || $0 == 0x2d || $0 == 0x5f || $0 == 0x2e
        }
        if plain { return text }
        var quoted = "'"
        for character in text {
            quoted.append(character)
            if character == "'" { quoted.append("'") }
        }
        return quoted + "'"
    }
}
