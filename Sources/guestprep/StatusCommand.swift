import ArgumentParser
import GuestPrepCore
import GuestPrepModel

/// `guestprep status`: what is done, what is pending, and who this instance is.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show steps done and pending, a pending reboot, and the instance identity.")

    @OptionGroup var root: RootOption
    @OptionGroup var output: OutputOptions

    struct Document: Encodable {
        struct StepEntry: Encodable {
            var step: String
            var stage: String
            var frequency: String
            var status: String
            var at: String?
            var message: String?
            var notes: [String]?
            /// Whether the step's last run needed a reboot and why, or what it did live instead.
            var reboot: RebootDecision?
        }

        var identity: InstanceIdentity
        var identityDigest: String
        var recordedIdentityDigest: String?
        var identityChanged: Bool
        var steps: [StepEntry]
        var pendingReboot: PendingReboot?
        /// Automatic reboots each step asked for in a row, for this instance.
        var reboots: [String: RebootCount]?
        var rebootLimit: Int
        var lastRun: RunRecord?
        /// The status document the last run published to the hypervisor (guestinfo and KVP
        /// `guestinfo.guestprep.status`), as the state records that run, without a health summary
        /// (only `guestprep health` knows one); absent before the first run.
        var published: StatusDocument?
    }

    func run() throws {
        let session = try Session(root: root.path)
        let state = try AgentState.load(fs: session.fs)
        // The instance id comes from the properties; status reads no source, so it uses the
        // one the last run saw.
        let current = InstanceIdentity.read(fs: session.fs, instanceID: state.identity?.instanceID)
        let changed = state.identity.map { $0.digest != current.digest } ?? false
        let steps = StepCatalog.all.map { step -> Document.StepEntry in
            let record = state.steps[step.id]
            var status = "pending"
            if let record {
                let stale = step.frequency == .perInstance && record.identity != current.digest
                status = record.status == .failed ? "failed" : (stale ? "pending (identity changed)" : "done")
            }
            return Document.StepEntry(
                step: step.id, stage: step.stage.rawValue, frequency: step.frequency.rawValue, status: status,
                at: record?.at, message: record?.message, notes: record?.notes, reboot: record?.reboot)
        }
        let document = Document(
            identity: current, identityDigest: current.digest, recordedIdentityDigest: state.identity?.digest,
            identityChanged: changed, steps: steps, pendingReboot: state.pendingReboot,
            reboots: state.reboots?.filter { $0.value.identity == current.digest }.nilIfEmpty, rebootLimit: Engine.rebootLimit,
            lastRun: state.lastRun,
            published: StatusDocument.of(state, instance: current.digest, boot: session.bootID, guestprep: Session.version))
        if output.json {
            CommandOutput.out(ReportFormatter.encode(document))
            return
        }
        var lines: [String] = []
        lines.append("instance: \(current.digest)\(changed ? " (changed from \(state.identity?.digest ?? ""): per-instance steps run again)" : "")")
        lines.append("  product_uuid: \(current.productUUID ?? "unknown")")
        lines.append("  macs: \(current.macs.isEmpty ? "none" : current.macs.joined(separator: ", "))")
        if let id = current.instanceID { lines.append("  instance-id: \(id)") }
        lines.append("steps:")
        let width = steps.map(\.step.count).max() ?? 0
        for entry in steps {
            var line = "  \(entry.step)\(String(repeating: " ", count: width - entry.step.count))  \(entry.stage)  \(entry.frequency)  \(entry.status)"
            if let at = entry.at { line += "  \(at)" }
            if let message = entry.message { line += "  \(message)" }
            lines.append(line)
            lines += (entry.notes ?? []).map { "      " + $0 }
            if let reboot = entry.reboot { lines.append("      " + reboot.described) }
        }
        if let pending = state.pendingReboot {
            lines.append("reboot pending: step \(pending.step) asked at \(pending.at)\(pending.reason.map { " because \($0)" } ?? "")")
        } else {
            lines.append("reboot pending: no")
        }
        for (step, count) in (document.reboots ?? [:]).sorted(by: { $0.key < $1.key }) {
            let spent = count.count >= Engine.rebootLimit ? ": no more automatic reboots for it" : ""
            lines.append(
                "automatic reboots: step \(step) asked \(count.count) of at most \(Engine.rebootLimit) times in a row, last at \(count.at)\(spent)")
        }
        if let last = state.lastRun {
            lines.append("last run: stage \(last.stage), \(last.outcome), \(last.startedAt) → \(last.finishedAt), \(last.processesStarted) process(es) started")
            // A reboot's reason is on the "reboot pending" line above.
            if last.outcome == "degraded", let reasons = last.reasons, !reasons.isEmpty {
                lines.append("  not as specified: " + reasons.joined(separator: "; "))
            }
            if last.stage == "early", last.outcome == "degraded" || last.outcome == "failed" {
                // Under systemd the main unit requires the early one: say what that means.
                let cause = last.outcome == "degraded"
                    ? "the properties (`journalctl -u guestprep-early` names each key)" : "what the failed step reports"
                lines.append("  under systemd the main stage does not start until the early stage succeeds: fix \(cause) and reboot")
            }
        } else {
            lines.append("last run: never")
        }
        CommandOutput.out(lines.joined(separator: "\n") + "\n")
    }
}

extension Dictionary {
    /// Nil for an empty dictionary, so that JSON leaves the field out.
    fileprivate var nilIfEmpty: Self? { isEmpty ? nil : self }
}
