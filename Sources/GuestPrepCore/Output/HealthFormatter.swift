import GuestPrepModel

/// Renders `guestprep health`'s report: for people, one line per check (level, name, subject)
/// with its evidence and fix under it, as `doctor` prints its findings, then a summary; for
/// programs, one versioned JSON document.
public enum HealthFormatter {
    /// The JSON document's version; bumped only when a field changes meaning or goes away.
    public static let version = 1

    /// The report as text. It holds no time, so the same machine prints the same text.
    public static func text(_ report: HealthReport) -> String {
        var out: [String] = []
        out.append("role: " + (report.profile ?? "unknown (no --profile, and no run has recorded one)"))
        out += report.notes.map { "note: " + $0 }
        out.append("checks:")
        let nameWidth = report.checks.map(\.name.count).max() ?? 0
        for check in report.checks {
            var line = pad(check.level.rawValue, 8) + "  " + pad(check.name, nameWidth)
            if let subject = check.subject { line += "  " + subject }
            out.append(line.trimmingTrailingSpaces())
            for fact in check.evidence { out.append("    seen: " + fact) }
            if let fix = check.fix { out.append("    fix:  " + fix) }
        }
        out.append(summary(report))
        return out.joined(separator: "\n") + "\n"
    }

    /// `summary: 9 pass, 1 unknown, 2 warn, 0 critical: warn, exit 4`.
    public static func summary(_ report: HealthReport) -> String {
        let counts = HealthCheck.Level.allCases.map { level in "\(report.checks.filter { $0.level == level }.count) \(level.rawValue)" }
        return "summary: " + counts.joined(separator: ", ") + ": \(report.level.rawValue), exit \(report.exitCode)"
    }

    struct Document: Encodable {
        struct Check: Encodable {
            var name: String
            var level: String
            var subject: String?
            var evidence: [String]
            var fix: String?
        }

        struct Summary: Encodable {
            var level: String
            var exitCode: Int32
            var counts: [String: Int]
        }

        var version: Int
        var time: String
        var profile: String?
        var notes: [String]
        var summary: Summary
        var checks: [Check]
    }

    /// The report as one JSON document: `version`, `time`, `profile`, `notes`, `summary`
    /// (`level`, `exitCode`, `counts` by level) and `checks` (each `name`, `level`, `subject`,
    /// `evidence`, `fix`; nil fields left out).
    public static func json(_ report: HealthReport) -> String {
        var counts: [String: Int] = [:]
        for level in HealthCheck.Level.allCases { counts[level.rawValue] = report.checks.filter { $0.level == level }.count }
        let document = Document(
            version: version, time: report.time, profile: report.profile, notes: report.notes,
            summary: Document.Summary(level: report.level.rawValue, exitCode: report.exitCode, counts: counts),
            checks: report.checks.map {
                Document.Check(name: $0.name, level: $0.level.rawValue, subject: $0.subject, evidence: $0.evidence, fix: $0.fix)
            })
        return ReportFormatter.encode(document)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
