import GuestPrepCore
import GuestPrepModel
import GuestPrepRender
import GuestPrepTesting
import Testing

/// The engine applying the nouveau step's live unload on the host (a scripted runner and sysfs
/// in memory): each way it can fail falls back to the reboot with the reason recorded, and a
/// dry run goes on to the later steps.
@Suite struct NouveauLiveUnloadTests {
    static let identity = InstanceIdentity(productUUID: "u", macs: [], instanceID: nil)
    static let installed: Set<String> = ["/usr/sbin/update-initramfs", "/usr/sbin/modprobe"]

    /// Debian 12 with nouveau loaded and driving 0000:13:00.0, beside VMware's SVGA (fb0).
    func guest() -> InMemoryFileSystem {
        let fs = InMemoryFileSystem([
            "/etc/os-release": NouveauStepTests.debian, "/proc/sys/kernel/random/boot_id": "boot-1\n",
            "/sys/module/nouveau/refcnt": "0\n", "/sys/module/nouveau/initstate": "live\n",
            "/sys/bus/pci/drivers/nouveau/0000:13:00.0/vendor": "0x10de\n", "/sys/bus/pci/drivers/nouveau/unbind": "",
            "/sys/class/graphics/fb0/name": "vmwgfxdrmfb\n",
        ])
        fs.setLink("/sys/class/graphics/fb0/device", to: "../../../0000:00:0f.0")
        return fs
    }

    /// A runner whose `modprobe -r nouveau` unloads it (or answers `status`, `message`).
    func runner(_ fs: InMemoryFileSystem, status: Int32 = 0, message: String = "", unloads: Bool = true) -> ScriptedProcessRunner {
        ScriptedProcessRunner(installed: Self.installed) { executable, arguments in
            if executable == "/usr/sbin/modprobe", arguments == ["-r", "nouveau"], status == 0, unloads {
                try? fs.delete("/sys/module/nouveau/refcnt")
                try? fs.delete("/sys/module/nouveau/initstate")
            }
            return executable == "/usr/sbin/modprobe" ? ProcessResult(status: status, standardError: Array(message.utf8)) : ProcessResult(status: 0)
        }
    }

    func run(_ fs: InMemoryFileSystem, _ runner: ScriptedProcessRunner, dryRun: Bool = false) throws -> RunReport {
        let engine = Engine(fs: fs, runner: runner, clock: FixedClock(), notifier: RecordingNotifier())
        return try engine.run(
            steps: [NouveauStep(), MarkerStep(id: "later", stage: .early)], spec: GuestSpec(), identity: Self.identity, stage: .early,
            dryRun: dryRun)
    }

    func unbindOnWrite(_ fs: InMemoryFileSystem) {
        fs.onAttributeWrite = { path, text in
            if path == "/sys/bus/pci/drivers/nouveau/unbind" { try fs.delete("/sys/bus/pci/drivers/nouveau/\(text)/vendor") }
        }
    }

    @Test func unloadedLiveTheLaterStepsRunInTheSameRun() throws {
        let fs = guest()
        unbindOnWrite(fs)
        let report = try run(fs, runner(fs))
        #expect(report.outcome == .done)
        #expect(fs["/etc/later"] == "later\n")
        #expect(fs.attributeWrites == ["/sys/bus/pci/drivers/nouveau/unbind <- 0000:13:00.0"])
        #expect(report.changes.map(\.disposition) == [.applied, .applied, .applied, .applied, .applied])
        let state = try AgentState.load(fs: fs)
        #expect(state.steps["nouveau"]?.reboot?.described == "no reboot: nouveau unloaded live (0000:13:00.0 unbound, then modprobe -r nouveau)")
        #expect(state.pendingReboot == nil)
    }

    @Test func anUnbindTheKernelRefusesMeansAReboot() throws {
        let fs = guest()
        fs.onAttributeWrite = { path, _ in throw GuestPrepError.io(path: path, operation: "write", reason: "No such device") }
        let runner = runner(fs)
        let report = try run(fs, runner)
        #expect(report.outcome == .rebootNeeded(step: "nouveau"))
        #expect(fs["/etc/later"] == nil, "later steps wait for the reboot")
        #expect(!runner.calls.contains { $0.arguments == ["-r", "nouveau"] }, "no modprobe -r after a refused unbind")
        let why = "nouveau could not be unloaded: the kernel refused to unbind 0000:13:00.0 from it (write /sys/bus/pci/drivers/nouveau/unbind"
        #expect(report.diagnostics.contains { $0.severity == .warning && $0.message.hasPrefix(why) && $0.message.hasSuffix("No such device); rebooting") })
        #expect(report.changes.last?.disposition == .rebootInstead)
        #expect(fs[NouveauStepTests.doneFile.path] == NouveauStepTests.doneFile.text, "the blacklist is in place all the same")
    }

