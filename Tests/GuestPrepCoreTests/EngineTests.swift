import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

/// A step that writes one file and, when asked, needs a reboot afterwards.
struct MarkerStep: Step {
    var id: String
    var stage: Stage = .main
    var frequency: StepFrequency = .perInstance
    var rebootAfter = false
    var summary: String { "writes /etc/\(id)" }

    func plan(_ context: StepContext) throws -> StepPlan {
        let wanted = "\(id)\n"
        guard try context.fs.readText("/etc/\(id)") != wanted else { return StepPlan() }
        return StepPlan(changes: [.write(step: id, path: "/etc/\(id)", text: wanted)], rebootAfter: rebootAfter)
    }
}

/// A step that always fails to plan.
struct BrokenStep: Step {
    let id = "broken"
    let stage = Stage.main
    let frequency = StepFrequency.everyBoot
    let summary = "fails"
    struct Failure: Error, CustomStringConvertible { var description: String { "disk on fire" } }
    func plan(_ context: StepContext) throws -> StepPlan { throw Failure() }
}

@Suite struct EngineTests {
    static let identity = InstanceIdentity(productUUID: "4201-aaaa", macs: ["00:50:56:00:00:01"], instanceID: nil)
    static let spec = GuestSpec(hostname: "bf-server-01")

    func fixture(boot: String = "boot-1") -> InMemoryFileSystem {
        InMemoryFileSystem([
            "/etc/hostname": "localhost\n",
            "/etc/hosts": "127.0.0.1\tlocalhost\n::1\tlocalhost\n",
            "/proc/sys/kernel/random/boot_id": boot + "\n",
        ])
    }

    func engine(_ fs: InMemoryFileSystem) -> Engine {
        Engine(fs: fs, runner: nil, clock: FixedClock(), notifier: RecordingNotifier())
    }

    @Test func firstRunAppliesAndASecondRunPlansNothing() throws {
        let fs = fixture()
        let first = try engine(fs).run(
            steps: [HostnameStep()], spec: Self.spec, identity: Self.identity, stage: .all, dryRun: false)
        #expect(first.outcome == .done)
        #expect(first.changes.map(\.change.actionName) == ["write", "write", "run"])
        #expect(first.changes.last?.disposition == .notRun)
        #expect(fs["/etc/hostname"] == "bf-server-01\n")
        #expect(fs["/etc/hosts"] == "127.0.0.1\tlocalhost\n127.0.1.1\tbf-server-01\n::1\tlocalhost\n")
        #expect(fs.directorySyncs == ["/etc"], "both files' renames made durable by one sync of /etc")

        let journalBefore = fs.journal
        let plan = try engine(fs).run(
            steps: [HostnameStep()], spec: Self.spec, identity: Self.identity, stage: .all, dryRun: true)
        #expect(plan.changes.isEmpty)
        #expect(plan.steps.map(\.status) == [.skipped])
        #expect(fs.journal == journalBefore, "a dry run writes nothing, not even state")

        let second = try engine(fs).run(
            steps: [HostnameStep()], spec: Self.spec, identity: Self.identity, stage: .all, dryRun: false)
        #expect(second.changes.isEmpty)
        #expect(fs.journal.filter { !$0.hasSuffix("state.json") } == journalBefore.filter { !$0.hasSuffix("state.json") })
    }

    @Test func dryRunChangesNothing() throws {
        let fs = fixture()
        let report = try engine(fs).run(
            steps: [HostnameStep()], spec: Self.spec, identity: Self.identity, stage: .all, dryRun: true)
        #expect(report.changes.count == 3)
        #expect(report.changes.allSatisfy { $0.disposition == .planned })
        #expect(fs.journal.isEmpty)
        #expect(fs["/etc/hostname"] == "localhost\n")
    }

