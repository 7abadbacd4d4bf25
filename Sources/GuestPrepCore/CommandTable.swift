/// The one table of external programs guestprep may run. A plan names a program by its
/// table name (`argv[0]`); it runs from the first of its candidate paths that is executable,
/// so nothing is looked up in a PATH a property could influence.
public enum CommandTable {
    /// Candidate absolute paths by program name.
    public static let programs: [String: [String]] = [
        "vmware-rpctool": ["/usr/bin/vmware-rpctool", "/usr/sbin/vmware-rpctool"],
        "vmtoolsd": ["/usr/bin/vmtoolsd", "/usr/sbin/vmtoolsd"],
        "hostname": ["/usr/bin/hostname", "/bin/hostname"],
        "networkctl": ["/usr/bin/networkctl", "/bin/networkctl"],
        "netplan": ["/usr/sbin/netplan", "/usr/bin/netplan", "/sbin/netplan"],
        "nmcli": ["/usr/bin/nmcli", "/bin/nmcli"],
        "update-initramfs": ["/usr/sbin/update-initramfs", "/sbin/update-initramfs"],
        "dracut": ["/usr/bin/dracut", "/usr/sbin/dracut", "/sbin/dracut"],
        "mkinitrd": ["/usr/bin/mkinitrd", "/usr/sbin/mkinitrd", "/sbin/mkinitrd"],
        "apt-get": ["/usr/bin/apt-get"],
        "dnf": ["/usr/bin/dnf"],
        "zypper": ["/usr/bin/zypper"],
        "modprobe": ["/usr/sbin/modprobe", "/sbin/modprobe", "/usr/bin/modprobe"],
        "systemctl": ["/usr/bin/systemctl", "/bin/systemctl"],
        "rpm": ["/usr/bin/rpm", "/bin/rpm"],
        "nvidia-smi": ["/usr/bin/nvidia-smi"],
        "groupadd": ["/usr/sbin/groupadd", "/sbin/groupadd"],
        "usermod": ["/usr/sbin/usermod", "/sbin/usermod"],
        "systemd-machine-id-setup": ["/usr/bin/systemd-machine-id-setup", "/bin/systemd-machine-id-setup"],
        "ssh-keygen": ["/usr/bin/ssh-keygen"],
    ]

    /// Timeout in seconds for an installer guestprep downloaded (NVIDIA's .run builds its
    /// modules as it installs).
    public static let installerTimeout: Double = 1800

    /// The absolute path to run for `name`, or nil when the program is not in the table or
    /// not installed.
    public static func resolve(_ name: String, using runner: any ProcessRunner) -> String? {
        programs[name]?.first { runner.isExecutable($0) }
    }

    /// Timeout in seconds for one run of `name`.
    public static func timeout(for name: String) -> Double {
        switch name {
        case "vmware-rpctool", "vmtoolsd": 10
        // One image per installed kernel, each compressed: minutes on a slow disk.
        case "update-initramfs", "dracut", "mkinitrd": 600
        // A driver install downloads hundreds of MB and may build modules with DKMS.
        case "apt-get", "dnf", "zypper": 1800
        default: 60
        }
    }
}
