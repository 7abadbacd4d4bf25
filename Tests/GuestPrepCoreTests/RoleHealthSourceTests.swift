import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Synchronization
import Testing

/// A vCenter identity probe that answers one way and records what it was asked.
final class ScriptedVCenterProbe: VCenterIdentityProbe, @unchecked Sendable {
    let outcome: Result<VCenterIdentity, VCenterError>
    private let lock = Mutex<[VCenterTrust]>([])
    init(_ outcome: Result<VCenterIdentity, VCenterError>) { self.outcome = outcome }
    var trusts: [VCenterTrust] { lock.withLock { $0 } }
    func identify(url: String, expectedGUID: String, trust: VCenterTrust, timeout: Double) throws(VCenterError) -> VCenterIdentity {
        lock.withLock { $0.append(trust) }
        return try outcome.get()
    }
}

@Suite struct RoleHealthSourceTests {
    static let guid = "11111111-2222-3333-4444-555555555555"
    static let serverProfile = Profile(name: "bitfusion-server", description: "", steps: ["driver", "vcenter-verify", "secrets-clear"])
    static let clientProfile = Profile(name: "bitfusion-client", description: "", steps: ["bitfusion-client", "bitfusion-client-check"])
    static let dpkgClient = """
        Package: bash
        Status: install ok installed

        Package: bitfusion-client-ubuntu2204
        Status: install ok installed
        Depends: libc6

        """
    static let dpkgRemoved = """
        Package: bitfusion-client-ubuntu2204
        Status: deinstall ok config-files

        """

    /// A server whose password was cleared (secrets-clear), pinned by thumbprint.
    static func serverSpec(caFile: String? = nil) -> GuestSpec {
        var spec = GuestSpec()
        spec.server = ServerEnrollment(
            vcenterGUID: guid, vcenterURL: "https://vc.example", username: "administrator@vsphere.local", password: nil,
            caFile: caFile, thumbprint: caFile == nil ? String(repeating: "ab", count: 32) : nil)
        return spec
    }

    static let systemctl = "/usr/bin/systemctl"

    static func runner(isActive: String, status: Int32) -> ScriptedProcessRunner {
        ScriptedProcessRunner(installed: [systemctl]) { _, _ in ProcessResult(status: status, standardOutput: Array((isActive + "\n").utf8)) }
    }

    func check(_ outcome: HealthOutcome, _ name: String) -> HealthCheck? { outcome.checks.first { $0.name == name } }

    @Test func aServerWithoutItsPasswordChecksTLSAndTheGUIDThePackageAndTheService() throws {
        let fs = bitfusionGuest([
            "/var/lib/dpkg/status": "Package: bitfusion-server\nStatus: install ok installed\n",
            "/lib/systemd/system/bitfusion-manager.service": "[Service]\n",
        ])
        let probe = ScriptedVCenterProbe(.success(VCenterIdentity(fullName: "VMware vCenter Server 8.0.2", instanceUUID: Self.guid)))
        let runner = Self.runner(isActive: "active", status: 0)
        let outcome = try RoleHealthSource(vcenter: probe, tlsProbe: nil).evaluate(
            HealthContext(fs: fs, runner: runner, onHost: true, profile: Self.serverProfile, spec: Self.serverSpec(), now: 0))
        #expect(outcome.checks.map(\.name) == ["vcenter_check", "bitfusion_package", "bitfusion_service"])
        #expect(outcome.checks.map(\.level) == [.pass, .pass, .pass])
        let vcenter = try #require(check(outcome, "vcenter_check"))
        #expect(vcenter.subject == "https://vc.example")
        #expect(vcenter.evidence.contains { $0.contains("VMware vCenter Server 8.0.2") && $0.contains(Self.guid) })
        #expect(vcenter.evidence.contains { $0.contains("login is not checked") })
        #expect(probe.trusts == [.thumbprint(String(repeating: "ab", count: 32))])
        #expect(check(outcome, "bitfusion_package")?.evidence == ["installed (/var/lib/dpkg/status): bitfusion-server"])
        #expect(runner.calls == [.init(executable: Self.systemctl, arguments: ["is-active", "bitfusion-manager.service"])])
    }

