import GuestPrepModel

/// `guestprep health --prometheus`: the checks and metrics of a health run as a file of
/// Prometheus' text exposition format, for node_exporter's textfile collector.
///
/// The format, from its primary sources:
/// - prometheus/docs, docs/instrumenting/exposition_formats.md ("Prometheus Text Format"): lines
///   end with `\n`, the last one too; one `# HELP` and one `# TYPE` line per metric name, before
///   its samples; all samples of a name in one group; in HELP text `\` and a line feed are
///   escaped as `\\` and `\n`, in a label value `\`, `"` and a line feed as `\\`, `\"`, `\n`;
///   values as Go's ParseFloat reads them, with `NaN`, `+Inf`, `-Inf`; each name and label set
///   once.
/// - prometheus/node_exporter, collector/textfile.go: every `*.prom` file of the directory is
///   parsed with `expfmt.NewTextParser(model.LegacyValidation)` — so names must be legacy ones
///   (metric `[a-zA-Z_:][a-zA-Z0-9_:]*`, label `[a-zA-Z_][a-zA-Z0-9_]*`) — and a file with a
///   client-side timestamp is skipped whole: no sample here carries one; times are values.
///
/// Besides the sources' metrics, the file holds:
/// - `guestprep_health_check{check,subject}`: one gauge per check, its level as a number in the
///   order of severity: 0 pass, 1 unknown, 2 warn, 3 critical (`subject` is empty for a check
///   of the whole machine). An alert on `guestprep_health_check >= 2` fires on warn and critical.
/// - `guestprep_health_status`: the worst level of all checks, in the same encoding.
/// - `guestprep_health_timestamp_seconds`: when this health run ran.
/// - `guestprep_info{version}`: 1.
/// - `guestprep_provisioning_outcome{outcome,stage}`: 1 for the last run's outcome (state.json's
///   `lastRun`), 0 for each other outcome (done, degraded, reboot-needed, failed), and
///   `guestprep_provisioning_last_run_timestamp_seconds`, when it finished. Both are absent when
///   no run has been recorded (`absent()` in an alert).
public enum PrometheusTextfile {
    /// The directory Debian's prometheus-node-exporter reads: the default of its
    /// `--collector.textfile.directory` (`prometheus-node-exporter --help`, Debian 12's
    /// prometheus-node-exporter 1.5.0-1+b6, whose /etc/default/prometheus-node-exporter sets no
    /// other) and /usr/share/doc/prometheus-node-exporter/README.textfile. The service runs as
    /// the `prometheus` user, hence the file's mode 0644.
    public static let directory = "/var/lib/prometheus/node-exporter"
    /// The file's name in a directory: node_exporter reads only names ending in `.prom`. The
    /// temp file of an atomic write (`.guestprep.prom.guestprep-XXXXXX`) does not, so a scrape
    /// never reads a half-written file.
    public static let fileName = "guestprep.prom"
    public static let mode: UInt32 = 0o644

    /// The outcomes of a run as `RunOutcome.name` writes them in state.json.
    public static let outcomes = ["done", "degraded", "reboot-needed", "failed"]

    /// What the file says about guestprep itself, besides the checks.
    public struct Info: Sendable, Equatable {
        /// guestprep's version.
        public var version: String
        /// When the health run ran, seconds since the epoch.
        public var healthTime: Double
        /// The last provisioning run (state.json's `lastRun`), nil when none was recorded.
        public var lastRun: RunRecord?

        public init(version: String, healthTime: Double, lastRun: RunRecord? = nil) {
            self.version = version
            self.healthTime = healthTime
            self.lastRun = lastRun
        }
    }

    /// The file's text: guestprep's own series (see the type), then `metrics`, grouped by name
    /// with one HELP and TYPE line each, names sorted, each name's samples sorted by their
    /// labels. Names are made legal (any other character becomes `_`). Where a name and label
    /// set comes twice, or a name with two types, the first wins and the others are left out:
    /// node_exporter refuses a whole scrape with a duplicate series. guestprep's own names come
    /// first, so a source cannot replace them.
    public static func render(metrics: [HealthMetric], checks: [HealthCheck], info: Info) -> String {
        var families: [String: Family] = [:]
        for metric in own(checks: checks, info: info) + metrics {
            let name = legalName(metric.name, allowColon: true)
            var labels: [(name: String, value: String)] = []
            for label in metric.labels {
                let labelName = legalName(label.name, allowColon: false)
                if !labels.contains(where: { $0.name == labelName }) { labels.append((labelName, label.value)) }
            }
            let sample = renderSample(name, labels, metric.value)
            if var family = families[name] {
                guard family.kind == metric.kind, !family.seen.contains(sample.key) else { continue }
                family.seen.insert(sample.key)
                family.samples.append(sample)
                families[name] = family
            } else {
                families[name] = Family(help: metric.help, kind: metric.kind, samples: [sample], seen: [sample.key])
            }
        }
        var text = ""
        for name in families.keys.sorted() {
            let family = families[name]!
            text += "# HELP \(name) \(escape(family.help, quote: false))\n"
            text += "# TYPE \(name) \(family.kind.rawValue)\n"
            for sample in family.samples.sorted(by: { $0.key < $1.key }) { text += sample.line + "\n" }
        }
        return text
    }

