import ArgumentParser
import GuestPrepConfig
import GuestPrepCore
import GuestPrepLinux
import GuestPrepModel

/// `guestprep run`: read, validate, then apply every step that is not done yet.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Provision the machine: read and validate every property, then apply the steps.",
        discussion: """
            Nothing is changed unless every property validates (exit 2 otherwise). Each step is \
            skipped when already done for this instance; state is saved after every step, so an \
            interrupted run resumes. Exit 3 means a step needs a reboot: the next run resumes after it. \
            One guestprep changes the machine at a time: while another one holds /run/guestprep.lock \
            (under --root), run waits up to --lock-timeout seconds, then exits 1 having changed \
            nothing. `run --dry-run` is `plan`, and takes no lock.
            """)

    @OptionGroup var root: RootOption
    @OptionGroup var sources: SourceOptions
    @OptionGroup var selection: RunOptions
    @OptionGroup var dryRun: DryRunOption
    @OptionGroup var lock: LockOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        try ProvisioningRun(
            root: root.path, sources: try sources.specs(), stage: selection.stage, profile: selection.profile,
            dryRun: dryRun.enabled, json: output.json, lockTimeout: lock.seconds
        ).execute()
    }
}

/// `guestprep plan`: what `run` would do.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print every change `run` would make (with diffs), and change nothing.")

    @OptionGroup var root: RootOption
    @OptionGroup var sources: SourceOptions
    @OptionGroup var selection: RunOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try ProvisioningRun(
            root: root.path, sources: try sources.specs(), stage: selection.stage, profile: selection.profile, dryRun: true,
            json: output.json
        ).execute()
    }
}

/// What `run` and `plan` do, in order: properties, validation, profile, identity, engine.
struct ProvisioningRun {
    let root: String
    let sources: [SourceSpec]
    let stage: StageArgument
    let profile: String?
    let dryRun: Bool
    let json: Bool
    /// Steps to run instead of the profile's (`reenable-client`), even when done.
    var steps: [any Step]? = nil
    var force = false
    /// The subcommand that chose the profile itself (`reenable-client`), shown as the reason.
    var command: String? = nil
    /// How long to wait for guestprep's lock; a dry run takes none.
    var lockTimeout = CommandLock.defaultTimeout

    var stageSelection: StageSelection { StageSelection(rawValue: stage.rawValue) ?? .all }

    func execute() throws {
        Session.bootstrapLogging()
        LoggingSetup.setProcessMetadata("stage", stage.rawValue)
        let session = try Session(root: root)
        let notifier = session.notifier
        // Before anything is read: the state, and what the steps compare, must not change under us.
        let lock = dryRun ? nil : try session.lock(timeout: lockTimeout, notifier: notifier)
        defer { withExtendedLifetime(lock) {} }
        // The NICs and drives this run reads, without waiting for udev's coldplug.
        _ = PendingDevices.loadDrivers(fs: session.fs, runner: session.runner)
        notifier.status("reading properties")
        let loaded = try session.loadProperties(sources)
        var validation = SpecValidator.validate(loaded.properties, localProfiles: session.localProfiles())
        validation.diagnostics = loaded.diagnostics + validation.diagnostics
        // A token archive given by location is fetched and decoded before anything is planned:
        // a bad one stops the run like any invalid property.
        if let spec = validation.spec {
            let resolved = TokenArchiveResolver.resolve(spec, fs: session.fs, downloader: session.onHost ? CurlDownloader() : nil)
            validation.diagnostics += resolved.diagnostics
            validation.spec = resolved.diagnostics.isEmpty ? resolved.spec : nil
        }
        let vmwareSource = loaded.sources.contains("vmware")
        guard var spec = validation.spec else {
            try invalid(validation.diagnostics, session: session, notifier: notifier, vmwareSource: vmwareSource)
        }
        var choice = RoleInference.choose(option: profile, spec: spec)
        if let command { choice.reason = command }
        // The profile is read and decoded once, for its steps, driver defaults and health.
        let chosenProfile = try session.loadProfile(choice.profile)
        let selected = steps ?? chosenProfile.steps.compactMap(StepCatalog.step)
        // Properties override the profile's driver defaults field by field.
        spec.driver = spec.driver.filling(chosenProfile.driver)
        spec.healthInterval = chosenProfile.health
        // A profile's own needs (a vGPU guest's driver from the site) are checked like properties.
        let profileProblems = VGPURules.profileProblems(profile: choice.profile, steps: steps == nil ? chosenProfile.steps : [], driver: spec.driver)
        guard profileProblems.isEmpty else {
            try invalid(validation.diagnostics + profileProblems, session: session, notifier: notifier, vmwareSource: vmwareSource)
        }
        let identity = InstanceIdentity.read(fs: session.fs, instanceID: spec.instanceID)
        var report = try session.engine(notifier: notifier).run(
            steps: selected, spec: spec, identity: identity, stage: stageSelection,
            dryRun: dryRun, adapters: loaded.adapters, guestinfo: loaded.guestinfo, force: force, profile: choice.profile)
        report.diagnostics.insert(.info(nil, "profile \(choice.profile) (\(choice.reason))"), at: 0)
        report.diagnostics = validation.diagnostics + report.diagnostics
        // After every stage, whatever its outcome, before a reboot: never a failed stage.
        let publisher = session.statusPublisher(vmwareSource: loaded.sources.contains("vmware"))
        if dryRun {
            report.diagnostics += publisher.targets.map { target in
                target == .vmware && !session.onHost
                    ? .info(nil, "run publishes its status to \(target.rawValue) only with --root / (it runs vmware-rpctool)")
                    : .info(nil, "run publishes its status to \(target.rawValue)")
            }
        } else {
            report.diagnostics += publisher.publish(
                .of(report, stage: stageSelection, instance: identity.digest, boot: session.bootID, at: SystemClock().now(),
                    guestprep: Session.version))
        }
        if json {
            CommandOutput.out(ReportFormatter.json(report))
        } else {
            CommandOutput.out(ReportFormatter.text(report, previous: { try? session.fs.readText($0) }))
        }
        notifier.ready(status: ReportFormatter.summary(report))
        if report.outcome.exitCode != 0 { throw ExitCode(report.outcome.exitCode) }
    }

    /// Reports invalid properties (`diagnostics`) and exits 2, having changed nothing.
    private func invalid(_ diagnostics: [Diagnostic], session: Session, notifier: any Notifier, vmwareSource: Bool) throws -> Never {
        var report = RunReport(dryRun: dryRun)
        report.diagnostics = diagnostics
        if !dryRun {
            // Nothing is changed, but the hypervisor is told why: the keys at fault, never a value.
            let identity = InstanceIdentity.read(fs: session.fs, instanceID: nil)
            report.diagnostics += session.statusPublisher(vmwareSource: vmwareSource).publish(
                .invalid(diagnostics, stage: stageSelection, instance: identity.digest, boot: session.bootID,
                    at: SystemClock().now(), guestprep: Session.version))
        }
        report.processesStarted = session.runner?.processesStarted ?? 0
        report.outcome = .failed(step: "validate", message: "invalid properties")
        if json {
            CommandOutput.out(ReportFormatter.json(report))
        } else {
            CommandOutput.error(
                report.diagnostics.map(\.description).joined(separator: "\n") + "\nnothing was changed: fix the properties above (exit 2)")
        }
        notifier.status("invalid properties: nothing changed")
        throw ExitCode(2)
    }
}
