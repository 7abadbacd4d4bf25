import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

/// A step whose change never holds across a reboot: at every boot it writes its file again
/// (something, say, resets /etc at boot) and asks for a reboot.
struct AlwaysRebootStep: Step {
    var id = "stubborn"
    let stage = Stage.early
    let frequency = StepFrequency.everyBoot
    let summary = "asks for a reboot at every boot"
    func plan(_ context: StepContext) throws -> StepPlan {
        StepPlan(
            changes: [.write(step: id, path: "/etc/modprobe.d/stubborn.conf", text: "x\n"), .run(step: id, ["update-initramfs", "-u", "-k", "all"])],
            rebootAfter: true)
    }
}

@Suite struct RebootLimitTests {
    static let identity = InstanceIdentity(productUUID: "4201-aaaa", macs: ["00:50:56:00:00:01"], instanceID: nil)
    static let clone = InstanceIdentity(productUUID: "4201-bbbb", macs: ["00:50:56:00:00:02"], instanceID: nil)
    static let spec = GuestSpec(hostname: "bf-server-01")

    func boot(_ fs: InMemoryFileSystem, _ n: Int, steps: [any Step] = [AlwaysRebootStep()], identity: InstanceIdentity = identity)
        throws -> RunReport
    {
        fs.setText("/proc/sys/kernel/random/boot_id", "boot-\(n)\n")
        return try Engine(fs: fs, runner: nil, clock: FixedClock(), notifier: RecordingNotifier())
            .run(steps: steps, spec: Self.spec, identity: identity, stage: .all, dryRun: false)
    }

    @Test func threeRebootsAreAllowedAndTheFourthRequestFailsWithWhatToFix() throws {
        let fs = InMemoryFileSystem([:])
        for n in 1...3 {
            let report = try boot(fs, n)
            #expect(report.outcome == .rebootNeeded(step: "stubborn"), "boot \(n)")
            #expect(report.outcome.exitCode == 3)
            #expect(try AgentState.load(fs: fs).rebootCount(step: "stubborn", identity: Self.identity.digest) == n)
        }
        let journalBefore = fs.journal.filter { !$0.hasSuffix("state.json") }
        let fourth = try boot(fs, 4)
        guard case .failed(let step, let message) = fourth.outcome else {
            Issue.record("the fourth request must fail the stage, got \(fourth.outcome)")
            return
        }
        #expect(fourth.outcome.exitCode == 1, "a failure, not another reboot (3)")
        #expect(step == "stubborn")
        #expect(message.contains("asked for a reboot 4 times"))
        #expect(message.contains("at most 3"))
        #expect(message.contains("write /etc/modprobe.d/stubborn.conf, run update-initramfs"))
        #expect(!message.contains("-k all"), "a program's name, never its arguments")
        #expect(message.contains("journalctl -b -1"))
        #expect(fs.journal.filter { !$0.hasSuffix("state.json") } == journalBefore, "the failing step changes nothing")
        let state = try AgentState.load(fs: fs)
        #expect(state.pendingReboot == nil)
        #expect(state.steps["stubborn"]?.status == .failed)
        #expect(state.steps["stubborn"]?.message == message)

        // And it stays failed, boot after boot: no loop.
        #expect(try boot(fs, 5).outcome.exitCode == 1)
    }

    @Test func aDryRunSaysSoToo() throws {
        let fs = InMemoryFileSystem([:])
        for n in 1...3 { _ = try boot(fs, n) }
        fs.setText("/proc/sys/kernel/random/boot_id", "boot-4\n")
        let plan = try Engine(fs: fs, runner: nil, clock: FixedClock())
            .run(steps: [AlwaysRebootStep()], spec: Self.spec, identity: Self.identity, stage: .all, dryRun: true)
        #expect(plan.outcome.exitCode == 1)
        #expect(try AgentState.load(fs: fs).rebootCount(step: "stubborn", identity: Self.identity.digest) == 3)
    }

    @Test func aStepThatCompletesStartsItsCountOver() throws {
        let fs = InMemoryFileSystem([:])
        // Asks twice, then its change holds: the marker step writes once and is done.
        for n in 1...2 { _ = try boot(fs, n) }
        #expect(try AgentState.load(fs: fs).rebootCount(step: "stubborn", identity: Self.identity.digest) == 2)
        let settled = MarkerStep(id: "stubborn", stage: .early, frequency: .everyBoot)
        #expect(try boot(fs, 3, steps: [settled]).outcome == .done)
        #expect(try AgentState.load(fs: fs).reboots == nil, "completed: no count left")
        // Three more reboots are allowed again.
        for n in 4...6 { #expect(try boot(fs, n).outcome.exitCode == 3) }
        #expect(try boot(fs, 7).outcome.exitCode == 1)
    }

    @Test func aCloneStartsANewCount() throws {
        let fs = InMemoryFileSystem([:])
        for n in 1...3 { _ = try boot(fs, n) }
        // The template's count does not follow it into the clone.
        for n in 4...6 { #expect(try boot(fs, n, identity: Self.clone).outcome.exitCode == 3, "boot \(n)") }
        #expect(try boot(fs, 7, identity: Self.clone).outcome.exitCode == 1)
    }

    @Test func aPerInstanceStepSkippedAfterItsRebootIsComplete() throws {
        let fs = InMemoryFileSystem([:])
        let steps: [any Step] = [MarkerStep(id: "once", frequency: .perInstance, rebootAfter: true)]
        #expect(try boot(fs, 1, steps: steps).outcome.exitCode == 3)
        #expect(try AgentState.load(fs: fs).rebootCount(step: "once", identity: Self.identity.digest) == 1)
        #expect(try boot(fs, 2, steps: steps).outcome == .done)
        #expect(try AgentState.load(fs: fs).reboots == nil)
    }

    @Test func aStateWithoutCountsStillLoads() throws {
        let fs = InMemoryFileSystem([AgentState.path: "{\"schemaVersion\": 1, \"steps\": {}}"])
        let state = try AgentState.load(fs: fs)
        #expect(state.reboots == nil)
        #expect(state.rebootCount(step: "any", identity: "x") == 0)
    }
}