    @Test(arguments: [
        (VCenterError.guidMismatch(expected: guid, actual: "99999999-2222-3333-4444-555555555555"), "99999999"),
        (.unreachable(url: "https://vc.example", reason: "Connection refused"), "Connection refused"),
        (.thumbprintMismatch(url: "https://vc.example", expected: "ab", actual: "cd"), "thumbprint cd"),
    ])
    func aVCenterFailureIsCriticalWithTheVerifiersWords(_ error: VCenterError, _ words: String) throws {
        let outcome = try RoleHealthSource(vcenter: ScriptedVCenterProbe(.failure(error)), tlsProbe: nil).evaluate(
            HealthContext(fs: bitfusionGuest(), runner: Self.runner(isActive: "active", status: 0), onHost: true, profile: Self.serverProfile, spec: Self.serverSpec(), now: 0))
        let vcenter = try #require(check(outcome, "vcenter_check"))
        #expect(vcenter.level == .critical)
        #expect(vcenter.evidence.joined().contains(words))
        #expect(vcenter.fix?.isEmpty == false)
    }

    @Test func aMissingCAFileIsCriticalAndNamesTheKey() throws {
        let probe = ScriptedVCenterProbe(.success(VCenterIdentity(fullName: "vc", instanceUUID: Self.guid)))
        let outcome = try RoleHealthSource(vcenter: probe, tlsProbe: nil).evaluate(
            HealthContext(
                fs: bitfusionGuest(), runner: Self.runner(isActive: "active", status: 0), onHost: true, profile: Self.serverProfile,
                spec: Self.serverSpec(caFile: "/etc/guestprep/vcenter-ca.pem"), now: 0))
        let vcenter = try #require(check(outcome, "vcenter_check"))
        #expect(vcenter.level == .critical)
        #expect(vcenter.evidence.joined().contains(PropertyKeys.vcenterCAFile))
        #expect(probe.trusts.isEmpty)
    }

    @Test(arguments: [("failed", Int32(3), HealthCheck.Level.critical), ("inactive", 3, .critical), ("activating", 3, .warn)])
    func aServiceNotActiveIsReportedWithItsState(_ state: String, _ status: Int32, _ level: HealthCheck.Level) throws {
        let fs = bitfusionGuest(["/usr/lib/systemd/system/bitfusion-manager.service": "[Service]\n"])
        let outcome = try RoleHealthSource(vcenter: nil, tlsProbe: nil).evaluate(
            HealthContext(fs: fs, runner: Self.runner(isActive: state, status: status), onHost: true, profile: Self.serverProfile, now: 0))
        let service = try #require(check(outcome, "bitfusion_service"))
        #expect(service.level == level)
        #expect(service.evidence.joined().contains(state))
    }

    @Test func aServerWithoutTheUnitIsCriticalWithoutAskingSystemctl() throws {
        let runner = Self.runner(isActive: "inactive", status: 3)
        let outcome = try RoleHealthSource(vcenter: nil, tlsProbe: nil).evaluate(
            HealthContext(fs: bitfusionGuest(["/var/lib/dpkg/status": Self.dpkgClient]), runner: runner, onHost: true, profile: Self.serverProfile, now: 0))
        #expect(check(outcome, "bitfusion_service")?.level == .critical)
        // A client package is not the server's.
        #expect(check(outcome, "bitfusion_package")?.level == .critical)
        #expect(runner.calls.isEmpty)
    }

