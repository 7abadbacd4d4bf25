import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

@Suite struct HealthTimerStepTests {
    let dropIn = "/etc/systemd/system/guestprep-health.timer.d/50-guestprep.conf"
    let wants = "/etc/systemd/system/timers.target.wants/guestprep-health.timer"

    func plan(_ fs: InMemoryFileSystem, interval: String?, onHost: Bool = true) throws -> StepPlan {
        var spec = GuestSpec()
        spec.healthInterval = interval
        return try HealthTimerStep().plan(StepContext(spec: spec, fs: fs, onHost: onHost))
    }

    @Test func anIntervalWritesTheDropInAndEnablesTheTimer() throws {
        let fs = InMemoryFileSystem()
        let first = try plan(fs, interval: "1h")
        #expect(first.changes == [
            .write(step: "health-timer", path: dropIn, text: "# Written by guestprep from the profile's health interval.\n[Timer]\nOnBootSec=1h\nOnUnitActiveSec=1h\n"),
            .run(step: "health-timer", ["systemctl", "daemon-reload"]),
            .run(step: "health-timer", ["systemctl", "enable", "guestprep-health.timer"]),
            .run(step: "health-timer", ["systemctl", "restart", "guestprep-health.timer"]),
        ])
        try PlanApplier(fs: fs, runner: nil).apply(first.changes.filter { $0.path == dropIn }) { _, _ in }
        // Written but the timer not enabled (systemctl failed, or was not run): enable it.
        #expect(try plan(fs, interval: "1h").changes.count == 3)
        fs.setLink(wants, to: "/lib/systemd/system/guestprep-health.timer")
        #expect(try plan(fs, interval: "1h").changes.isEmpty)
        // A new interval rewrites the drop-in and restarts the running timer.
        let changed = try plan(fs, interval: "30min")
        #expect(changed.changes.first?.path == dropIn)
        #expect(changed.changes.last == .run(step: "health-timer", ["systemctl", "restart", "guestprep-health.timer"]))
    }

    @Test func noIntervalTurnsTheTimerOff() throws {
        let fs = InMemoryFileSystem()
        #expect(try plan(fs, interval: nil).changes.isEmpty)
        fs.setText(dropIn, "[Timer]\n")
        fs.setLink(wants, to: "/lib/systemd/system/guestprep-health.timer")
        #expect(try plan(fs, interval: nil).changes == [
            .delete(step: "health-timer", path: dropIn),
            .run(step: "health-timer", ["systemctl", "disable", "--now", "guestprep-health.timer"]),
        ])
    }

    @Test func underAFixtureRootOnlyAChangedDropInPlansCommands() throws {
        let fs = InMemoryFileSystem()
        try PlanApplier(fs: fs, runner: nil).apply(try plan(fs, interval: "1h", onHost: false).changes) { _, _ in }
        #expect(try plan(fs, interval: "1h", onHost: false).changes.isEmpty)
    }
}
