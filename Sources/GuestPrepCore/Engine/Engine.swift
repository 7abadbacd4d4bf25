import GuestPrepModel
import Logging

/// Runs steps in order: skips what is done for this instance, plans the rest, applies each
/// plan, and saves state after every step, so a run cut short resumes where it stopped.
public struct Engine: Sendable {
    public var fs: any FileSystem
    /// Nil when the root is not `/`: no external program runs.
    public var runner: (any ProcessRunner)?
    public var clock: any Clock
    public var notifier: any Notifier
    public var logger: Logger
    /// Nil when the root is not `/`: nothing is downloaded.
    public var downloader: (any Downloader)?
    /// Where a download's progress goes (a terminal's progress bar, systemd's STATUS=).
    public var downloadProgress: @Sendable (String, DownloadProgress) -> Void
    /// Asks the loaded NVIDIA driver what it sees (the driver-verify step); nil when the root
    /// is not `/`.
    public var driverProbe: (any DriverProbe)?
    /// Checks Bitfusion servers' TLS and the vCenter Server; nil when the root is not `/`.
    public var tlsProbe: (any TLSEndpointProbe)?
    public var vcenterVerifier: (any VCenterVerifier)?

    public init(
        fs: any FileSystem, runner: (any ProcessRunner)?, clock: any Clock = SystemClock(),
        notifier: any Notifier = SilentNotifier(), logger: Logger = Logger(label: "guestprep"),
        downloader: (any Downloader)? = nil,
        downloadProgress: @escaping @Sendable (String, DownloadProgress) -> Void = { _, _ in },
        driverProbe: (any DriverProbe)? = nil, tlsProbe: (any TLSEndpointProbe)? = nil,
        vcenterVerifier: (any VCenterVerifier)? = nil
    ) {
        self.tlsProbe = tlsProbe
        self.vcenterVerifier = vcenterVerifier
        self.fs = fs
        self.runner = runner
        self.clock = clock
        self.notifier = notifier
        self.logger = logger
        self.downloader = downloader
        self.downloadProgress = downloadProgress
        self.driverProbe = driverProbe
    }

    /// The journal MESSAGE_IDs guestprep logs under, so operators can filter by event.
    public enum MessageID {
        public static let runStarted = "3c1c2f5a9b0e4d6f8a7b6c5d4e3f2a10"
        public static let stepApplied = "3c1c2f5a9b0e4d6f8a7b6c5d4e3f2a11"
        public static let stepFailed = "3c1c2f5a9b0e4d6f8a7b6c5d4e3f2a12"
        public static let rebootRequested = "3c1c2f5a9b0e4d6f8a7b6c5d4e3f2a13"
        public static let cloneDetected = "3c1c2f5a9b0e4d6f8a7b6c5d4e3f2a14"
        public static let runFinished = "3c1c2f5a9b0e4d6f8a7b6c5d4e3f2a15"
    }

    /// The current boot's id, or nil where procfs has none (a fixture root).
    public var bootID: String? { fs.attribute("/proc/sys/kernel/random/boot_id") }