    @Test func offTheRunningSystemEveryLiveCheckIsUnknownWithTheReason() throws {
        let runner = Self.runner(isActive: "active", status: 0)
        let probe = ScriptedVCenterProbe(.success(VCenterIdentity(fullName: "vc", instanceUUID: Self.guid)))
        let server = try RoleHealthSource(vcenter: probe, tlsProbe: TableTLSProbe(answers: [:])).evaluate(
            HealthContext(fs: bitfusionGuest(), runner: runner, onHost: false, profile: Self.serverProfile, spec: Self.serverSpec(), now: 0))
        #expect(server.checks.map(\.level) == [.unknown, .unknown, .unknown])
        #expect(server.checks.allSatisfy { !$0.evidence.isEmpty })
        #expect(check(server, "vcenter_check")?.evidence.joined().contains("--root is not /") == true)

        let fs = bitfusionGuest([
            "/etc/bitfusion/servers.conf": "10.0.0.5\n", "/etc/bitfusion/tls/ca.crt": "-----BEGIN CERTIFICATE-----\n",
            "/var/lib/dpkg/status": Self.dpkgClient,
        ])
        let client = try RoleHealthSource(vcenter: probe, tlsProbe: TableTLSProbe(answers: [:])).evaluate(
            HealthContext(fs: fs, runner: runner, onHost: false, profile: Self.clientProfile, now: 0))
        #expect(check(client, "bitfusion_server_tls")?.level == .unknown)
        #expect(check(client, "bitfusion_server_tls")?.subject == "10.0.0.5:56001")
        // dpkg's database is a file: it is read off the running system too.
        #expect(check(client, "bitfusion_package")?.level == .pass)
        #expect(runner.calls.isEmpty && probe.trusts.isEmpty)
    }

    @Test func aClientChecksEachServerWithTheClusterCA() throws {
        let fs = bitfusionGuest([
            "/root/.bitfusion/servers.conf": "10.0.0.5\n10.0.0.6:56003\n10.0.0.7 56001\n",
            "/etc/bitfusion/tls/ca.crt": "-----BEGIN CERTIFICATE-----\n",
            "/var/lib/dpkg/status": Self.dpkgClient,
        ])
        let probe = TableTLSProbe(answers: [
            "10.0.0.5:56001": .trusted, "10.0.0.6:56003": .unknownAuthority("unable to get local issuer certificate"),
        ])
        let outcome = try RoleHealthSource(vcenter: nil, tlsProbe: probe).evaluate(
            HealthContext(fs: fs, runner: ScriptedProcessRunner(installed: []), onHost: true, profile: Self.clientProfile, spec: clientSpec(), now: 0))
        #expect(outcome.checks.map(\.name) == ["bitfusion_package", "bitfusion_server_tls", "bitfusion_server_tls", "bitfusion_server_tls"])
        let levels = Dictionary(uniqueKeysWithValues: outcome.checks.dropFirst().map { ($0.subject!, $0.level) })
        #expect(levels == ["10.0.0.5:56001": .pass, "10.0.0.6:56003": .critical, "10.0.0.7:56001": .warn])
        let unknownCA = outcome.checks.first { $0.subject == "10.0.0.6:56003" }
        #expect(unknownCA?.evidence.joined().contains("x509: certificate signed by unknown authority") == true)
        #expect(unknownCA?.fix?.contains("reenable-client") == true)
        #expect(check(outcome, "bitfusion_package")?.evidence == ["installed (/var/lib/dpkg/status): bitfusion-client-ubuntu2204"])
        #expect(outcome.metrics.map(\.value) == [3, 1])
        #expect(outcome.metrics.map(\.name) == ["guestprep_bitfusion_servers", "guestprep_bitfusion_servers_trusted"])
    }

