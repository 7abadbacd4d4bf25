import GuestPrepModel

/// Turns on persistence mode at every boot, so the driver keeps the GPUs initialised between
/// jobs (a Bitfusion server's clients would otherwise each pay the initialisation):
///
/// - with a packaged nvidia-persistenced unit (Ubuntu's and NVIDIA's packages start it with
///   `--no-persistence-mode`), a drop-in that starts it with `--persistence-mode`;
/// - with the daemon but no unit (NVIDIA's .run installer ships none), a unit of guestprep's;
/// - without the daemon, a oneshot unit that runs `nvidia-smi -pm 1` at boot, the fallback.
///
/// Then the unit is enabled and started. Planned after the driver step has installed the
/// driver, so it sees the driver's files; `plan` before that shows the fallback.
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

    public func plan(_ context: StepContext) throws -> StepPlan {
        let spec = context.spec
        guard DriverStep.wanted(spec) else { return StepPlan() }
        guard spec.driver.persistence ?? true else {
            return StepPlan(diagnostics: [.info(PropertyKeys.driverPersistence, "persistence mode is left as the driver sets it (off)")])
        }
        let fs = context.fs
        let files = try Self.files(fs: fs)
        var changes: [Change] = []
        for (path, text) in files.units where try fs.readText(path) != text {
            changes.append(.write(step: id, path: path, text: text))
        }
        let wants = "/etc/systemd/system/multi-user.target.wants/\(files.unit)"
        if !changes.isEmpty || !fs.exists(wants) {
            changes.append(.run(step: id, ["systemctl", "daemon-reload"]))
            changes.append(.run(step: id, ["systemctl", "enable", "--now", files.unit]))
        }
        // A drop-in of an earlier run, when the daemon is now started another way.
        if fs.exists(Self.dropIn), !files.units.contains(where: { $0.path == Self.dropIn }) {
            changes.insert(.delete(step: id, path: Self.dropIn), at: 0)
        }
        return StepPlan(changes: changes, diagnostics: [.info(nil, "persistence mode: \(files.how)")], notes: ["persistence: \(files.unit)"])
    }

    /// The unit files to write, the unit to enable, and how, in words.
    static func files(fs: any FileSystem) throws -> (units: [(path: String, text: String)], unit: String, how: String) {
        let user = try hasUser("nvidia-persistenced", fs: fs) ? "--user nvidia-persistenced " : ""
        let command = "\(daemon) \(user)--persistence-mode --verbose"
        if packagedUnits.contains(where: fs.exists) {
            let text = """
                # Written by guestprep: the packaged unit starts the daemon with --no-persistence-mode.
                [Service]
                ExecStart=
                ExecStart=\(command)

                """
            return ([(dropIn, text)], "nvidia-persistenced.service", "nvidia-persistenced with --persistence-mode (a drop-in for the packaged unit)")
        }
        if fs.exists(daemon) {
            let text = """
                # Written by guestprep: NVIDIA's .run installer installs the daemon but no unit.
                [Unit]
                Description=NVIDIA Persistence Daemon
                Wants=syslog.target

                [Service]
                Type=forking
                ExecStart=\(command)
                ExecStopPost=/bin/rm -rf /var/run/nvidia-persistenced

                [Install]
                WantedBy=multi-user.target

                """
            return ([(ownUnit, text)], "nvidia-persistenced.service", "nvidia-persistenced with --persistence-mode (guestprep's unit: the driver installed none)")
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
        return ([(fallbackUnit, text)], "guestprep-nvidia-persistence.service", "nvidia-smi -pm 1 at every boot (nvidia-persistenced is not installed)")
    }

    static func hasUser(_ name: String, fs: any FileSystem) throws -> Bool {
        guard let passwd = try fs.readText("/etc/passwd") else { return false }
        return passwd.hasPrefix("\(name):") || TextSearch.firstRange(of: "\n\(name):", in: Substring(passwd)) != nil
    }
}
