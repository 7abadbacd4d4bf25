import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

private struct Failing: HealthSource {
    let name = "GPU checks"
    func evaluate(_ context: HealthContext) throws -> HealthOutcome {
        throw GuestPrepError.io(path: "libnvidia-ml.so.1", operation: "dlopen", reason: "not found")
    }
}

private struct Fixed: HealthSource {
    let name = "fixed"
    var outcome: HealthOutcome
    func evaluate(_ context: HealthContext) throws -> HealthOutcome { outcome }
}

@Suite struct HealthReportTests {
    let context = HealthContext(
        fs: InMemoryFileSystem(), runner: ScriptedProcessRunner(installed: []), onHost: false, memory: ["xid/0000:0b:00.0/79": 2, "old": 1], now: 0)

    @Test func aThrowingSourceIsOneUnknownCheckNamingIt() {
        let report = HealthReport.run([Failing()], context: context, time: "2026-01-01T00:00:00Z")
        #expect(report.checks == [
            HealthCheck(
                name: "source", level: .unknown, subject: "GPU checks",
                evidence: ["GPU checks could not run: dlopen libnvidia-ml.so.1: not found"],
                fix: "fix what the evidence names, then run guestprep health again")
        ])
        #expect(report.exitCode == 4)
        // A failed source keeps what it kept before.
        #expect(report.memory["xid/0000:0b:00.0/79"] == 2)
    }

    @Test func levelsMapToExitCodes() {
        #expect(HealthReport.exitCode(for: .pass) == 0)
        #expect(HealthReport.exitCode(for: .unknown) == 4)
        #expect(HealthReport.exitCode(for: .warn) == 4)
        #expect(HealthReport.exitCode(for: .critical) == 5)
        let report = HealthReport.run(
            [Fixed(outcome: HealthOutcome(checks: [HealthCheck(name: "a", level: .pass), HealthCheck(name: "b", level: .critical)]))],
            context: context, time: "t")
        #expect(report.level == .critical)
        #expect(report.exitCode == 5)
        #expect(HealthFormatter.summary(report) == "summary: 1 pass, 0 unknown, 0 warn, 1 critical: critical, exit 5")
    }

    @Test func memoryIsMergedOverTheEarlierRuns() {
        let report = HealthReport.run(
            [Fixed(outcome: HealthOutcome(memory: ["xid/0000:0b:00.0/79": 3, "new": 7]))], context: context, time: "t")
        #expect(report.memory == ["xid/0000:0b:00.0/79": 3, "new": 7, "old": 1])
    }

    @Test func memoryRoundTripsThroughItsFile() throws {
        let fs = InMemoryFileSystem()
        #expect(try HealthMemory.load(fs: fs) == [:])
        try HealthMemory.save(["network/eth1/errors": 12, "network/eth1/at": 1_700_000_000.5], fs: fs)
        #expect(fs.entry(HealthMemory.path)?.mode == 0o600)
        #expect(try HealthMemory.load(fs: fs) == ["network/eth1/errors": 12, "network/eth1/at": 1_700_000_000.5])
        fs.setText(HealthMemory.path, "{\"version\": 9, \"memory\": {}}")
        #expect(throws: GuestPrepError.malformed(what: HealthMemory.path, reason: "written by a newer guestprep (version 9, this one knows 1)")) {
            try HealthMemory.load(fs: fs)
        }
    }
}

@Suite struct DoctorHealthSourceTests {
    @Test func criticalFindingsBecomeCriticalChecksWithTheCode() {
        let findings = [
            Finding(
                .critical, code: "bar-unassigned", device: PCIAddress("0000:0b:00.0"), summary: "BAR1 has no address",
                evidence: ["resource: BAR1 0x0"], fix: ["pciPassthru.use64bitMMIO = TRUE"]),
            Finding(.warning, code: "pcie-link-narrow", summary: "narrow"),
        ]
        #expect(DoctorHealthSource.checks(findings) == [
            HealthCheck(
                name: "doctor", level: .critical, subject: "0000:0b:00.0",
                evidence: ["doctor bar-unassigned: BAR1 has no address", "resource: BAR1 0x0"], fix: "pciPassthru.use64bitMMIO = TRUE")
        ])
        #expect(DoctorHealthSource.checks([findings[1]]).map(\.level) == [.pass])
    }

    @Test func aMissingGPUIsCriticalForARoleThatNeedsOne() throws {
        let fs = InMemoryFileSystem()
        fs.setDirectory("/sys/bus/pci/devices", owner: .root)
        let context = HealthContext(
            fs: fs, runner: ScriptedProcessRunner(installed: []), onHost: false,
            profile: Profile(name: "gpu-passthrough", description: "g", steps: ["driver"]), now: 0)
        let found = try DoctorHealthSource().evaluate(context).checks
        #expect(found.map(\.level) == [.critical])
        #expect(found.first?.evidence.first?.hasPrefix("doctor no-nvidia-gpu:") == true)
    }
}
