import GuestPrepModel

/// What the running kernel holds of one module, read from sysfs and procfs: whether it is
/// there at all, built in or loadable, which modules depend on it, and the PCI functions its
/// PCI driver of the same name drives. Read before the nouveau step takes nouveau off the GPUs
/// and again after, to check that nothing of it is left.
public struct KernelModuleState: Sendable, Equatable {
    public var module: String
    /// `/sys/module/NAME` exists: a loadable module that is loaded, or a built-in one with
    /// parameters.
    public var inSysfs: Bool
    /// Listed in /proc/modules (a loaded loadable module).
    public var listed: Bool
    /// Built into the kernel: `/sys/module/NAME` without the `initstate` and `refcnt` files
    /// that every loadable module has (kernel/module/sysfs.c), or named in
    /// /lib/modules/RELEASE/modules.builtin.
    public var builtIn: Bool
    /// The loaded modules that depend on it (`/sys/module/NAME/holders`): `modprobe -r` refuses
    /// while there are any.
    public var holders: [String]
    /// The PCI functions bound to its PCI driver (`/sys/bus/pci/drivers/NAME/ADDRESS`).
    public var boundDevices: [String]

    public init(
        module: String, inSysfs: Bool = false, listed: Bool = false, builtIn: Bool = false, holders: [String] = [],
        boundDevices: [String] = []
    ) {
        self.module = module
        self.inSysfs = inSysfs
        self.listed = listed
        self.builtIn = builtIn
        self.holders = holders
        self.boundDevices = boundDevices
    }

    /// The module's state as the guest's files show it; what cannot be read counts as absent.
    public static func read(_ module: String, fs: any FileSystem) -> KernelModuleState {
        let sysfs = "/sys/module/\(module)"
        var state = KernelModuleState(module: module)
        state.inSysfs = fs.exists(sysfs)
        // Bytes, not lines of Characters: /proc/modules runs to a hundred lines.
        if let modules = try? fs.readText("/proc/modules") {
            state.listed = modules.hasPrefix(module + " ") || TextSearch.firstRange(of: "\n\(module) ", in: Substring(modules)) != nil
        }
        state.builtIn = (state.inSysfs && !state.listed && !fs.exists(sysfs + "/initstate") && !fs.exists(sysfs + "/refcnt"))
            || builtInByList(module, fs: fs)
        state.holders = ((try? fs.list(sysfs + "/holders")) ?? []) ?? []
        state.boundDevices = ((try? fs.list("/sys/bus/pci/drivers/\(module)")) ?? []).filter { PCIAddress($0) != nil }
        return state
    }

    /// Whether /lib/modules/RELEASE/modules.builtin (RELEASE from /proc/sys/kernel/osrelease)
    /// names `MODULE.ko`; kmod treats `-` and `_` in module names alike.
    static func builtInByList(_ module: String, fs: any FileSystem) -> Bool {
        guard let release = fs.attribute("/proc/sys/kernel/osrelease"), !release.contains("/"),
            let list = try? fs.readText("/lib/modules/\(release)/modules.builtin")
        else { return false }
        let wanted = normalized(module) + ".ko"
        return list.split(separator: "\n").contains { line in
            normalized(String(line.split(separator: "/").last ?? "")) == wanted
        }
    }

    static func normalized(_ name: String) -> String { name.replacing("-", with: "_") }

    /// Why the module counts as present, in words, or nil when nothing of it is left: a
    /// device bound to its driver, its sysfs directory (a built-in one only when it drives a
    /// device: a built-in module with parameters always has one), or its /proc/modules line.
    public var evidence: String? {
        if inSysfs && !builtIn { return "/sys/module/\(module) exists" }
        if listed { return "listed in /proc/modules" }
        if !boundDevices.isEmpty { return "driving \(boundDevices.joined(separator: ", "))" }
        return nil
    }
}
