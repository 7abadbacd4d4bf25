import GuestPrepModel

/// Turns the health timer (units/guestprep-health.timer, which starts `guestprep health`) on
/// with the profile's `health:` interval, or off when the profile has none. The interval goes
/// into a drop-in, so the shipped timer file is never edited; `systemctl enable --now` starts
/// it. Runs in the main stage on every boot, so a profile that drops its interval turns the
/// timer off at the next boot.
public struct HealthTimerStep: Step {
    public init() {}

    public let id = "health-timer"
    public let stage = Stage.main
    public let frequency = StepFrequency.everyBoot
    public let summary = "the health timer on at the profile's `health:` interval (or off without one)"

    static let timer = "guestprep-health.timer"
    static let dropIn = "/etc/systemd/system/guestprep-health.timer.d/50-guestprep.conf"
    static let wants = "/etc/systemd/system/timers.target.wants/guestprep-health.timer"

    /// The drop-in for `interval` (a systemd time span the profile decoder checked).
    ///
    /// OnBootSec= and OnUnitActiveSec= add to the timers the unit already has (the shipped 1h);
    /// an empty assignment first resets the list (systemd.timer(5): "If the empty string is
    /// assigned to any of these options, the list of timers is reset"), so the profile's
    /// interval replaces the shipped one instead of firing beside it.
    static func dropInText(_ interval: String) -> String {
        """
        # Written by guestprep from the profile's health interval.
        [Timer]
        OnBootSec=
        OnBootSec=\(interval)
        OnUnitActiveSec=
        OnUnitActiveSec=\(interval)

        """
    }

    public func plan(_ context: StepContext) throws -> StepPlan {
        let fs = context.fs
        let enabled = fs.linkOrEntryExists(Self.wants)
        guard let interval = context.spec.healthInterval else {
            var changes: [Change] = []
            if fs.exists(Self.dropIn) { changes.append(.delete(step: id, path: Self.dropIn)) }
            if enabled { changes.append(.run(step: id, ["systemctl", "disable", "--now", Self.timer])) }
            return StepPlan(changes: changes, notes: ["health timer: off (the profile has no health interval)"])
        }
        var changes: [Change] = []
        let text = Self.dropInText(interval)
        let rewritten = try fs.readText(Self.dropIn) != text
        if rewritten { changes.append(.write(step: id, path: Self.dropIn, text: text)) }
        // Under a fixture root systemctl does not run, so the link never appears there: only
        // a changed drop-in plans the commands again.
        if rewritten || (!enabled && context.onHost) {
            changes.append(.run(step: id, ["systemctl", "daemon-reload"]))
            changes.append(.run(step: id, ["systemctl", "enable", Self.timer]))
            // restart, not start: a changed interval applies to a timer already running.
            changes.append(.run(step: id, ["systemctl", "restart", Self.timer]))
        }
        return StepPlan(changes: changes, notes: ["health timer: every \(interval)"])
    }
}
