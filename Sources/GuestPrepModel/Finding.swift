/// One thing `guestprep doctor` found about what the guest sees of its GPUs, with the evidence
/// that shows it and what to change (usually on the hypervisor) to fix it.
public struct Finding: Sendable, Equatable {
    /// How much a finding matters. Only `critical` makes `doctor` exit 1.
    public enum Level: String, Sendable, Codable, Comparable, CaseIterable {
        /// The GPUs cannot work as the VM is now (a BAR without a window, no GPU at all).
        case critical
        /// They work, but not as well as they should, or the next step will trip on it.
        case warning
        /// Facts and figures worth knowing (the MMIO size to set in a template).
        case info

        private var rank: Int {
            switch self {
            case .critical: 0
            case .warning: 1
            case .info: 2
            }
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
    }

    public var level: Level
    /// A stable identifier (`bar-unassigned`, `esxi-mmio-size`): scripts and docs key on it.
    public var code: String
    /// The PCI function the finding is about; nil when it is about the whole VM.
    public var device: PCIAddress?
    /// What is wrong (or worth knowing), in one line.
    public var summary: String
    /// What was seen that shows it: sysfs values, kernel log lines, the arithmetic.
    public var evidence: [String]
    /// What to do, one step per line, with exact settings and commands.
    public var fix: [String]

    public init(
        _ level: Level, code: String, device: PCIAddress? = nil, summary: String, evidence: [String] = [],
        fix: [String] = []
    ) {
        self.level = level
        self.code = code
        self.device = device
        self.summary = summary
        self.evidence = evidence
        self.fix = fix
    }
}
