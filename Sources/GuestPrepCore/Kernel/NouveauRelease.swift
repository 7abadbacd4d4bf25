import GuestPrepModel

/// Whether nouveau can be taken off the GPUs in the running system, or only by a reboot, and
/// why: the nouveau step's decision, pure over what `KernelModuleState` and `SystemConsoles`
/// read. Live is the default (the blacklist and the initramfs hold it out of every later
/// boot); a reboot only where unloading cannot work or must not be tried.
public enum NouveauRelease: Equatable, Sendable {
    /// Unbind these functions from nouveau, then `modprobe -r nouveau` (the engine reboots
    /// when that fails).
    case live(unbind: [String])
    /// Only a reboot takes nouveau off: the reason, in words.
    case reboot(because: String)

    public static func decide(_ module: KernelModuleState, consoles: SystemConsoles) -> NouveauRelease {
        let name = module.module
        if module.builtIn {
            return .reboot(
                because: "\(name) is built into the kernel, so it cannot be unloaded; the blacklist in /etc/modprobe.d "
                    + "does not reach a built-in driver either: add module_blacklist=\(name) to the kernel command line")
        }
        if !module.holders.isEmpty {
            return .reboot(
                because: "the module\(module.holders.count == 1 ? "" : "s") \(module.holders.joined(separator: ", ")) "
                    + "depend\(module.holders.count == 1 ? "s" : "") on \(name), so modprobe -r cannot unload it")
        }
        let only = consoles.onlyConsole(drivenBy: module.boundDevices)
        if !only.isEmpty {
            let devices = Set(only.compactMap(\.device)).sorted()
            return .reboot(
                because: "\(devices.joined(separator: ", ")) drive\(devices.count == 1 ? "s" : "") the VM's only console "
                    + "(\(only.map(\.described).joined(separator: ", ")); no other framebuffer, no serial console), "
                    + "so \(devices.count == 1 ? "it is" : "they are") not unbound")
        }
        return .live(unbind: module.boundDevices)
    }
}