    @Test func aModuleInUseMeansAReboot() throws {
        let fs = guest()
        unbindOnWrite(fs)
        let report = try run(fs, runner(fs, status: 1, message: "modprobe: FATAL: Module nouveau is in use.\n"))
        #expect(report.outcome == .rebootNeeded(step: "nouveau"))
        let state = try AgentState.load(fs: fs)
        #expect(state.pendingReboot?.reason == "nouveau could not be unloaded: modprobe -r nouveau exited with status 1: modprobe: FATAL: Module nouveau is in use.")
        #expect(state.steps["nouveau"]?.status == .done, "the blacklist and the rebuild are done; the reboot finishes the job")
        // The fleet sees why: the published status document and the last run carry the reason.
        let why = "nouveau could not be unloaded: modprobe -r nouveau exited with status 1: modprobe: FATAL: Module nouveau is in use."
        #expect(report.rebootReason == why && state.lastRun?.reasons == [why])
        let document = StatusDocument.of(report, stage: .early, instance: "d", boot: "boot-1", at: "t", guestprep: "0")
        #expect(document.outcome == .reboot && document.step == "nouveau" && document.reasons == [why])
    }

    @Test func somethingLeftAfterModprobeMeansAReboot() throws {
        let fs = guest()
        unbindOnWrite(fs)
        let report = try run(fs, runner(fs, unloads: false))
        #expect(report.outcome == .rebootNeeded(step: "nouveau"))
        #expect(
            try AgentState.load(fs: fs).pendingReboot?.reason
                == "nouveau could not be unloaded: modprobe -r nouveau succeeded, but it is still there (/sys/module/nouveau exists)")
    }

    @Test func withoutModprobeTheMachineReboots() throws {
        let fs = guest()
        unbindOnWrite(fs)
        let runner = ScriptedProcessRunner(installed: ["/usr/sbin/update-initramfs"])
        let report = try run(fs, runner)
        #expect(report.outcome == .rebootNeeded(step: "nouveau"))
        #expect(try AgentState.load(fs: fs).pendingReboot?.reason?.hasPrefix("nouveau could not be unloaded: modprobe is not installed (looked in /usr/sbin/modprobe") == true)
    }

    @Test func aFunctionNoLongerBoundIsNotUnbound() throws {
        let fs = guest()
        try fs.delete("/sys/bus/pci/drivers/nouveau/0000:13:00.0/vendor")
        let report = try NouveauStep().plan(StepContext(spec: GuestSpec(), fs: fs, onHost: true))
        #expect(report.changes.last == .unloadModule(step: "nouveau", "nouveau", unbind: []))
        // Bound when planned, gone by the time the change is applied: nothing is written.
        #expect(try PlanApplier(fs: fs, runner: runner(fs)).apply(.unloadModule(step: "nouveau", "nouveau", unbind: ["0000:13:00.0"])) == .applied)
        #expect(fs.attributeWrites.isEmpty)
    }

    @Test func theFallbackRebootCountsTowardsTheLimit() throws {
        let fs = guest()
        unbindOnWrite(fs)
        let runner = runner(fs, status: 1, message: "modprobe: FATAL: Module nouveau is in use.\n")
        for boot in 1...Engine.rebootLimit {
            fs.setText("/proc/sys/kernel/random/boot_id", "boot-\(boot)\n")
            try? fs.delete(NouveauStepTests.doneFile.path)
            #expect(try run(fs, runner).outcome == .rebootNeeded(step: "nouveau"))
        }
        fs.setText("/proc/sys/kernel/random/boot_id", "boot-4\n")
        try fs.delete(NouveauStepTests.doneFile.path)
        let report = try run(fs, runner)
        guard case .failed(let step, let message) = report.outcome else {
            Issue.record("not failed: \(report.outcome)")
            return
        }
        #expect(step == "nouveau" && message.hasPrefix("asked for a reboot 4 times in a row for this instance"))
    }

    @Test func aDryRunOnTheHostPlansTheLaterStepsAsIfTheUnloadWorked() throws {
        let fs = guest()
        let runner = runner(fs)
        let report = try run(fs, runner, dryRun: true)
        #expect(report.outcome == .done)
        #expect(report.changes.map(\.change.step).last == "later")
        #expect(report.diagnostics.contains { $0.message.hasPrefix("step nouveau unloads nouveau live; only if that fails does the machine reboot") })
        #expect(runner.calls.isEmpty && fs.attributeWrites.isEmpty)
    }

    @Test func theReportsNameTheUnloadAndWhatBecameOfIt() throws {
        let fs = guest()
        let report = try run(fs, runner(fs, status: 1, message: "modprobe: FATAL: Module nouveau is in use.\n"))
        let text = ReportFormatter.text(report)
        #expect(
            text.contains(
                "nouveau: unload nouveau (unbind 0000:13:00.0 from it, then modprobe -r nouveau; a reboot if it cannot be unloaded)   [not unloaded: the machine reboots instead]\n"))
        let json = ReportFormatter.json(report)
        #expect(json.contains(#""action":"unload""#) || json.contains(#""action" : "unload""#))
        #expect(json.contains("reboot-instead") && json.contains("0000:13:00.0"))
    }
}
