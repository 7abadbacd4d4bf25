import GuestPrepModel

/// Everything the GPU checks judge, read once by `GPUHealthSource` (or built by a test):
/// the GPUs on the PCI bus, what the driver says of them, the branch guestprep chose and the
/// kernel log's Xid records. `GPUHealthEvaluator` turns it into checks without reading anything.
public struct GPUHealthFacts: Sendable {
    /// What the driver said, or why it said nothing.
    public enum Driver: Sendable, Equatable {
        /// Not asked: the root is not the running system (`--root`).
        case notAsked
        /// No driver to ask: no libnvidia-ml (`DriverQueryError.notInstalled`).
        case notInstalled(String)
        /// The library is there but the driver does not answer (module not loaded, version
        /// mismatch, a GPU lost).
        case notResponding(String)
        case readings(GPUHealthReadings)
    }

    /// The branch the last run chose, and where that was learnt.
    public struct ChosenBranch: Sendable, Equatable {
        /// nil when the route installs whatever branch its repository has.
        public var branch: Int?
        /// In words: `the driver step of the last run (/var/lib/guestprep/state.json)`.
        public var source: String

        public init(branch: Int?, source: String) {
            self.branch = branch
            self.source = source
        }
    }

    /// The NVIDIA GPUs on the PCI bus (NVSwitches left out), with their link speeds read.
    public var bus: [NVIDIADevice]
    /// Whether the role needs GPUs in this VM (a Bitfusion client has none by design).
    public var expectsGPU: Bool
    public var driver: Driver
    /// nil when guestprep chose no branch (the driver is not its to install, or no run chose).
    public var chosenBranch: ChosenBranch?
    /// Whether persistence mode should be on (the profile's `driver.persistence`, default yes).
    public var persistenceWanted: Bool
    /// The Xid records of this boot's kernel log; nil when it could not be read.
    public var xids: [XidRecord]?
    /// Why the kernel log could not be read.
    public var kernelLogProblem: String?
    /// When this boot began, seconds since the epoch (/proc/stat's `btime`): tells a new boot's
    /// kernel log (whose Xid counts add to the kept totals) from this boot's, read again.
    public var bootTime: Double?
    /// The GPU doctor's findings that may explain why the driver does not see a GPU, by address.
    public var causes: [PCIAddress: [String]]

    public init(
        bus: [NVIDIADevice], expectsGPU: Bool = true, driver: Driver, chosenBranch: ChosenBranch? = nil,
        persistenceWanted: Bool = true, xids: [XidRecord]?, kernelLogProblem: String? = nil, bootTime: Double? = nil,
        causes: [PCIAddress: [String]] = [:]
    ) {
        self.bus = bus
        self.expectsGPU = expectsGPU
        self.driver = driver
        self.chosenBranch = chosenBranch
        self.persistenceWanted = persistenceWanted
        self.xids = xids
        self.kernelLogProblem = kernelLogProblem
        self.bootTime = bootTime
        self.causes = causes
    }
}
