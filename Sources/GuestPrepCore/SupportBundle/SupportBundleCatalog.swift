import GuestPrepModel
import GuestPrepRender

/// What a support bundle holds, as tables: the guestprep reports, the programs, and the files
/// (those guestprep writes, found from its steps' and renderers' paths, and those that describe
/// the system). Each entry names its place in the archive; what is missing is listed in the
/// manifest with the reason, never silently left out.
public enum SupportBundleCatalog {
    /// A guestprep subcommand whose output the bundle holds (run as guestprep itself, with the
    /// same --root).
    public struct Report: Sendable, Equatable {
        /// Its place in the archive, below `reports/`.
        public var name: String
        /// The subcommand and its options, without --root.
        public var arguments: [String]

        public init(_ name: String, _ arguments: [String]) {
            self.name = name
            self.arguments = arguments
        }
    }

    /// The reports, one line each.
    public static let reports: [Report] = [
        Report("status.txt", ["status"]),
        Report("status.json", ["status", "--json"]),
        Report("doctor.json", ["doctor", "--json"]),
        // Without --publish or --prometheus: the bundle publishes nothing and writes no textfile.
        Report("health.json", ["health", "--json"]),
    ]

    /// An external program (by its name in `CommandTable`) whose output the bundle holds; run
    /// only on the running system.
    public struct Program: Sendable, Equatable {
        public var name: String
        public var program: String
        public var arguments: [String]
    }

    /// guestprep's units (units/), whose journal of this boot the bundle holds.
    public static let units = [
        "guestprep-early.service", "guestprep.service", "guestprep-health.service", "guestprep-health.timer",
        "guestprep-diagnostics@*.service",
    ]

    /// The programs. journalctl(1): `-u` takes a unit or a glob pattern and may be repeated,
    /// `-b` limits the output to the current boot, `--no-pager` writes it all to stdout and
    /// `-o short-iso` stamps each line with an ISO 8601 time. lspci(8): `-vvv` is its most
    /// verbose listing (capabilities, link width and speed). nvidia-smi(1): `-q` queries every
    /// attribute of every GPU.
    public static let programs: [Program] = [
        Program(
            name: "journal.txt", program: "journalctl",
            arguments: ["--no-pager", "-o", "short-iso", "-b"] + units.flatMap { ["-u", $0] }),
        Program(name: "lspci-vvv.txt", program: "lspci", arguments: ["-vvv"]),
        Program(name: "nvidia-smi-q.txt", program: "nvidia-smi", arguments: ["-q"]),
    ]

    /// Files taken whole when they exist: what guestprep writes at fixed paths, its state and
    /// site options, and what describes the system.
    public static let files: [String] = [
        AgentState.path,
        "/etc/default/guestprep",
        "/etc/os-release",
        "/usr/lib/os-release",
        "/proc/sys/kernel/osrelease",
        "/proc/version",
        "/proc/cmdline",
        "/etc/hostname",
        "/etc/hosts",
        NouveauBlacklistRenderer.path,
        BitfusionLimitsRenderer.path,
        BitfusionClientCheckStep.systemServersConf,
        BitfusionClientStep.recordPath,
        GriddConfRenderer.path,
        HealthTimerStep.dropIn,
        PersistenceStep.dropIn,
        PersistenceStep.fallbackUnit,
    ]

    /// Directories whose files guestprep wrote (their names hold `guestprep`): the network
    /// configuration of each renderer, NTP and cloud-init's network switch.
    public static let writtenDirectories: [String] = [
        NetworkdRenderer.directory, NetplanRenderer.directory, NetworkManagerRenderer.directory,
        TimesyncRenderer.directory, CloudInitNetworkRenderer.directory,
    ]

    /// Directories taken whole: the module options (nouveau's blacklist among them, and any
    /// other that binds or blocks a GPU driver).
    public static let wholeDirectories: [String] = ["/etc/modprobe.d"]

    /// The kernel log, of which the lines about the NVIDIA driver, Xid errors and PCI are kept.
    public static let kernelLog = "/dev/kmsg"
    public static let kernelLogName = "kernel-log.txt"
    /// The words that make a kernel log line one the bundle keeps: NVRM (the NVIDIA driver's
    /// prefix, whose Xid lines read `NVRM: Xid (PCI:0000:3b:00): 79, …`), and PCI (the PCI core's
    /// `pci 0000:…` lines, BAR assignment, AER, pcieport).
    public static let kernelLogWords = ["NVRM", "Xid", "pci", "PCI", "nouveau", "nvidia"]

    /// The archive's top directory and the manifest's name in it.
    public static let top = "guestprep-support-bundle"
    public static let manifestName = "manifest.json"
    /// The most bytes taken of one file or one program's output (the kernel log before it is
    /// filtered): a bundle is mailed, and a journal can be large.
    public static let sizeLimit = 16 << 20
}