    @Test func aCloneRerunsPerInstanceSteps() throws {
        let fs = fixture()
        _ = try engine(fs).run(steps: [HostnameStep()], spec: Self.spec, identity: Self.identity, stage: .all, dryRun: false)
        // The template was provisioned; the clone's hostname files were then changed by hand.
        fs.setText("/etc/hostname", "template\n")
        let same = try engine(fs).run(steps: [HostnameStep()], spec: Self.spec, identity: Self.identity, stage: .all, dryRun: false)
        #expect(same.steps.map(\.status) == [.skipped])
        #expect(fs["/etc/hostname"] == "template\n")

        let clone = InstanceIdentity(productUUID: "4201-bbbb", macs: ["00:50:56:00:00:02"], instanceID: nil)
        let report = try engine(fs).run(steps: [HostnameStep()], spec: Self.spec, identity: clone, stage: .all, dryRun: false)
        #expect(report.steps.map(\.status) == [.changed])
        #expect(report.diagnostics.contains { $0.message.contains("instance identity changed") })
        #expect(fs["/etc/hostname"] == "bf-server-01\n")
        #expect(try AgentState.load(fs: fs).identity == clone)
    }

    @Test func everyBootStepsAreCheckedEachRun() throws {
        let fs = fixture()
        let step = MarkerStep(id: "marker", frequency: .everyBoot)
        _ = try engine(fs).run(steps: [step], spec: Self.spec, identity: Self.identity, stage: .all, dryRun: false)
        fs.setText("/etc/marker", "drifted\n")
        let report = try engine(fs).run(steps: [step], spec: Self.spec, identity: Self.identity, stage: .all, dryRun: false)
        #expect(report.steps.map(\.status) == [.changed])
        #expect(fs["/etc/marker"] == "marker\n")
    }

    @Test func aRebootStopsTheRunAndTheNextBootResumes() throws {
        let fs = fixture(boot: "boot-1")
        let steps: [any Step] = [
            MarkerStep(id: "first", rebootAfter: true), MarkerStep(id: "second"),
        ]
        let first = try engine(fs).run(steps: steps, spec: Self.spec, identity: Self.identity, stage: .all, dryRun: false)
        #expect(first.outcome == .rebootNeeded(step: "first"))
        #expect(first.outcome.exitCode == 3)
        #expect(fs["/etc/first"] == "first\n")
        #expect(fs["/etc/second"] == nil)
        #expect(try AgentState.load(fs: fs).pendingReboot?.step == "first")
        #expect(try AgentState.load(fs: fs).lastRun?.step == "first")

        // Same boot: nothing happens until the machine reboots.
        let again = try engine(fs).run(steps: steps, spec: Self.spec, identity: Self.identity, stage: .all, dryRun: false)
        #expect(again.outcome == .rebootNeeded(step: "first"))
        #expect(fs["/etc/second"] == nil)

        // After the reboot: the first step is done, the second runs.
        fs.setText("/proc/sys/kernel/random/boot_id", "boot-2\n")
        let resumed = try engine(fs).run(steps: steps, spec: Self.spec, identity: Self.identity, stage: .all, dryRun: false)
        #expect(resumed.outcome == .done)
        #expect(resumed.steps.map(\.status) == [.skipped, .changed])
        #expect(fs["/etc/second"] == "second\n")
        #expect(try AgentState.load(fs: fs).pendingReboot == nil)
    }

    @Test func aFailedStepStopsTheRunAndIsRecorded() throws {
        let fs = fixture()
        let steps: [any Step] = [MarkerStep(id: "before"), BrokenStep(), MarkerStep(id: "after")]
        let report = try engine(fs).run(steps: steps, spec: Self.spec, identity: Self.identity, stage: .all, dryRun: false)
        #expect(report.outcome == .failed(step: "broken", message: "disk on fire"))
        #expect(report.outcome.exitCode == 1)
        #expect(fs["/etc/before"] == "before\n")
        #expect(fs["/etc/after"] == nil, "nothing after a failed step runs")
        let state = try AgentState.load(fs: fs)
        #expect(state.steps["broken"]?.status == .failed)
        #expect(state.steps["before"]?.status == .done)
        #expect(state.lastRun?.outcome == "failed")
        // What the status document published to the hypervisor is built from.
        #expect(state.lastRun?.step == "broken")
    }

