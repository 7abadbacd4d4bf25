// FoundationEssentials, not Foundation: JSON is all we need, and full Foundation links ICU
// and thousands of conformances that every start-up pays for.
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import GuestPrepModel

/// What guestprep remembers between runs, in /var/lib/guestprep/state.json. Versioned; written
/// atomically after each step. It never holds a property value, so it holds no secret.
public struct AgentState: Sendable, Equatable, Codable {
    public static let currentSchema = 1
    public static let path = "/var/lib/guestprep/state.json"
    public static let directory = "/var/lib/guestprep"

    public var schemaVersion: Int
    /// The identity the per-instance records belong to.
    public var identity: InstanceIdentity?
    /// By step id.
    public var steps: [String: StepRecord]
    public var pendingReboot: PendingReboot?
    public var lastRun: RunRecord?
    /// The automatic reboots each step (by id) has asked for in a row and not yet completed,
    /// for the instance it ran for: what caps a reboot loop. Nil when there are none; a state
    /// written before the cap existed has none, which is what it means.
    public var reboots: [String: RebootCount]?

    public init(
        identity: InstanceIdentity? = nil, steps: [String: StepRecord] = [:], pendingReboot: PendingReboot? = nil,
        lastRun: RunRecord? = nil, reboots: [String: RebootCount]? = nil
    ) {
        self.schemaVersion = Self.currentSchema
        self.identity = identity
        self.steps = steps
        self.pendingReboot = pendingReboot
        self.lastRun = lastRun
        self.reboots = reboots
    }

    /// How many reboots `step` has asked for in a row for the instance `identity` (a digest);
    /// a count kept for another instance (before a clone) does not count.
    public func rebootCount(step: String, identity: String) -> Int {
        guard let record = reboots?[step], record.identity == identity else { return 0 }
        return record.count
    }

    /// Sets (or, with nil, forgets) `step`'s reboot count; no counts at all is nil, not empty.
    public mutating func setRebootCount(step: String, _ count: RebootCount?) {
        var counts = reboots ?? [:]
        counts[step] = count
        reboots = counts.isEmpty ? nil : counts
    }

    /// The state on disk, or a fresh one when there is none.
    public static func load(fs: any FileSystem) throws -> AgentState {
        guard let bytes = try fs.read(path) else { return AgentState() }
        struct Version: Decodable { var schemaVersion: Int }
        let decoder = JSONDecoder()
        let version: Int
        do { version = try decoder.decode(Version.self, from: Data(bytes)).schemaVersion } catch {
            throw GuestPrepError.malformed(
                what: path, reason: "not a guestprep state file (\(error)); `guestprep clean` forgets it")
        }
        guard version <= currentSchema else {
            throw GuestPrepError.malformed(
                what: path, reason: "written by a newer guestprep (schema \(version), this one knows \(currentSchema))")
        }
        do { return try decoder.decode(AgentState.self, from: Data(bytes)) } catch {
            throw GuestPrepError.malformed(what: path, reason: "unreadable state (\(error)); `guestprep clean` forgets it")
        }
    }

    /// Writes the state atomically, 0600, as `load` reads it: pretty-printed JSON (two-space
    /// indentation, keys sorted, nil fields left out) and a final newline.
    public func save(fs: any FileSystem) throws {
        try fs.writeAtomically(Self.path, Array(json.utf8) + [UInt8(ascii: "\n")], mode: 0o600, owner: .root)
    }

    /// The text of state.json, without the final newline.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        } catch {
            // Strings, integers, arrays and string-keyed objects: JSONEncoder has nothing here it
            // cannot encode (it throws only for non-finite floats and the like).
            preconditionFailure("the agent state does not encode as JSON: \(error)")
        }
    }
}

/// What happened to one step.
public struct StepRecord: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable { case done, failed }

    public var status: Status
    /// The identity digest the step ran for.
    public var identity: String
    /// The boot it ran in (/proc/sys/kernel/random/boot_id).
    public var boot: String?
    /// UTC, ISO 8601.
    public var at: String
    public var changes: Int
    /// Why it failed; never holds a secret.
    public var message: String?
    /// What the step noted (`StepPlan.notes`), for `status`.
    public var notes: [String]?
    /// Whether its run needed a reboot and why, or what it did live instead (nouveau unloaded
    /// without one); nil for a step that never needs one.
    public var reboot: RebootDecision?

    public init(
        status: Status, identity: String, boot: String?, at: String, changes: Int, message: String? = nil,
        notes: [String]? = nil, reboot: RebootDecision? = nil
    ) {
        self.reboot = reboot
        self.status = status
        self.identity = identity
        self.boot = boot
        self.at = at
        self.changes = changes
        self.message = message
        self.notes = notes
    }

}

/// A reboot a step asked for and that has not happened yet.
public struct PendingReboot: Sendable, Equatable, Codable {
    public var step: String
    /// The boot in which it was asked for: a different boot id means the reboot happened.
    public var boot: String?
    public var at: String
    /// Why, in words (absent in a state file of an older guestprep).
    public var reason: String?

    public init(step: String, boot: String?, at: String, reason: String? = nil) {
        self.step = step
        self.boot = boot
        self.at = at
        self.reason = reason
    }

}

/// The reboots one step has asked for in a row without completing.
public struct RebootCount: Sendable, Equatable, Codable {
    /// The identity digest the requests were made for: a clone starts a new count.
    public var identity: String
    public var count: Int
    /// UTC, ISO 8601: the last request.
    public var at: String

    public init(identity: String, count: Int, at: String) {
        self.identity = identity
        self.count = count
        self.at = at
    }
}

/// A summary of the last run.
public struct RunRecord: Sendable, Equatable, Codable {
    public var stage: String
    public var startedAt: String
    public var finishedAt: String
    public var outcome: String
    public var processesStarted: Int
    /// Why a `degraded` run is not as specified (`net1 fell back to DHCP`), or why a
    /// `reboot-needed` run asked for the reboot, when a step said; nil otherwise.
    public var reasons: [String]?
    /// The role profile the run used: how `doctor` (in the diagnostics unit, which reads no
    /// properties) knows the VM's role. Nil in a state written before it was recorded.
    public var profile: String?
    /// The step that failed or asked for a reboot; nil otherwise (and in a state written
    /// before it was recorded).
    public var step: String?
    /// The first property key a failed run's errors named; nil when none did.
    public var key: String?

    public init(
        stage: String, startedAt: String, finishedAt: String, outcome: String, processesStarted: Int,
        reasons: [String]? = nil, profile: String? = nil, step: String? = nil, key: String? = nil
    ) {
        self.profile = profile
        self.step = step
        self.key = key
        self.stage = stage
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.processesStarted = processesStarted
        self.reasons = reasons
    }

}

/// Whether a step's run needed a reboot, and why; or, when it did not, what it did live in its
/// place. In state.json as `{"needed": false, "because": "nouveau unloaded live (…)", "at": …}`.
/// The step's later runs that decide nothing (nouveau no longer loaded) keep it, so that after
/// the reboot `status` and the doctor still say why there was one.
public struct RebootDecision: Sendable, Equatable, Codable {
    public var needed: Bool
    /// The reason for the reboot, or what was done instead of one.
    public var because: String
    /// When it was decided (UTC, ISO 8601): later runs that decide nothing keep the decision.
    public var at: String?

    public init(needed: Bool, because: String, at: String? = nil) {
        self.needed = needed
        self.because = because
        self.at = at
    }

    /// `reboot needed because …` or `no reboot: …`, as `status` and the doctor say it.
    public var described: String { needed ? "reboot needed because \(because)" : "no reboot: \(because)" }
}
