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
            .write(step: "health-timer", path: dropIn, text: "# Written by guestprep from the profile's health interval.\n[Timer]\nOnBootSec=\nOnBootSec=1h\nOnUnitActiveSec=\nOnUnitActiveSec=1h\n"),
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

    /// issue 18, item 7: the drop-in of an earlier guestprep added `health: 1d` to the shipped 1h
    /// (no empty assignment first), so the timer still fired hourly; it is replaced.
    @Test func aDropInThatAddsToTheShippedIntervalIsRewrittenToReplaceIt() throws {
        let fs = InMemoryFileSystem()
        fs.setText(dropIn, "# Written by guestprep from the profile's health interval.\n[Timer]\nOnBootSec=1d\nOnUnitActiveSec=1d\n")
        fs.setLink(wants, to: "/lib/systemd/system/guestprep-health.timer")
        let changes = try plan(fs, interval: "1d").changes
        guard case .write(let path, let content, _, _)? = changes.first?.action else {
            Issue.record("expected the drop-in rewritten first, got \(changes)")
            return
        }
        #expect(path == dropIn)
        let lines = String(decoding: content, as: UTF8.self).split(separator: "\n").map(String.init)
        // Each list is reset before its one value, so no shipped timer is left beside it.
        #expect(lines.filter { $0.hasPrefix("OnBootSec=") } == ["OnBootSec=", "OnBootSec=1d"])
        #expect(lines.filter { $0.hasPrefix("OnUnitActiveSec=") } == ["OnUnitActiveSec=", "OnUnitActiveSec=1d"])
        #expect(changes.last == .run(step: "health-timer", ["systemctl", "restart", "guestprep-health.timer"]))
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
