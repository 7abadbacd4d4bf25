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
    /// of secrets, when it was read; `force` runs per-instance steps even when done.
    public func run(
        steps: [any Step], spec: GuestSpec, identity: InstanceIdentity, stage: StageSelection, dryRun: Bool,
        adapters: [EthernetAdapter] = [], guestinfo: GuestinfoSecrets? = nil, force: Bool = false
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
                report.steps.append(StepResult(step: step.id, status: .skipped))
                continue
            }
            notifier.status("\(step.id): \(dryRun ? "planning" : "applying")")
            context.previousInstance = state.steps[step.id].flatMap { $0.identity == digest || $0.identity.isEmpty ? nil : $0.identity }
            let plan: StepPlan
            do { plan = try step.plan(context) } catch {
                return try fail(step, "\(error)", &report, &state, startedAt, stage, dryRun)
            }
            report.diagnostics += plan.diagnostics
            stepErrors += plan.diagnostics.filter { $0.severity == .error }.map { _ in step.id }
            if dryRun {
                report.changes += plan.changes.map { ChangeResult(change: $0, disposition: .planned) }
                report.steps.append(StepResult(step: step.id, status: plan.changes.isEmpty ? .unchanged : .planned))
                if plan.rebootAfter && !plan.changes.isEmpty {
                    report.diagnostics.append(.info(nil, "step \(step.id) reboots the machine; later steps are planned after that reboot"))
                    report.outcome = .rebootNeeded(step: step.id)
                    break
                }
                continue
            }
            do {
                try applier.apply(plan.changes) { change, disposition in
                    report.changes.append(ChangeResult(change: change, disposition: disposition))
                }
            } catch {
                return try fail(step, "\(error)", &report, &state, startedAt, stage, dryRun)
            }
            state.steps[step.id] = StepRecord(
                status: .done, identity: digest, boot: boot, at: clock.now(), changes: plan.changes.count,
                notes: plan.notes.isEmpty ? nil : plan.notes)
            report.steps.append(StepResult(step: step.id, status: plan.changes.isEmpty ? .unchanged : .changed))
            logger.info(
                "step \(step.id): \(plan.changes.isEmpty ? "already as specified" : "\(plan.changes.count) change(s) applied")",
                metadata: ["message_id": "\(MessageID.stepApplied)", "step": "\(step.id)"])
            if plan.rebootAfter && !plan.changes.isEmpty {
                state.pendingReboot = PendingReboot(step: step.id, boot: boot, at: clock.now())
                report.outcome = .rebootNeeded(step: step.id)
                logger.notice(
                    "step \(step.id) needs a reboot to go on; state saved",
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
                processesStarted: report.processesStarted, reasons: report.outcome.degradationReasons)
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
        _ stage: StageSelection, _ dryRun: Bool
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
                processesStarted: report.processesStarted)
            try state.save(fs: fs)
        }
        return report
    }
}
