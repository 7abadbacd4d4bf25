import GuestPrepModel

/// Which stages a run covers.
public enum StageSelection: String, Sendable, CaseIterable {
    case early, main, all

    public func includes(_ stage: Stage) -> Bool { self == .all || rawValue == stage.rawValue }
}

/// How a run ended, and the exit code DESIGN.md gives it.
public enum RunOutcome: Sendable, Equatable {
    case done
    /// Every step done, but not everything as specified: NICs whose invalid properties were
    /// replaced by their fallback (`GuestSpec.nicFallbacks`), or errors a step reported and
    /// worked around (a configured NIC the guest does not have). Each reason in words.
    case degraded(reasons: [String])
    case rebootNeeded(step: String)
    case failed(step: String, message: String)

    public var exitCode: Int32 {
        switch self {
        case .done: 0
        case .failed, .degraded: 1
        case .rebootNeeded: 3
        }
    }

    /// The reasons of a `degraded` outcome; nil for any other.
    public var degradationReasons: [String]? {
        if case .degraded(let reasons) = self { reasons } else { nil }
    }

    /// The step that failed or asked for a reboot; nil for any other outcome.
    public var step: String? {
        switch self {
        case .failed(let step, _), .rebootNeeded(let step): step
        case .done, .degraded: nil
        }
    }

    public var name: String {
        switch self {
        case .done: "done"
        case .degraded: "degraded"
        case .rebootNeeded: "reboot-needed"
        case .failed: "failed"
        }
    }
}

/// One change and what became of it.
public struct ChangeResult: Sendable {
    public var change: Change
    public var disposition: PlanApplier.Disposition

    public init(change: Change, disposition: PlanApplier.Disposition) {
        self.change = change
        self.disposition = disposition
    }
}

/// What a step did in a run.
public struct StepResult: Sendable {
    public enum Status: String, Sendable {
        /// Already done for this instance: not planned.
        case skipped
        /// Planned and found nothing to change.
        case unchanged
        case changed
        /// Dry run: changes listed, not made.
        case planned
        case failed
    }

    public var step: String
    public var status: Status
}

/// Everything a run (or a dry run) produced.
public struct RunReport: Sendable {
    public var changes: [ChangeResult] = []
    public var steps: [StepResult] = []
    public var diagnostics: [Diagnostic] = []
    public var outcome: RunOutcome = .done
    public var dryRun: Bool
    public var processesStarted: Int = 0
    /// Why the run asks for a reboot, when it does and a step said why (the nouveau step: built
    /// in, the only console, or what failed when it tried to unload it live).
    public var rebootReason: String?

    public init(dryRun: Bool) { self.dryRun = dryRun }
}