    @Test func aWriteFailureFailsTheStepWithThePath() throws {
        let fs = fixture()
        fs.failWritesTo = ["/etc/hosts"]
        let report = try engine(fs).run(steps: [HostnameStep()], spec: Self.spec, identity: Self.identity, stage: .all, dryRun: false)
        guard case .failed(let step, let message) = report.outcome else {
            Issue.record("expected a failure, got \(report.outcome)")
            return
        }
        #expect(step == "hostname")
        #expect(message.contains("/etc/hosts"))
        #expect(try AgentState.load(fs: fs).steps["hostname"]?.status == .failed)
    }

    @Test func stagesSelectTheirSteps() throws {
        let fs = fixture()
        let steps: [any Step] = [HostnameStep(), MarkerStep(id: "late", stage: .main)]
        let early = try engine(fs).run(steps: steps, spec: Self.spec, identity: Self.identity, stage: .early, dryRun: false)
        #expect(early.steps.map(\.step) == ["hostname"])
        #expect(fs["/etc/late"] == nil)
        let main = try engine(fs).run(steps: steps, spec: Self.spec, identity: Self.identity, stage: .main, dryRun: false)
        #expect(main.steps.map(\.step) == ["late"])
    }

    @Test func stateIsVersionedAndPrivate() throws {
        let fs = fixture()
        _ = try engine(fs).run(steps: [HostnameStep()], spec: Self.spec, identity: Self.identity, stage: .all, dryRun: false)
        let entry = try #require(fs.entry(AgentState.path))
        #expect(entry.mode == 0o600)
        let text = try #require(fs[AgentState.path])
        #expect(text.contains("\"schemaVersion\" : 1"))

        fs.setText(AgentState.path, "{\"schemaVersion\": 99}")
        #expect { try AgentState.load(fs: fs) } throws: { error in
            "\(error)".contains("newer guestprep (schema 99")
        }
        fs.setText(AgentState.path, "garbage")
        #expect { try AgentState.load(fs: fs) } throws: { error in
            "\(error)".contains("guestprep clean")
        }
    }

    @Test func identityDigestFollowsUUIDMacsAndInstanceID() {
        let a = InstanceIdentity(productUUID: "U1", macs: ["b", "a"], instanceID: nil)
        #expect(a.digest == InstanceIdentity(productUUID: "u1", macs: ["a", "b"], instanceID: nil).digest)
        #expect(a.digest != InstanceIdentity(productUUID: "U2", macs: ["a", "b"], instanceID: nil).digest)
        #expect(a.digest != InstanceIdentity(productUUID: "U1", macs: ["a", "c"], instanceID: nil).digest)
        #expect(
            InstanceIdentity(productUUID: "U1", macs: [], instanceID: "x").digest
                == InstanceIdentity(productUUID: "U9", macs: ["z"], instanceID: "x").digest)
        #expect(a.digest.count == 16)
    }

    @Test func identityReadsOnlyDeviceBackedNICs() {
        let fs = InMemoryFileSystem([
            "/sys/class/dmi/id/product_uuid": "4201ABCD-0000\n",
            "/sys/class/net/lo/address": "00:00:00:00:00:00\n",
            "/sys/class/net/ens192/address": "00:50:56:AA:BB:01\n",
            "/sys/class/net/ens192/device/vendor": "0x15ad\n",
            "/sys/class/net/docker0/address": "02:42:00:00:00:01\n",
        ])
        let identity = InstanceIdentity.read(fs: fs, instanceID: nil)
        #expect(identity.productUUID == "4201ABCD-0000")
        #expect(identity.macs == ["00:50:56:aa:bb:01"])
    }
}