    /// Runs `steps` (already chosen by profile) for `spec` in `stage`. `adapters` are the OVF
    /// environment's Ethernet adapters, when a source had them; `guestinfo` what guestinfo held
    /// of secrets, when it was read; `force` runs per-instance steps even when done; `profile`
    /// is the role profile the steps came from, recorded with the run.
    public func run(
        steps: [any Step], spec: GuestSpec, identity: InstanceIdentity, stage: StageSelection, dryRun: Bool,
        adapters: [EthernetAdapter] = [], guestinfo: GuestinfoSecrets? = nil, force: Bool = false, profile: String? = nil
    ) throws -> RunReport {
        var report = RunReport(dryRun: dryRun)
        let startedAt = clock.now()
        var state = try AgentState.load(fs: fs)
        let boot = bootID
        let digest = identity.digest
        let selected = steps.filter { stage.includes($0.stage) }
        logger.info(
            "\(dryRun ? "planning" : "running") stage \(stage.rawValue): \(selected.map(\.id).joined(separator: ", "))",
            metadata: ["message_id": "\(MessageID.runStarted)", "stage": "\(stage.rawValue)"])

        if let previous = state.identity, previous.digest != digest {
            report.diagnostics.append(
                .info(nil, "instance identity changed (\(previous.digest) → \(digest)): a clone or a move; per-instance steps run again"))
            logger.notice(
                "instance identity changed: per-instance steps run again",
                metadata: ["message_id": "\(MessageID.cloneDetected)", "previous": "\(previous.digest)", "current": "\(digest)"])
        }

        if let pending = state.pendingReboot {
            if pending.boot != nil, pending.boot == boot {
                report.outcome = .rebootNeeded(step: pending.step)
                report.diagnostics.append(
                    .warning(nil, "step \(pending.step) asked for a reboot at \(pending.at) and the machine has not rebooted since; reboot to go on"))
                return report
            }
            if !dryRun {
                report.diagnostics.append(.info(nil, "resuming after the reboot step \(pending.step) asked for"))
                state.pendingReboot = nil
            }
        }

        var context = StepContext(
            spec: spec, fs: fs, onHost: runner != nil, adapters: adapters, driverProbe: driverProbe, tlsProbe: tlsProbe,
            vcenterVerifier: vcenterVerifier, instance: digest, guestinfo: guestinfo)
        let applier = PlanApplier(fs: fs, runner: runner, downloader: downloader, downloadProgress: downloadProgress)
        if !dryRun { state.identity = identity }

        var stepErrors: [String] = []
        for step in selected {
            if !force, step.frequency == .perInstance, let record = state.steps[step.id], record.status == .done,
                record.identity == digest
            {
                // Done for this instance, its reboot (if it asked for one) behind it: complete.
                if !dryRun { state.setRebootCount(step: step.id, nil) }
                report.steps.append(StepResult(step: step.id, status: .skipped))
                continue
            }
            notifier.status("\(step.id): \(dryRun ? "planning" : "applying")")
            context.previousInstance = state.steps[step.id].flatMap { $0.identity == digest || $0.identity.isEmpty ? nil : $0.identity }
            let plan: StepPlan
            do { plan = try step.plan(context) } catch {
                return try fail(step, "\(error)", &report, &state, startedAt, stage, dryRun, profile)
            }
            report.diagnostics += plan.diagnostics
            stepErrors += plan.diagnostics.filter { $0.severity == .error }.map { _ in step.id }
            let wantsReboot = plan.rebootAfter && !plan.changes.isEmpty
            let reboots = state.rebootCount(step: step.id, identity: digest)
            if wantsReboot, reboots >= Self.rebootLimit {
                return try fail(step, Self.rebootLoopMessage(step: step.id, requests: reboots + 1, changes: plan.changes),
                    &report, &state, startedAt, stage, dryRun, profile)
            }
            if dryRun {
                report.changes += plan.changes.map { ChangeResult(change: $0, disposition: .planned) }
                report.steps.append(StepResult(step: step.id, status: plan.changes.isEmpty ? .unchanged : .planned))
                let unloading: String? = if case .unloadModule(let module, _) = plan.changes.last?.action { module } else { nil }
                // Under a root other than / nothing is unloaded, so the run would reboot.
                if wantsReboot || (unloading != nil && runner == nil) {
                    report.diagnostics.append(.info(nil, "step \(step.id) reboots the machine; later steps are planned after that reboot"))
                    report.outcome = .rebootNeeded(step: step.id)
                    break
                }
                if let unloading {
                    report.diagnostics.append(
                        .info(nil, "step \(step.id) unloads \(unloading) live; only if that fails does the machine reboot, and later steps are planned as if it did not"))
                }
                continue
            }
            let decision: RebootDecision?
            do {
                decision = try apply(plan, of: step, wantsReboot: wantsReboot, with: applier, into: &report)
            } catch {
                return try fail(step, "\(error)", &report, &state, startedAt, stage, dryRun, profile)
            }
            let fellBack = decision?.needed == true && !wantsReboot
            if fellBack, reboots >= Self.rebootLimit {
                return try fail(step, Self.rebootLoopMessage(step: step.id, requests: reboots + 1, changes: plan.changes),
                    &report, &state, startedAt, stage, dryRun, profile)
            }
            let rebooting = wantsReboot || fellBack
            // A run that decides nothing keeps the last decision for this instance: after the
            // reboot, the reason for it.
            let kept = state.steps[step.id].flatMap { $0.identity == digest ? $0.reboot : nil }
            state.steps[step.id] = StepRecord(
                status: .done, identity: digest, boot: boot, at: clock.now(), changes: plan.changes.count,
                notes: plan.notes.isEmpty ? nil : plan.notes, reboot: decision ?? kept)
            // A step that completes without a reboot starts its count over; one that asks again adds to it.
            state.setRebootCount(
                step: step.id, rebooting ? RebootCount(identity: digest, count: reboots + 1, at: clock.now()) : nil)
            report.steps.append(StepResult(step: step.id, status: plan.changes.isEmpty ? .unchanged : .changed))
            logger.info(
                "step \(step.id): \(plan.changes.isEmpty ? "already as specified" : "\(plan.changes.count) change(s) applied")",
                metadata: ["message_id": "\(MessageID.stepApplied)", "step": "\(step.id)"])
            if rebooting {
                state.pendingReboot = PendingReboot(step: step.id, boot: boot, at: clock.now(), reason: decision?.because)
                report.outcome = .rebootNeeded(step: step.id)
                report.rebootReason = decision?.because
                logger.notice(
                    "step \(step.id) needs a reboot to go on\(decision.map { " because \($0.because)" } ?? ""); state saved",
                    metadata: ["message_id": "\(MessageID.rebootRequested)", "step": "\(step.id)"])
                break
            }
            // State is saved after every step; after the last one the save below does it.
            if step.id != selected.last?.id { try state.save(fs: fs) }
        }
        report.processesStarted = runner?.processesStarted ?? 0
        if report.outcome == .done {
            let reasons = Self.degradation(spec: spec, stepErrors: stepErrors)
            if !reasons.isEmpty { report.outcome = .degraded(reasons: reasons) }
        }
        if !dryRun {
            state.lastRun = RunRecord(
                stage: stage.rawValue, startedAt: startedAt, finishedAt: clock.now(), outcome: report.outcome.name,
                processesStarted: report.processesStarted,
                reasons: report.outcome.degradationReasons ?? report.rebootReason.map { [$0] }, profile: profile,
                step: report.outcome.step)
            try state.save(fs: fs)
        }
        logger.info(
            "stage \(stage.rawValue) \(report.outcome.name)",
            metadata: [
                "message_id": "\(MessageID.runFinished)", "outcome": "\(report.outcome.name)",
                "changes": "\(report.changes.count)",
            ])
        return report
    }

