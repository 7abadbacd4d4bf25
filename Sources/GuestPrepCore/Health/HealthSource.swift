import GuestPrepConfig
import GuestPrepModel

/// What every health check may read: the guest, the programs it may run, the role and the
/// figures to judge by, and what earlier health runs kept (for rates and counters).
public struct HealthContext: Sendable {
    public var fs: any FileSystem
    public var runner: any ProcessRunner
    /// Whether the root is the running system (`/`): a check that must ask the live system
    /// (the driver, a service, the network) is `unknown` otherwise, never a pass.
    public var onHost: Bool
    public var thresholds: HealthThresholds
    /// The role's profile, nil when no run has recorded one and none was given.
    public var profile: Profile?
    /// The validated properties, nil when they cannot be read now.
    public var spec: GuestSpec?
    /// Figures earlier health runs kept, by key (`network/eth1/rx_errors`,
    /// `xid/0000:0b:00.0/79`): counters that must carry across runs and boots.
    public var memory: [String: Double]
    /// Seconds since the epoch, now.
    public var now: Double

    public init(
        fs: any FileSystem, runner: any ProcessRunner, onHost: Bool, thresholds: HealthThresholds = HealthThresholds(),
        profile: Profile? = nil, spec: GuestSpec? = nil, memory: [String: Double] = [:], now: Double
    ) {
        self.fs = fs
        self.runner = runner
        self.onHost = onHost
        self.thresholds = thresholds
        self.profile = profile
        self.spec = spec
        self.memory = memory
        self.now = now
    }
}

/// What one source of checks found: its checks, the metrics it exports, and the figures to keep
/// for the next run (merged into the context's `memory` by key).
public struct HealthOutcome: Sendable, Equatable {
    public var checks: [HealthCheck]
    public var metrics: [HealthMetric]
    public var memory: [String: Double]

    public init(checks: [HealthCheck] = [], metrics: [HealthMetric] = [], memory: [String: Double] = [:]) {
        self.checks = checks
        self.metrics = metrics
        self.memory = memory
    }
}

/// A group of health checks (the GPUs, the host, the role). `guestprep health` runs every source
/// the CLI lists, in order; a source that throws becomes one `unknown` check naming it.
public protocol HealthSource: Sendable {
    /// The source's name in words, for an `unknown` check when it throws (`GPU checks`).
    var name: String { get }
    func evaluate(_ context: HealthContext) throws -> HealthOutcome
}
