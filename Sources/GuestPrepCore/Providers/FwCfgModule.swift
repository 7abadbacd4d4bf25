import GuestPrepConfig

/// The kernel's qemu_fw_cfg driver, which shows QEMU's fw_cfg entries under
/// /sys/firmware/qemu_fw_cfg. Debian's and most distributions' kernels build it as a module
/// that udev loads for the firmware's device (modalias `acpi:QEMU0002:`) during coldplug,
/// which may still be under way when the early stage starts: guestprep loads it itself rather
/// than wait for udev's queue.
public enum FwCfgModule {
    /// Where the driver shows the firmware's entries once it is bound.
    public static let sysfs = "/sys/firmware/qemu_fw_cfg"
    /// The fw_cfg device as ACPI enumerates it on x86 (QEMU's DSDT has `Device (FWCF)` with
    /// `_HID "QEMU0002"`; drivers/firmware/qemu_fw_cfg.c matches that id).
    public static let devices = ["/sys/bus/acpi/devices/QEMU0002:00", "/sys/bus/platform/devices/QEMU0002:00"]

    /// Whether the guestprep entries are there, after loading the driver when the firmware
    /// has the device but the driver is not bound yet. Without a runner (a fixture root)
    /// nothing is loaded.
    public static func entriesPresent(fs: any FileSystem, runner: (any ProcessRunner)?) -> Bool {
        if fs.exists(FwCfgDecoder.directory) { return true }
        guard !fs.exists(sysfs), devices.contains(where: fs.exists), let runner,
            let modprobe = CommandTable.resolve("modprobe", using: runner)
        else { return false }
        _ = try? runner.run(executable: modprobe, arguments: ["qemu_fw_cfg"], timeout: CommandTable.timeout(for: "modprobe"))
        return fs.exists(FwCfgDecoder.directory)
    }
}