    /// Applies one step's plan, each change's result into `report`, and says whether the step
    /// needs a reboot and why: the plan's own reboot, or, for a plan that ends in an
    /// `unloadModule`, that it was unloaded live or why not. A failed unload is no failure of
    /// the step (every change before it is applied): its reboot takes its place. Any other
    /// change that fails throws.
    private func apply(
        _ plan: StepPlan, of step: any Step, wantsReboot: Bool, with applier: PlanApplier, into report: inout RunReport
    ) throws -> RebootDecision? {
        let now = clock.now()
        var decision =
            wantsReboot ? RebootDecision(needed: true, because: plan.rebootReason ?? "step \(step.id) asked for one", at: now) : nil
        do {
            try applier.apply(plan.changes) { change, disposition in
                report.changes.append(ChangeResult(change: change, disposition: disposition))
                guard case .unloadModule(let module, let unbind) = change.action else { return }
                decision =
                    disposition == .notRun
                    ? RebootDecision(
                        needed: true, because: "\(module) could not be unloaded: nothing is unloaded under a root other than /", at: now)
                    : RebootDecision(needed: false, because: Self.unloaded(module, unbind: unbind), at: now)
            }
        } catch let failure as ModuleUnloadFailure where failure.change == plan.changes.last {
            report.changes.append(ChangeResult(change: failure.change, disposition: .rebootInstead))
            report.diagnostics.append(.warning(nil, "\(failure); rebooting"))
            return RebootDecision(needed: true, because: "\(failure)", at: now)
        }
        if let decision, !decision.needed {
            report.diagnostics.append(.info(nil, "\(decision.because): no reboot"))
        }
        return decision
    }

