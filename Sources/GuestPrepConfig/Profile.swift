import GuestPrepModel

/// A role profile (`profiles/NAME.yaml`): which steps guestprep runs for a machine's role, in
/// order. Decoded by ``ProfileDecoder``; the bundled ones are in ``BundledProfiles``.
public struct Profile: Sendable, Equatable {
    /// The profile's name; equal to the base name of its file (`bitfusion-server`).
    public var name: String
    /// One line saying what kind of machine the profile prepares.
    public var description: String
    /// The ids of the steps to run, in order, each at most once.
    public var steps: [String]
    /// The NVIDIA driver's defaults for this role; properties override them field by field.
    public var driver: DriverRequest
    /// How often the health timer runs `guestprep health` (a systemd time span: `30min`,
    /// `1h`, `1d`); nil when the profile wants no health timer.
    public var health: String?
    /// The figures `guestprep health` judges by: the defaults, with those the profile's
    /// `health: {thresholds: …}` names replaced.
    public var healthThresholds: HealthThresholds

    /// A profile with the given name, description, step ids, driver defaults and health interval.
    public init(
        name: String, description: String, steps: [String], driver: DriverRequest = DriverRequest(), health: String? = nil,
        healthThresholds: HealthThresholds = HealthThresholds()
    ) {
        self.name = name
        self.description = description
        self.steps = steps
        self.driver = driver
        self.health = health
        self.healthThresholds = healthThresholds
    }
}
