#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

@Suite struct StatusPublisherTests {
    static let rpctool = "/usr/bin/vmware-rpctool"
    static let vmtoolsd = "/usr/bin/vmtoolsd"
    static let at = "2026-12-05T05:00:00Z"
    static let boot = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

    static func failedReport() -> RunReport {
        var report = RunReport(dryRun: false)
        report.outcome = .failed(step: "network", message: "net2 has no device")
        report.diagnostics = [
            .info(nil, "profile bitfusion-server (property)"),
            .error(PropertyKeys.nic(2, .ipv4address), "net2: no such NIC; the value 10.1.2.3 is not used"),
        ]
        return report
    }

    static func document(_ report: RunReport = failedReport(), stage: StageSelection = .main) -> StatusDocument {
        .of(report, stage: stage, instance: "a1b2c3d4e5f60718", boot: boot, at: at, guestprep: "0.1.0")
    }

    /// A VMware guest (DMI) with rpctool and/or vmtoolsd answering as `answer` says.
    static func vmwareGuest() -> InMemoryFileSystem {
        InMemoryFileSystem(["/sys/class/dmi/id/sys_vendor": "VMware, Inc.\n", "/sys/class/dmi/id/product_name": "VMware7,1\n"])
    }

    @Test func documentOfAFailedStageNamesStepAndKeyAndNoValue() throws {
        let json = try #require(Self.document().json(limit: StatusPublisher.valueLimit))
        #expect(
            json == #"{"at":"2026-12-05T05:00:00Z","boot":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","guestprep":"0.1.0","instance":"a1b2c3d4e5f60718","key":"guestinfo.bitfusion.host.net2.ipv4address","outcome":"failed","stage":"main","step":"network","version":1}"#)
        #expect(!json.contains("10.1.2.3"))
        #expect(!Self.document().ready)
    }

    @Test func outcomesAndReadiness() {
        var report = RunReport(dryRun: false)
        #expect(Self.document(report).outcome == .done)
        #expect(Self.document(report).ready)
        #expect(!Self.document(report, stage: .early).ready)
        report.outcome = .degraded(reasons: ["net1 fell back to DHCP"])
        #expect(Self.document(report).outcome == .degraded)
        #expect(Self.document(report).reasons == ["net1 fell back to DHCP"])
        #expect(Self.document(report).ready)
        report.outcome = .rebootNeeded(step: "nouveau")
        #expect(Self.document(report).outcome == .reboot)
        #expect(Self.document(report).step == "nouveau")
        #expect(!Self.document(report).ready)
        let invalid = StatusDocument.invalid(
            [.error(PropertyKeys.hostname, "hostname 'bad_name' is not valid")], stage: .early, instance: "d", boot: nil,
            at: Self.at, guestprep: "0.1.0")
        #expect(invalid.outcome == .invalid)
        #expect(invalid.key == PropertyKeys.hostname)
        #expect(invalid.step == "validate")
        #expect(invalid.json(limit: 4096)?.contains("bad_name") == false)
    }

    @Test func documentFromTheStateIsTheLastRunsAndMapsRebootNeeded() throws {
        var state = AgentState()
        #expect(StatusDocument.of(state, instance: "d", boot: nil, guestprep: "0.1.0") == nil)
        state.lastRun = RunRecord(
            stage: "main", startedAt: "s", finishedAt: Self.at, outcome: "reboot-needed", processesStarted: 2, step: "driver")
        let document = try #require(StatusDocument.of(state, instance: "d", boot: Self.boot, guestprep: "0.1.0", health: .warn))
        #expect(document.outcome == .reboot)
        #expect(document.step == "driver")
        #expect(document.health == .warn)
        #expect(document.at == Self.at)
    }

    @Test func healthSummaryIsNeverASilentOK() {
        #expect(HealthSummary(.pass) == .ok)
        #expect(HealthSummary(.unknown) == .warn)
        #expect(HealthSummary(.warn) == .warn)
        #expect(HealthSummary(.critical) == .critical)
    }

