import GuestPrepConfig
import GuestPrepModel

/// Turns on persistence mode at every boot, so the driver keeps the GPUs initialised between
/// jobs (a Bitfusion server's clients would otherwise each pay the initialisation). How depends
/// on what the driver installed, read from the packaged unit itself:
///
/// - a packaged nvidia-persistenced unit that passes `--no-persistence-mode` (Ubuntu's, from
///   Canonical's nvidia-graphics-drivers packaging) gets a drop-in that starts the same command
///   with `--persistence-mode`;
/// - a packaged unit that does not (NVIDIA's RPM unit runs `nvidia-persistenced --verbose`, and
///   persistence mode is the daemon's default: NVIDIA/nvidia-persistenced `options.c`) is used
///   as it is;
/// - with the daemon but no unit (NVIDIA's .run installer ships only a sample), a unit of
///   guestprep's;
/// - without the daemon, a oneshot unit that runs `nvidia-smi -pm 1` at boot, the fallback.
///
/// A unit with an `[Install]` section is enabled (its links are what tells a later run that
/// nothing is left to do). Ubuntu's unit has none: udev starts it when the driver binds
/// (`71-nvidia.rules`, `SYSTEMD_WANTS`), so it is never enabled, only restarted when its drop-in
/// changes. Planned after the driver step has installed the driver, so it sees the driver's
/// files; `plan` before that shows the fallback.
public struct PersistenceStep: Step {
    public init() {}

    public let id = "persistence"
    public let stage = Stage.main
    public let frequency = StepFrequency.perInstance
    public let summary = "persistence mode on at every boot (nvidia-persistenced --persistence-mode)"

    static let daemon = "/usr/bin/nvidia-persistenced"
    static let packagedUnits = [
        "/lib/systemd/system/nvidia-persistenced.service", "/usr/lib/systemd/system/nvidia-persistenced.service",
    ]
    static let dropIn = "/etc/systemd/system/nvidia-persistenced.service.d/guestprep-persistence-mode.conf"
    static let ownUnit = "/etc/systemd/system/nvidia-persistenced.service"
    static let fallbackUnit = "/etc/systemd/system/guestprep-nvidia-persistence.service"

    /// The files that set persistence mode, the unit that runs it, and how, in words.
    struct Setup {
        var files: [(path: String, text: String)]
        var unit: String
        /// The links `systemctl enable` makes for the unit; empty when something else starts it.
        var enableLinks: [String]
        var how: String
    }

    public func plan(_ context: StepContext) throws -> StepPlan {
        let spec = context.spec
        guard DriverStep.wanted(spec) else { return StepPlan() }
        guard spec.driver.persistence ?? true else {
            return StepPlan(diagnostics: [.info(PropertyKeys.driverPersistence, "persistence mode is left as the driver sets it (off)")])
        }
        let fs = context.fs
        let setup = try Self.setup(fs: fs)
        var changes: [Change] = []
        // A drop-in of an earlier run, when the daemon is now started another way.
        if fs.exists(Self.dropIn), !setup.files.contains(where: { $0.path == Self.dropIn }) {
            changes.append(.delete(step: id, path: Self.dropIn))
        }
        for (path, text) in setup.files where try fs.readText(path) != text {
            changes.append(.write(step: id, path: path, text: text))
        }
        let unlinked = setup.enableLinks.contains { !fs.exists($0) }
        if !changes.isEmpty {
            // New unit text takes effect only after a reload and a restart of a running daemon.
            changes.append(.run(step: id, ["systemctl", "daemon-reload"]))
            if unlinked { changes.append(.run(step: id, ["systemctl", "enable", setup.unit])) }
            changes.append(.run(step: id, ["systemctl", "restart", setup.unit]))
        } else if unlinked {
            changes.append(.run(step: id, ["systemctl", "enable", "--now", setup.unit]))
        }
        return StepPlan(changes: changes, diagnostics: [.info(nil, "persistence mode: \(setup.how)")], notes: ["persistence: \(setup.unit)"])
    }

    static func setup(fs: any FileSystem) throws -> Setup {
        let unit = "nvidia-persistenced.service"
        if let path = packagedUnits.first(where: fs.exists) {
            let packaged = SystemdUnitFile(try fs.readText(path) ?? "")
            let links = packaged.enableLinks(unit: unit)
            let started = links.isEmpty ? "; udev starts it when the driver binds, so it is not enabled" : ""
            let command = packaged.values("ExecStart", in: "Service").last ?? ""
            let words = command.split(separator: " ").map(String.init)
            guard words.contains("--no-persistence-mode") else {
                return Setup(
                    files: [], unit: unit, enableLinks: links,
                    how: "nvidia-persistenced as packaged (\(path) does not pass --no-persistence-mode, and persistence mode is the daemon's default)\(started)")
            }
            let switched = words.map { $0 == "--no-persistence-mode" ? "--persistence-mode" : $0 }.joined(separator: " ")
            let text = """
                # Written by guestprep: the packaged unit starts the daemon with --no-persistence-mode.
                [Service]
                ExecStart=
                ExecStart=\(switched)

                """
            return Setup(
                files: [(dropIn, text)], unit: unit, enableLinks: links,
                how: "nvidia-persistenced with --persistence-mode (a drop-in for the packaged unit)\(started)")
        }
        let user = try hasUser("nvidia-persistenced", fs: fs) ? "--user nvidia-persistenced " : ""
        let install = "/etc/systemd/system/multi-user.target.wants/"
        if fs.exists(daemon) {
            let text = """
                # Written by guestprep: NVIDIA's .run installer installs the daemon but no unit.
                [Unit]
                Description=NVIDIA Persistence Daemon
                Wants=syslog.target

                [Service]
                Type=forking
                ExecStart=\(daemon) \(user)--persistence-mode --verbose
                ExecStopPost=/bin/rm -rf /var/run/nvidia-persistenced

                [Install]
                WantedBy=multi-user.target

                """
            return Setup(
                files: [(ownUnit, text)], unit: unit, enableLinks: [install + unit],
                how: "nvidia-persistenced with --persistence-mode (guestprep's unit: the driver installed none)")
        }
        let text = """
            # Written by guestprep: nvidia-persistenced is not installed, so persistence mode is
            # set by nvidia-smi at every boot instead.
            [Unit]
            Description=NVIDIA persistence mode (nvidia-smi -pm 1)
            After=systemd-modules-load.service

            [Service]
            Type=oneshot
            RemainAfterExit=yes
            ExecStart=/usr/bin/nvidia-smi -pm 1

            [Install]
            WantedBy=multi-user.target

            """
        let fallback = "guestprep-nvidia-persistence.service"
        return Setup(
            files: [(fallbackUnit, text)], unit: fallback, enableLinks: [install + fallback],
            how: "nvidia-smi -pm 1 at every boot (nvidia-persistenced is not installed)")
    }

    static func hasUser(_ name: String, fs: any FileSystem) throws -> Bool {
        guard let passwd = try fs.readText("/etc/passwd") else { return false }
        return passwd.hasPrefix("\(name):") || TextSearch.firstRange(of: "\n\(name):", in: Substring(passwd)) != nil
    }
}
