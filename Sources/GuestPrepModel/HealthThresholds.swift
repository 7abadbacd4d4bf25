/// The figures `guestprep health` judges by, each with its default; a profile's `health:`
/// mapping overrides them field by field (README: "Health checks").
public struct HealthThresholds: Sendable, Equatable {
    /// `temperature`: warn when a GPU is within this many °C of its own slowdown threshold
    /// (NVML's NVML_TEMPERATURE_THRESHOLD_SLOWDOWN); critical at or past the threshold, or at
    /// 100 °C where the board gives none (the Bitfusion guide's rule: below 100 °C).
    public var temperatureMarginCelsius: Int = 5
    /// `retired_pages`: critical at this many retired pages of a GPU (DCGM's rule: 63).
    public var retiredPagesCritical: Int = 63

    public init() {}
}