    @Test func aLongDocumentDropsWholeOptionalFieldsAndStaysValidJSON() throws {
        var report = RunReport(dryRun: false)
        report.outcome = .degraded(reasons: (1...40).map { "step net-\($0) reported 1 error, with a long explanation" })
        let document = Self.document(report)
        let full = try #require(document.json(limit: 1 << 20))
        #expect(full.utf8.count > StatusPublisher.valueLimit)
        let json = try #require(document.json(limit: StatusPublisher.valueLimit))
        #expect(json.utf8.count <= StatusPublisher.valueLimit)
        let decoded = try JSONDecoder().decode(StatusDocument.self, from: Data(json.utf8))
        #expect(decoded.reasons == nil)
        #expect(decoded.outcome == .degraded)
        #expect(decoded.boot == Self.boot)
        // Smaller still: key, step and boot go too, then nothing fits.
        let minimal = try #require(document.json(limit: 150))
        #expect(try JSONDecoder().decode(StatusDocument.self, from: Data(minimal.utf8)).boot == nil)
        #expect(document.json(limit: 20) == nil)
    }

    @Test func vmwareGetsTheExactArgvThroughRpctool() throws {
        let runner = ScriptedProcessRunner(installed: [Self.rpctool, Self.vmtoolsd])
        let publisher = StatusPublisher(fs: Self.vmwareGuest(), runner: runner)
        #expect(publisher.targets == [.vmware])
        let diagnostics = publisher.publish(Self.document(), health: .critical)
        let json = try #require(Self.document().json(limit: StatusPublisher.valueLimit))
        #expect(
            runner.calls == [
                .init(executable: Self.rpctool, arguments: ["info-set guestinfo.guestprep.status \(json)"]),
                .init(executable: Self.rpctool, arguments: ["info-set guestinfo.guestprep.ready false"]),
                .init(executable: Self.rpctool, arguments: ["info-set guestinfo.guestprep.health critical"]),
            ])
        #expect(diagnostics.map(\.severity) == [.info])
        #expect(diagnostics.first?.message.contains("VMware guestinfo") == true)
    }

    @Test func vmwareFallsBackToVmtoolsdWhenRpctoolIsRefused() throws {
        let runner = ScriptedProcessRunner(installed: [Self.rpctool, Self.vmtoolsd]) { executable, _ in
            executable == Self.rpctool
                ? ProcessResult(status: 1, standardError: Array("Permission denied\n".utf8)) : ProcessResult(status: 0)
        }
        let diagnostics = StatusPublisher(fs: Self.vmwareGuest(), runner: runner).publish(
            Self.document(RunReport(dryRun: false)))
        let json = try #require(Self.document(RunReport(dryRun: false)).json(limit: StatusPublisher.valueLimit))
        #expect(
            runner.calls == [
                .init(executable: Self.rpctool, arguments: ["info-set guestinfo.guestprep.status \(json)"]),
                .init(executable: Self.vmtoolsd, arguments: ["--cmd", "info-set guestinfo.guestprep.status \(json)"]),
                .init(executable: Self.vmtoolsd, arguments: ["--cmd", "info-set guestinfo.guestprep.ready true"]),
                .init(executable: Self.vmtoolsd, arguments: ["--cmd", "info-set guestinfo.guestprep.health"]),
            ])
        #expect(diagnostics.map(\.severity) == [.info])
    }

    @Test func vmwareWithoutRpctoolUsesVmtoolsd() {
        let runner = ScriptedProcessRunner(installed: [Self.vmtoolsd])
        _ = StatusPublisher(fs: Self.vmwareGuest(), runner: runner).publish(nil, health: .ok)
        #expect(
            runner.calls == [
                .init(executable: Self.vmtoolsd, arguments: ["--cmd", "info-set guestinfo.guestprep.ready false"]),
                .init(executable: Self.vmtoolsd, arguments: ["--cmd", "info-set guestinfo.guestprep.health ok"]),
            ])
    }

    @Test func aFailureToPublishIsAWarningNamingTheKey() {
        let runner = ScriptedProcessRunner(installed: [Self.rpctool, Self.vmtoolsd]) { _, _ in
            ProcessResult(status: 1, standardError: Array("Permission denied\n".utf8))
        }
        let diagnostics = StatusPublisher(fs: Self.vmwareGuest(), runner: runner).publish(Self.document())
        #expect(diagnostics.count == 1)
        #expect(diagnostics[0].severity == .warning)
        #expect(diagnostics[0].message.contains("status not published to VMware guestinfo"))
        #expect(diagnostics[0].message.contains("info-set guestinfo.guestprep.status"))
        #expect(diagnostics[0].message.contains("vmtoolsd --cmd exited with status 1: Permission denied"))
        // No tools at all is a warning too.
        let none = StatusPublisher(fs: Self.vmwareGuest(), runner: ScriptedProcessRunner(installed: [])).publish(Self.document())
        #expect(none.map(\.severity) == [.warning])
        #expect(none.first?.message.contains("neither vmware-rpctool nor vmtoolsd") == true)
    }

    @Test func targetsFollowTheRule() {
        let plain = InMemoryFileSystem()
        #expect(StatusPublisher.targets(fs: plain, vmwareSource: false).isEmpty)
        #expect(StatusPublisher.targets(fs: plain, vmwareSource: true) == [.vmware])
        let hyperV = InMemoryFileSystem()
        hyperV.setDirectory("/var/lib/hyperv", owner: .root)
        #expect(StatusPublisher.targets(fs: hyperV, vmwareSource: false) == [.kvp])
        let both = Self.vmwareGuest()
        both.setDirectory("/var/lib/hyperv", owner: .root)
        #expect(StatusPublisher.targets(fs: both, vmwareSource: false) == [.vmware, .kvp])
        // Under a fixture root (no runner) guestinfo is left alone, and says so.
        let diagnostics = StatusPublisher(fs: Self.vmwareGuest(), runner: nil).publish(Self.document())
        #expect(diagnostics.map(\.severity) == [.info])
        #expect(diagnostics.first?.message.contains("not published to VMware guestinfo") == true)
    }

    /// An independent reader of hv_kvp_daemon's records: 512-byte key, 2048-byte value, each a
    /// C string padded with NULs (Linux tools/hv/hv_kvp_daemon.c, struct kvp_record).
    static func independentRecords(_ bytes: [UInt8]) -> [(String, String)] {
        precondition(bytes.count % 2560 == 0, "a pool written by guestprep is whole records")
        return stride(from: 0, to: bytes.count, by: 2560).map { start in
            let key = bytes[start..<(start + 512)]
            let value = bytes[(start + 512)..<(start + 2560)]
            precondition(key.last == 0 && value.last == 0, "each field keeps a terminating NUL")
            let keyEnd = key.firstIndex(of: 0)!
            let valueEnd = value.firstIndex(of: 0)!
            precondition(key[keyEnd...].allSatisfy { $0 == 0 } && value[valueEnd...].allSatisfy { $0 == 0 })
            return (String(decoding: key[..<keyEnd], as: UTF8.self), String(decoding: value[..<valueEnd], as: UTF8.self))
        }
    }

    @Test func kvpPoolOneKeepsOtherRecordsAndReplacesGuestpreps() throws {
        let fs = InMemoryFileSystem()
        fs.setDirectory("/var/lib/hyperv", owner: .root)
        fs.setBytes(
            StatusPublisher.kvpGuestPool,
            try KVPPoolEncoder.record(key: "OtherAgent", value: "v1") + KVPPoolEncoder.record(key: StatusPublisher.healthKey, value: "ok")
                + KVPPoolEncoder.record(key: StatusPublisher.statusKey, value: "{\"old\":true}"))
        let publisher = StatusPublisher(fs: fs, runner: nil)
        #expect(publisher.targets == [.kvp])
        let diagnostics = publisher.publish(Self.document())
        #expect(diagnostics.map(\.severity) == [.info])
        let bytes = try #require(try fs.read(StatusPublisher.kvpGuestPool))
        let json = try #require(Self.document().json(limit: StatusPublisher.valueLimit))
        let expected = [
            ("OtherAgent", "v1"), (StatusPublisher.statusKey, json), (StatusPublisher.readyKey, "false"),
        ]
        let independent = Self.independentRecords(bytes)
        #expect(independent.map(\.0) == expected.map(\.0))
        #expect(independent.map(\.1) == expected.map(\.1))
        let ours = try KVPPoolDecoder.decode(bytes)
        #expect(ours.map(\.key) == expected.map(\.0))
        #expect(ours.map(\.value) == expected.map(\.1))
        // Published again with a health summary: still one record per key.
        _ = publisher.publish(Self.document(), health: .warn)
        let again = try KVPPoolDecoder.decode(try #require(try fs.read(StatusPublisher.kvpGuestPool)))
        #expect(again.map(\.key) == ["OtherAgent", StatusPublisher.statusKey, StatusPublisher.readyKey, StatusPublisher.healthKey])
        #expect(again.last?.value == "warn")
    }

    @Test func clearingSecretsTakesTheChannelTheReadsWorkedThrough() {
        let secrets = GuestinfoSecrets(direct: [PropertyKeys.clientAccessToken], channel: ["vmtoolsd", "--cmd"])
        let cleared = secrets.clearing([PropertyKeys.clientAccessToken], step: "secrets-clear")
        #expect(cleared.changes == [.run(step: "secrets-clear", ["vmtoolsd", "--cmd", "info-set \(PropertyKeys.clientAccessToken)"])])
    }
}
