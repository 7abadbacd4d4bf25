import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

@Suite struct SecretHygieneTests {
    static let password = "Vc-Pa55word-XYZ"
    static let token = "client-token-123456"

    static let spec = GuestSpec(
        hostname: "bf-server-01",
        server: ServerEnrollment(
            vcenterGUID: "11111111-2222-3333-4444-555555555555", vcenterURL: "https://vc.example.com",
            username: "administrator@vsphere.local", password: Secret(password)),
        client: ClientEnrollment(accessToken: Secret(token)))

    @Test func aRunLogsAndStoresNoSecret() throws {
        let fs = InMemoryFileSystem(["/etc/hostname": "x\n"])
        let (logger, handler) = CapturingLogHandler.logger()
        let identity = InstanceIdentity(productUUID: "u", macs: [], instanceID: nil)
        let engine = Engine(fs: fs, runner: nil, clock: FixedClock(), notifier: RecordingNotifier(), logger: logger)
        let report = try engine.run(steps: StepCatalog.all, spec: Self.spec, identity: identity, stage: .all, dryRun: false)
        #expect(!handler.records.isEmpty, "the run logs its progress")
        #expect(handler.records.contains { $0.metadata["message_id"] == Engine.MessageID.stepApplied && $0.metadata["step"] == "hostname" })
        for text in [handler.everything, ReportFormatter.text(report), ReportFormatter.json(report)] + fs.paths.compactMap({ fs[$0] }) {
            #expect(!text.contains(Self.password))
            #expect(!text.contains(Self.token))
        }
        #expect("\(Self.spec)".contains("<redacted>"))
        #expect(!"\(Self.spec)".contains(Self.password))
    }

    @Test func sensitiveChangesAreRedactedInPlans() {
        var report = RunReport(dryRun: true)
        report.changes = [
            ChangeResult(change: .write(step: "s", path: "/etc/secret.conf", text: "password=\(Self.password)\n", mode: 0o600, sensitive: true), disposition: .planned),
            ChangeResult(change: .run(step: "s", ["vmware-rpctool", "info-set guestinfo.x \(Self.token)"], sensitive: true), disposition: .planned),
        ]
        let text = ReportFormatter.text(report)
        let json = ReportFormatter.json(report)
        for output in [text, json] {
            #expect(!output.contains(Self.password) && !output.contains(Self.token))
            #expect(output.contains("<redacted>") || output.contains("redacted"))
        }
        #expect(text.contains("write /etc/secret.conf (0600 root:root)"))
    }
}