    @Test func aClientWhoseServersAllFailIsCritical() throws {
        let fs = bitfusionGuest([
            "/etc/bitfusion/servers.conf": "10.0.0.5\n10.0.0.6\n", "/etc/bitfusion/tls/ca.crt": "-----BEGIN CERTIFICATE-----\n",
        ])
        let outcome = try RoleHealthSource(vcenter: nil, tlsProbe: TableTLSProbe(answers: ["10.0.0.6:56001": .timedOut])).evaluate(
            HealthContext(fs: fs, runner: ScriptedProcessRunner(installed: []), onHost: true, profile: Self.clientProfile, now: 0))
        #expect(outcome.checks.filter { $0.name == "bitfusion_server_tls" }.map(\.level) == [.critical, .critical])
    }

    @Test func aClientThatHasNotEnrolledOrLostItsCAIsCritical() throws {
        let notEnrolled = try RoleHealthSource(vcenter: nil, tlsProbe: TableTLSProbe(answers: [:])).evaluate(
            HealthContext(fs: bitfusionGuest(), runner: ScriptedProcessRunner(installed: []), onHost: true, profile: Self.clientProfile, now: 0))
        #expect(check(notEnrolled, "bitfusion_server_tls")?.level == .critical)
        #expect(check(notEnrolled, "bitfusion_server_tls")?.evidence.joined().contains("servers.conf") == true)
        let noCA = try RoleHealthSource(vcenter: nil, tlsProbe: TableTLSProbe(answers: [:])).evaluate(
            HealthContext(
                fs: bitfusionGuest(["/etc/bitfusion/servers.conf": "10.0.0.5\n"]), runner: ScriptedProcessRunner(installed: []), onHost: true,
                profile: Self.clientProfile, now: 0))
        #expect(check(noCA, "bitfusion_server_tls")?.evidence.joined().contains("/etc/bitfusion/tls/ca.crt") == true)
        #expect(check(noCA, "bitfusion_server_tls")?.level == .critical)
    }

    @Test func theClientPackageComesFromDpkgOrRpm() throws {
        let removed = try RoleHealthSource(vcenter: nil, tlsProbe: nil).evaluate(
            HealthContext(
                fs: bitfusionGuest(["/var/lib/dpkg/status": Self.dpkgRemoved]), runner: ScriptedProcessRunner(installed: []), onHost: true,
                profile: Self.clientProfile, now: 0))
        #expect(check(removed, "bitfusion_package")?.level == .critical)
        #expect(check(removed, "bitfusion_package")?.evidence.joined().contains("/var/lib/dpkg/status") == true)

        let rpm = ScriptedProcessRunner(installed: ["/usr/bin/rpm"]) { _, _ in
            ProcessResult(status: 0, standardOutput: Array("bash\nbitfusion-client-centos8\n".utf8))
        }
        let fromRPM = try RoleHealthSource(vcenter: nil, tlsProbe: nil).evaluate(
            HealthContext(fs: bitfusionGuest(), runner: rpm, onHost: true, profile: Self.clientProfile, now: 0))
        #expect(check(fromRPM, "bitfusion_package")?.level == .pass)
        #expect(check(fromRPM, "bitfusion_package")?.evidence == ["installed (rpm -qa): bitfusion-client-centos8"])
        #expect(rpm.calls == [.init(executable: "/usr/bin/rpm", arguments: ["-qa", "--queryformat", "%{NAME}\\n"])])
    }

    @Test func aRoleWithoutBitfusionHasNoRoleChecks() throws {
        let gpu = Profile(name: "gpu-passthrough", description: "", steps: ["driver", "persistence"])
        let outcome = try RoleHealthSource(vcenter: nil, tlsProbe: nil).evaluate(
            HealthContext(fs: bitfusionGuest(), runner: ScriptedProcessRunner(installed: []), onHost: true, profile: gpu, spec: Self.serverSpec(), now: 0))
        #expect(outcome == HealthOutcome())
        // Without a profile, the properties tell the role.
        #expect(RoleHealthSource.role(profile: nil, spec: Self.serverSpec()) == .server)
        #expect(RoleHealthSource.role(profile: nil, spec: clientSpec()) == .client)
        #expect(RoleHealthSource.role(profile: nil, spec: GuestSpec()) == nil)
    }
}
