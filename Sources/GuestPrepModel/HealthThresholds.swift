/// The figures `guestprep health` judges by, each with its default; a profile's `health:`
/// mapping overrides them field by field (README: "Health checks").
public struct HealthThresholds: Sendable, Equatable {
    /// `temperature`: warn when a GPU is within this many °C of its own slowdown threshold
    /// (NVML's NVML_TEMPERATURE_THRESHOLD_SLOWDOWN); critical at or past the threshold, or at
    /// 100 °C where the board gives none (the Bitfusion guide's rule: below 100 °C).
    public var temperatureMarginCelsius: Int = 5
    /// `retired_pages`: critical at this many retired pages of a GPU (DCGM's rule: 63).
    public var retiredPagesCritical: Int = 63

    // Host checks (HostHealthSource).

    /// `hostmem`: MemTotal must be at least this percent of the GPUs' memory together. 95, not
    /// 100: MemTotal is the VM's memory less what the kernel keeps for itself (a few percent).
    public var hostMemoryPercent: Int = 95
    /// `ulimit_n`: the least open-files limit (soft and hard) of the Bitfusion group's users and
    /// services; the Bitfusion guide: "ulimit -n 4096" or more.
    public var nofileMinimum: Int = 4096
    /// `diskspace`: warn when a file system (/, /var) has less than this percent free.
    public var diskFreeWarnPercent: Int = 10
    /// `diskspace`: critical below this percent free.
    public var diskFreeCriticalPercent: Int = 5
    /// `mtu`: the least MTU of a Bitfusion data NIC (the guide: 4096 or more).
    public var mtuMinimum: Int = 4096
    /// `mtu`: the greatest MTU of a Bitfusion data NIC (the guide and the appliance: 9000).
    public var mtuMaximum: Int = 9000
    /// `network`: warn when a NIC's errors and drops together grow by this many an hour or more
    /// since the previous health run.
    public var networkErrorsPerHourWarn: Int = 10
    /// `network`: critical from this many an hour.
    public var networkErrorsPerHourCritical: Int = 1000

    public init() {}

    /// One threshold as a profile names it under `health: {thresholds: {NAME: VALUE}}`.
    public struct Setting: Sendable {
        public var name: String
        public var keyPath: WritableKeyPath<HealthThresholds, Int> & Sendable
        /// The values a profile may give.
        public var range: ClosedRange<Int>
    }

    /// Every threshold a profile may set, by the name it uses there.
    public static var settings: [Setting] {
        [
            Setting(name: "temperature_margin", keyPath: \.temperatureMarginCelsius, range: 0...50),
            Setting(name: "retired_pages_critical", keyPath: \.retiredPagesCritical, range: 1...10_000),
            Setting(name: "host_memory_percent", keyPath: \.hostMemoryPercent, range: 1...1000),
            Setting(name: "nofile_minimum", keyPath: \.nofileMinimum, range: 1...1_073_741_816),
            Setting(name: "disk_free_warn_percent", keyPath: \.diskFreeWarnPercent, range: 0...100),
            Setting(name: "disk_free_critical_percent", keyPath: \.diskFreeCriticalPercent, range: 0...100),
            Setting(name: "mtu_minimum", keyPath: \.mtuMinimum, range: 68...9000),
            Setting(name: "mtu_maximum", keyPath: \.mtuMaximum, range: 68...9000),
            Setting(name: "network_errors_per_hour_warn", keyPath: \.networkErrorsPerHourWarn, range: 1...1_000_000_000),
            Setting(name: "network_errors_per_hour_critical", keyPath: \.networkErrorsPerHourCritical, range: 1...1_000_000_000),
        ]
    }

    /// Pairs that must be in order (the first no greater than the second), by setting name.
    public var orderProblems: [String] {
        var problems: [String] = []
        if diskFreeCriticalPercent > diskFreeWarnPercent {
            problems.append("disk_free_critical_percent (\(diskFreeCriticalPercent)) must not be above disk_free_warn_percent (\(diskFreeWarnPercent))")
        }
        if mtuMinimum > mtuMaximum {
            problems.append("mtu_minimum (\(mtuMinimum)) must not be above mtu_maximum (\(mtuMaximum))")
        }
        if networkErrorsPerHourWarn > networkErrorsPerHourCritical {
            problems.append(
                "network_errors_per_hour_warn (\(networkErrorsPerHourWarn)) must not be above network_errors_per_hour_critical (\(networkErrorsPerHourCritical))")
        }
        return problems
    }
}