    /// What a live unload did, in words: `nouveau unloaded live (0000:0b:00.0 unbound, then
    /// modprobe -r nouveau)`.
    static func unloaded(_ module: String, unbind: [String]) -> String {
        let unbound = unbind.isEmpty ? "" : "\(unbind.joined(separator: ", ")) unbound, then "
        return "\(module) unloaded live (\(unbound)modprobe -r \(module))"
    }

    /// How many automatic reboots one step may ask for, in a row and for one instance, before
    /// the stage fails instead: a step whose changes never hold across a reboot (something
    /// undoes them at boot) would otherwise reboot the machine forever.
    public static let rebootLimit = 3

    /// What to fix when a step asks for one reboot too many: which step, how often, what it
    /// keeps changing (paths and program names only: never an argument, which may be a secret)
    /// and where to look.
    static func rebootLoopMessage(step: String, requests: Int, changes: [Change]) -> String {
        let again = changes.map { change -> String in
            switch change.action {
            case .write(let path, _, _, _): "write \(path)"
            case .delete(let path): "delete \(path)"
            case .run(let argv): "run \(argv.first ?? "")"
            case .download(_, let path, _, _, _): "download \(path)"
            case .unloadModule(let module, _): "unload \(module)"
            }
        }
        return "asked for a reboot \(requests) times in a row for this instance; guestprep reboots at most \(rebootLimit) "
            + "times for one step, so the stage stops here instead of rebooting again. Its changes do not hold across a "
            + "reboot: it would again \(again.joined(separator: ", ")). Look at what undoes them at boot (another "
            + "service or configuration manager rewriting those files, a read-only or reset /etc, a kernel or initramfs "
            + "that is not the one booted) and at the earlier boots' journal (`journalctl -b -1 -u guestprep-early "
            + "-u guestprep`); once the step has nothing left to change the next run completes it and its count starts over"
    }

    /// Why a run that finished is not as specified, in words; empty when it is.
    static func degradation(spec: GuestSpec, stepErrors: [String]) -> [String] {
        var reasons = spec.nicFallbacks.map { $0 == 1 ? "net1 fell back to DHCP" : "net\($0) was left unconfigured" }
        var counted: [String: Int] = [:]
        for step in stepErrors { counted[step, default: 0] += 1 }
        for step in stepErrors where counted[step] != nil {
            let count = counted.removeValue(forKey: step)!
            reasons.append("step \(step) reported \(count) error\(count == 1 ? "" : "s")")
        }
        return reasons
    }

    private func fail(
        _ step: any Step, _ message: String, _ report: inout RunReport, _ state: inout AgentState, _ startedAt: String,
        _ stage: StageSelection, _ dryRun: Bool, _ profile: String?
    ) throws -> RunReport {
        report.outcome = .failed(step: step.id, message: message)
        report.steps.append(StepResult(step: step.id, status: .failed))
        report.diagnostics.append(.error(nil, "step \(step.id) failed: \(message)"))
        report.processesStarted = runner?.processesStarted ?? 0
        logger.error(
            "step \(step.id) failed: \(message)", metadata: ["message_id": "\(MessageID.stepFailed)", "step": "\(step.id)"])
        if !dryRun {
            state.steps[step.id] = StepRecord(
                status: .failed, identity: state.identity?.digest ?? "", boot: bootID, at: clock.now(), changes: 0,
                message: message)
            state.lastRun = RunRecord(
                stage: stage.rawValue, startedAt: startedAt, finishedAt: clock.now(), outcome: report.outcome.name,
                processesStarted: report.processesStarted, profile: profile, step: step.id,
                key: report.diagnostics.first { $0.severity == .error && $0.key != nil }?.key)
            try state.save(fs: fs)
        }
        return report
    }
}
