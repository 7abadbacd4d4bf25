#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import GuestPrepModel

/// What guestprep tells the hypervisor about this VM (`guestinfo.guestprep.status`, the same
/// key in Hyper-V's KVP pool 1) and what `status --json` carries as `published`: one small,
/// versioned JSON object built from a run's report or from the saved state. It holds names
/// only (the stage, a step, a property key, guestprep's own words for a degraded run) and never
/// a property value, so never a secret.
public struct StatusDocument: Sendable, Equatable, Codable {
    public static let currentVersion = 1

    /// How the stage ended.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case done, degraded, failed, reboot, invalid
    }

    /// The document's schema version (1).
    public var version: Int
    /// guestprep's version.
    public var guestprep: String
    /// The instance identity's digest (`status`'s `identityDigest`).
    public var instance: String
    /// The boot the document was made in (/proc/sys/kernel/random/boot_id); nil where procfs
    /// has none.
    public var boot: String?
    /// The stage the outcome is of: `early`, `main` or `all`.
    public var stage: String
    public var outcome: Outcome
    /// The step that failed or asked for a reboot (`validate` for invalid properties).
    public var step: String?
    /// The first property key at fault, when a key is.
    public var key: String?
    /// The last health run's summary; nil until one gives it.
    public var health: HealthSummary?
    /// When: UTC, ISO 8601.
    public var at: String
    /// Why a degraded run is not as specified, or why a run asks for a reboot (`nouveau could
    /// not be unloaded: …`), in guestprep's words; the first field dropped when the document
    /// must be shortened.
    public var reasons: [String]?

    public init(
        guestprep: String, instance: String, boot: String?, stage: String, outcome: Outcome, step: String? = nil,
        key: String? = nil, health: HealthSummary? = nil, at: String, reasons: [String]? = nil
    ) {
        self.version = Self.currentVersion
        self.guestprep = guestprep
        self.instance = instance
        self.boot = boot
        self.stage = stage
        self.outcome = outcome
        self.step = step
        self.key = key
        self.health = health
        self.at = at
        self.reasons = reasons
    }

    /// Whether the VM is provisioned: the main stage (or both) done, as specified or degraded.
    /// After the early stage alone it is not ready yet.
    public var ready: Bool {
        (outcome == .done || outcome == .degraded) && stage != StageSelection.early.rawValue
    }

    /// The document of a stage that ran (`report`, not a dry run).
    public static func of(
        _ report: RunReport, stage: StageSelection, instance: String, boot: String?, at: String, guestprep: String
    ) -> StatusDocument {
        let outcome: Outcome
        switch report.outcome {
        case .done: outcome = .done
        case .degraded: outcome = .degraded
        case .failed: outcome = .failed
        case .rebootNeeded: outcome = .reboot
        }
        let key = outcome == .failed ? firstErrorKey(report.diagnostics) : nil
        return StatusDocument(
            guestprep: guestprep, instance: instance, boot: boot, stage: stage.rawValue, outcome: outcome,
            step: report.outcome.step, key: key, at: at,
            reasons: report.outcome.degradationReasons ?? report.rebootReason.map { [$0] })
    }

    /// The document of a stage whose properties did not validate (exit 2, nothing changed).
    public static func invalid(
        _ diagnostics: [Diagnostic], stage: StageSelection, instance: String, boot: String?, at: String,
        guestprep: String
    ) -> StatusDocument {
        StatusDocument(
            guestprep: guestprep, instance: instance, boot: boot, stage: stage.rawValue, outcome: .invalid,
            step: "validate", key: firstErrorKey(diagnostics), at: at)
    }

    /// The document of the last run the state records (`status`, and a health run with its
    /// summary); nil when no run is recorded. `at` defaults to when that run finished.
    public static func of(
        _ state: AgentState, instance: String, boot: String?, guestprep: String, health: HealthSummary? = nil,
        at: String? = nil
    ) -> StatusDocument? {
        guard let last = state.lastRun else { return nil }
        let outcome: Outcome
        switch last.outcome {
        case "done": outcome = .done
        case "degraded": outcome = .degraded
        case "reboot-needed": outcome = .reboot
        default: outcome = .failed
        }
        return StatusDocument(
            guestprep: guestprep, instance: instance, boot: boot, stage: last.stage, outcome: outcome, step: last.step,
            key: last.key, health: health, at: at ?? last.finishedAt, reasons: last.reasons)
    }

    static func firstErrorKey(_ diagnostics: [Diagnostic]) -> String? {
        diagnostics.first { $0.severity == .error && $0.key != nil }?.key
    }

    /// The document as one line of JSON (keys sorted, nil fields left out) of at most `limit`
    /// bytes: when it is longer, whole optional fields are left out, `reasons` first, then
    /// `key`, `step` and `boot`, until it fits; a string is never cut. Nil when even the
    /// document without them is longer (no limit used here is that small).
    public func json(limit: Int) -> String? {
        var shortened = self
        let steps: [(inout StatusDocument) -> Void] = [
            { _ in }, { $0.reasons = nil }, { $0.key = nil }, { $0.step = nil }, { $0.boot = nil },
        ]
        for step in steps {
            step(&shortened)
            if let text = shortened.encoded(), text.utf8.count <= limit { return text }
        }
        return nil
    }

    private func encoded() -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// A health run's summary as the hypervisor keys show it: `ok`, `warn` or `critical`.
public enum HealthSummary: String, Sendable, Codable, CaseIterable {
    case ok, warn, critical

    /// The summary of a health run whose worst level is `level`. `unknown` (a check's source
    /// was missing) is `warn`: never a silent `ok`.
    public init(_ level: HealthCheck.Level) {
        switch level {
        case .pass: self = .ok
        case .unknown, .warn: self = .warn
        case .critical: self = .critical
        }
    }
}