    /// Where `--prometheus PATH` writes: PATH when it names a `.prom` file; else PATH is a
    /// directory (existing or not) and the file is PATH/guestprep.prom — node_exporter reads no
    /// file whose name does not end in `.prom`, so no other file name would be read. With PATH
    /// nil or empty, the node_exporter directory's guestprep.prom. PATH is a guest path and must
    /// be absolute.
    public static func destination(_ argument: String?, fs: any FileSystem) throws -> String {
        guard let argument, !argument.isEmpty else { return directory + "/" + fileName }
        guard argument.hasPrefix("/") else {
            throw GuestPrepError.usage("--prometheus \(argument): give an absolute path (a .prom file or the textfile collector's directory)")
        }
        var path = Substring(argument)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        let isDirectory = try argument.hasSuffix("/") || !path.hasSuffix(".prom") || fs.list(String(path)) != nil
        if isDirectory {
            return (path == "/" ? "" : String(path)) + "/" + fileName
        }
        return String(path)
    }

    /// Writes `text` where `destination(argument, fs:)` says, atomically through `fs` (temp
    /// file beside it, fsync, rename, fsync of the directory: `FileSystem.writeAtomically`),
    /// mode 0644, owned by root, creating a missing directory (0755). Returns the path written.
    @discardableResult
    public static func write(_ text: String, to argument: String?, fs: any FileSystem) throws -> String {
        let path = try destination(argument, fs: fs)
        try fs.writeAtomically(path, Array(text.utf8), mode: mode, owner: .root)
        return path
    }

    /// `2026-11-21T10:04:00Z` (the Clock's form, state.json's times) as seconds since the
    /// epoch; nil for any other form.
    public static func epochSeconds(_ iso: String) -> Double? {
        let bytes = Array(iso.utf8)
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), (1...12).contains(month), (1...31).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        // Days from the civil date: Howard Hinnant's days_from_civil
        // (https://howardhinnant.github.io/date_algorithms.html#days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Double(days * 86_400 + hour * 3_600 + minute * 60 + second)
    }

    /// A value as Go's ParseFloat reads it: integers without a fraction, `NaN`, `+Inf`, `-Inf`,
    /// else Swift's shortest round-tripping form (`0.25`, `1e-05`, `1.5e+20`).
    public static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    // MARK: - Private

    private struct Sample {
        /// The labels as written, for sorting and for finding a duplicate.
        var key: String
        var line: String
    }

    private struct Family {
        var help: String
        var kind: HealthMetric.Kind
        var samples: [Sample]
        var seen: Set<String>
    }

    private static func own(checks: [HealthCheck], info: Info) -> [HealthMetric] {
        var metrics: [HealthMetric] = [
            HealthMetric(name: "guestprep_info", help: "guestprep's version.", labels: [("version", info.version)], value: 1),
            HealthMetric(
                name: "guestprep_health_timestamp_seconds", help: "When guestprep health last ran, seconds since the epoch.",
                value: info.healthTime),
            HealthMetric(
                name: "guestprep_health_status",
                help: "The worst level of guestprep's health checks: 0 pass, 1 unknown, 2 warn, 3 critical.",
                value: Double(levelValue(checks.map(\.level).max() ?? .pass))),
        ]
        for check in checks {
            metrics.append(
                HealthMetric(
                    name: "guestprep_health_check",
                    help: "Level of each guestprep health check: 0 pass, 1 unknown, 2 warn, 3 critical.",
                    labels: [("check", check.name), ("subject", check.subject ?? "")], value: Double(levelValue(check.level))))
        }
        if let run = info.lastRun {
            for outcome in outcomes {
                metrics.append(
                    HealthMetric(
                        name: "guestprep_provisioning_outcome",
                        help: "1 for the outcome of guestprep's last provisioning run, 0 for the others.",
                        labels: [("outcome", outcome), ("stage", run.stage)], value: run.outcome == outcome ? 1 : 0))
            }
            if !outcomes.contains(run.outcome) {
                metrics.append(
                    HealthMetric(
                        name: "guestprep_provisioning_outcome",
                        help: "1 for the outcome of guestprep's last provisioning run, 0 for the others.",
                        labels: [("outcome", run.outcome), ("stage", run.stage)], value: 1))
            }
            if let finished = epochSeconds(run.finishedAt) {
                metrics.append(
                    HealthMetric(
                        name: "guestprep_provisioning_last_run_timestamp_seconds",
                        help: "When guestprep's last provisioning run finished, seconds since the epoch.", value: finished))
            }
        }
        return metrics
    }

    /// The level as the gauge's number: its rank in `HealthCheck.Level`'s order of severity.
    public static func levelValue(_ level: HealthCheck.Level) -> Int {
        HealthCheck.Level.allCases.sorted().firstIndex(of: level)!
    }

    private static func renderSample(_ name: String, _ labels: [(name: String, value: String)], _ value: Double) -> Sample {
        let key = labels.map { "\($0.name)=\"\(escape($0.value, quote: true))\"" }.joined(separator: ",")
        let line = (labels.isEmpty ? name : "\(name){\(key)}") + " " + formatValue(value)
        return Sample(key: key, line: line)
    }

    /// A legal legacy name: each other character becomes `_`, and a leading digit (or an empty
    /// name) gets a `_` before it.
    static func legalName(_ name: String, allowColon: Bool) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            let legal = scalar.isASCII
                && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || scalar == "_" || (allowColon && scalar == ":"))
            result.unicodeScalars.append(legal ? scalar : "_")
        }
        if result.isEmpty || ("0"..."9").contains(result.unicodeScalars.first!) { result = "_" + result }
        return result
    }

    /// HELP text and label values as the exposition format escapes them: backslash and line
    /// feed in both, the double quote only in a label value (prometheus/docs
    /// exposition_formats.md).
    static func escape(_ text: String, quote: Bool) -> String {
        var result = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\"" where quote: result += "\\\""
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }
}
