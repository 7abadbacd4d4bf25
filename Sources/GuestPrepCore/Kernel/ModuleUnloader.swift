import GuestPrepModel

/// Why a module could not be taken off the running system: the engine reboots instead.
public struct ModuleUnloadFailure: Error, CustomStringConvertible, Equatable {
    /// The `unloadModule` change that could not be made.
    public var change: Change
    public var module: String
    /// What went wrong, in words: the kernel's or modprobe's own.
    public var reason: String

    public var description: String { "\(module) could not be unloaded: \(reason)" }
}

/// Applies an `unloadModule` change on the running system: unbinds each PCI function from the
/// module's driver (`/sys/bus/pci/drivers/NAME/unbind`), runs `modprobe -r NAME`, then reads
/// the module's state again: a bound device, its sysfs directory or its /proc/modules line
/// left is a failure, whatever modprobe said.
struct ModuleUnloader {
    let fs: any FileSystem
    let runner: any ProcessRunner

    func unload(_ change: Change, module: String, unbind: [String]) throws(ModuleUnloadFailure) {
        func failure(_ reason: String) -> ModuleUnloadFailure {
            ModuleUnloadFailure(change: change, module: module, reason: reason)
        }
        let driver = "/sys/bus/pci/drivers/\(module)"
        // A function no longer bound (another run, or the driver let it go) needs no unbind.
        for address in unbind where fs.exists("\(driver)/\(address)") {
            do {
                try fs.writeAttribute("\(driver)/unbind", address)
            } catch {
                throw failure("the kernel refused to unbind \(address) from it (\(error))")
            }
        }
        guard let modprobe = CommandTable.resolve("modprobe", using: runner) else {
            throw failure("modprobe is not installed (looked in \(CommandTable.programs["modprobe"]?.joined(separator: ", ") ?? ""))")
        }
        let result: ProcessResult
        do {
            result = try runner.run(executable: modprobe, arguments: ["-r", module], timeout: CommandTable.timeout(for: "modprobe"))
        } catch {
            throw failure("modprobe -r \(module) did not run: \(error)")
        }
        guard result.status == 0 else {
            let said = result.errorText.trimmingCharacters(in: " \n\t")
            throw failure("modprobe -r \(module) exited with status \(result.status)\(said.isEmpty ? "" : ": \(said)")")
        }
        if let left = KernelModuleState.read(module, fs: fs).evidence {
            throw failure("modprobe -r \(module) succeeded, but it is still there (\(left))")
        }
    }
}
