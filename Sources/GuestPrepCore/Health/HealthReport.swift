import GuestPrepModel

/// What one `guestprep health` found: every source's checks in order, their metrics, and the
/// memory to keep for the next run.
public struct HealthReport: Sendable, Equatable {
    public var checks: [HealthCheck] = []
    public var metrics: [HealthMetric] = []
    /// The memory the run started with, with what each source asked to keep written over it
    /// (a source that failed this time keeps its earlier figures: Xid counts must survive it).
    public var memory: [String: Double] = [:]
    /// When the run started, UTC ISO 8601.
    public var time: String
    /// The role's profile and where it came from, nil when none is known.
    public var profile: String?
    /// What the run could not read, in words (the properties), shown before the checks.
    public var notes: [String] = []

    public init(time: String, profile: String? = nil, notes: [String] = []) {
        self.time = time
        self.profile = profile
        self.notes = notes
    }

    /// Runs `sources` in order over `context`; a source that throws becomes one `unknown`
    /// check named `source` with the source's name as its subject.
    public static func run(
        _ sources: [any HealthSource], context: HealthContext, time: String, profile: String? = nil, notes: [String] = []
    ) -> HealthReport {
        var report = HealthReport(time: time, profile: profile, notes: notes)
        report.memory = context.memory
        for source in sources {
            do {
                let outcome = try source.evaluate(context)
                report.checks += outcome.checks
                report.metrics += outcome.metrics
                report.memory.merge(outcome.memory) { $1 }
            } catch {
                report.checks.append(
                    HealthCheck(
                        name: "source", level: .unknown, subject: source.name, evidence: ["\(source.name) could not run: \(error)"],
                        fix: "fix what the evidence names, then run guestprep health again"))
            }
        }
        return report
    }

    /// The worst level of the checks; pass when there are none.
    public var level: HealthCheck.Level { checks.map(\.level).max() ?? .pass }

    /// 0 every check passes; 4 some check is warn or unknown, none critical; 5 some is critical.
    public var exitCode: Int32 { Self.exitCode(for: level) }

    /// The exit code of a summary level (README: "Exit codes").
    public static func exitCode(for level: HealthCheck.Level) -> Int32 {
        switch level {
        case .pass: 0
        case .unknown, .warn: 4
        case .critical: 5
        }
    }
}
