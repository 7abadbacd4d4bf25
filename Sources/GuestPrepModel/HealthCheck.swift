/// One check of `guestprep health` and what it found, in the model of NVIDIA DCGM's health watches
/// and Bitfusion's health checks: a stable name, a level, the evidence, one line of fix.
public struct HealthCheck: Sendable, Equatable {
    /// How a check came out. The order is by severity: a summary is the worst level of its checks.
    public enum Level: String, Sendable, Equatable, CaseIterable, Comparable {
        /// As it should be.
        case pass
        /// The source the check needs is missing (no driver, no kernel log, not on the running
        /// system), so nothing is known: never a silent pass.
        case unknown
        /// Works, but not as it should, or about to trip.
        case warn
        /// Broken: the GPU or the role cannot do its work as it is.
        case critical

        private var rank: Int {
            switch self {
            case .pass: 0
            case .unknown: 1
            case .warn: 2
            case .critical: 3
            }
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
    }

    /// The check's stable name (`pci_nvml`, `xid`, `mtu`): what scripts, alerts and the
    /// Prometheus label key on. Never changes once released.
    public var name: String
    public var level: Level
    /// What the check is about when it is one of several of its name: a GPU's PCI address, a
    /// NIC's name, a mount point; nil for the machine as a whole.
    public var subject: String?
    /// What was seen, one fact a line (the figures and where they came from).
    public var evidence: [String]
    /// One line: what to do; nil on a pass.
    public var fix: String?

    public init(name: String, level: Level, subject: String? = nil, evidence: [String] = [], fix: String? = nil) {
        self.name = name
        self.level = level
        self.subject = subject
        self.evidence = evidence
        self.fix = fix
    }
}

/// One sample for Prometheus' text format (node_exporter's textfile collector): a metric name
/// with guestprep's `guestprep_` prefix, its help and type, labels and value.
public struct HealthMetric: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case gauge, counter
    }

    public var name: String
    public var help: String
    public var kind: Kind
    /// Label names and values, in the order they are written.
    public var labels: [(name: String, value: String)]
    public var value: Double

    public init(name: String, help: String, kind: Kind = .gauge, labels: [(name: String, value: String)] = [], value: Double) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labels = labels
        self.value = value
    }

    public static func == (lhs: HealthMetric, rhs: HealthMetric) -> Bool {
        lhs.name == rhs.name && lhs.help == rhs.help && lhs.kind == rhs.kind && lhs.value == rhs.value
            && lhs.labels.map(\.name) == rhs.labels.map(\.name) && lhs.labels.map(\.value) == rhs.labels.map(\.value)
    }
}
