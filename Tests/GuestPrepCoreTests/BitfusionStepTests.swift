import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel
import GuestPrepRender
import GuestPrepTesting
import Testing

/// A guest with root and one user, alice (primary group alice, gid 1000).
func bitfusionGuest(_ extra: [String: String] = [:]) -> InMemoryFileSystem {
    var files = [
        "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n",
        "/etc/group": "root:x:0:\nalice:x:1000:\n",
    ]
    for (path, text) in extra { files[path] = text }
    let fs = InMemoryFileSystem(files)
    fs.setDirectory("/root", owner: .root, mode: 0o700)
    fs.setDirectory("/home/alice", owner: FileOwner(user: "alice", group: "alice"))
    return fs
}

let clientYAMLSecret = "client-credential-5f4e3d2c1b0a"

func sampleArchive() -> TokenArchive {
    let servers = "servers:\n  - addresses:\n      - 10.0.0.5:56001\n"
    return TokenArchive(
        caCertificate: Array("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8),
        clientYAML: SecretBytes(Array(clientYAMLSecret.utf8)), serversConf: Array(servers.utf8),
        servers: [BitfusionServerAddress(address: IPv4Address("10.0.0.5")!, port: 56001)])
}

func clientSpec(token: String? = nil, archive: TokenArchive? = nil, users: [String] = ["root"]) -> GuestSpec {
    var spec = GuestSpec()
    spec.client = ClientEnrollment(accessToken: token.map(Secret.init), archive: archive.map { .decoded($0) })
    spec.bitfusion.users = users
    return spec
}

@Suite struct BitfusionGroupStepTests {
    @Test func createsTheGroupAndAddsEachUser() throws {
        let plan = try BitfusionGroupStep().plan(
            StepContext(spec: clientSpec(users: ["root", "alice"]), fs: bitfusionGuest(), onHost: false))
        #expect(
            plan.changes == [
                .run(step: "bitfusion-group", ["groupadd", "--system", "bitfusion"]),
                .run(step: "bitfusion-group", ["usermod", "--append", "--groups", "bitfusion", "root"]),
                .run(step: "bitfusion-group", ["usermod", "--append", "--groups", "bitfusion", "alice"]),
            ])
    }

    @Test func membersAlreadyInTheGroupChangeNothing() throws {
        let fs = bitfusionGuest(["/etc/group": "root:x:0:\nalice:x:1000:\nbitfusion:x:998:alice,root\n"])
        let plan = try BitfusionGroupStep().plan(StepContext(spec: clientSpec(users: ["root", "alice"]), fs: fs, onHost: false))
        #expect(plan.changes.isEmpty)
    }

    @Test func aMissingUserStopsTheStepNamingTheKey() throws {
        #expect {
            _ = try BitfusionGroupStep().plan(StepContext(spec: clientSpec(users: ["bob"]), fs: bitfusionGuest(), onHost: false))
        } throws: { error in
            "\(error)".contains("bob") && "\(error)".contains(PropertyKeys.bitfusionUsers)
        }
    }
}

@Suite struct BitfusionLimitsStepTests {
    @Test func writesTheGuidesLimitsOnce() throws {
        let fs = bitfusionGuest()
        let plan = try BitfusionLimitsStep().plan(StepContext(spec: GuestSpec(), fs: fs, onHost: false))
        #expect(plan.changes == [.write(step: "bitfusion-limits", path: BitfusionLimitsRenderer.path, text: BitfusionLimitsRenderer.render())])
        let text = BitfusionLimitsRenderer.render()
        for line in [
            "@bitfusion soft nofile 100000", "@bitfusion hard nofile 100000", "@bitfusion soft memlock unlimited",
            "@bitfusion hard memlock unlimited", "@bitfusion soft rss unlimited", "@bitfusion hard rss unlimited",
        ] {
            #expect(text.contains(line + "\n"))
        }
        fs.setText(BitfusionLimitsRenderer.path, text)
        #expect(try BitfusionLimitsStep().plan(StepContext(spec: GuestSpec(), fs: fs, onHost: false)).changes.isEmpty)
    }
}

@Suite struct CloneIdentityStepTests {
    static let files = [
        "/etc/machine-id": "0123456789abcdef0123456789abcdef\n",
        "/etc/ssh/ssh_host_ed25519_key": "k", "/etc/ssh/ssh_host_ed25519_key.pub": "p",
        "/etc/ssh/ssh_host_rsa_key": "k", "/etc/ssh/ssh_host_rsa_key.pub": "p", "/etc/ssh/sshd_config": "",
    ]

    @Test func theFirstInstanceKeepsItsIdentity() throws {
        let plan = try CloneIdentityStep().plan(
            StepContext(spec: GuestSpec(), fs: InMemoryFileSystem(Self.files), onHost: false, instance: "aaaa"))
        #expect(plan.changes.isEmpty)
    }

    @Test func aCloneGetsANewMachineIDAndHostKeys() throws {
        let plan = try CloneIdentityStep().plan(
            StepContext(
                spec: GuestSpec(), fs: InMemoryFileSystem(Self.files), onHost: false, instance: "bbbb",
                previousInstance: "aaaa"))
        #expect(
            plan.changes == [
                .delete(step: "clone-identity", path: "/etc/machine-id"),
                .run(step: "clone-identity", ["systemd-machine-id-setup"]),
                .delete(step: "clone-identity", path: "/etc/ssh/ssh_host_ed25519_key"),
                .delete(step: "clone-identity", path: "/etc/ssh/ssh_host_ed25519_key.pub"),
                .delete(step: "clone-identity", path: "/etc/ssh/ssh_host_rsa_key"),
                .delete(step: "clone-identity", path: "/etc/ssh/ssh_host_rsa_key.pub"),
                .run(step: "clone-identity", ["ssh-keygen", "-A"]),
            ])
        #expect(plan.notes == ["cloned from instance aaaa"])
    }
}

@Suite struct BitfusionClientStepTests {
    func context(_ spec: GuestSpec, _ fs: InMemoryFileSystem, instance: String = "i-1", previous: String? = nil) -> StepContext {
        StepContext(spec: spec, fs: fs, onHost: false, instance: instance, previousInstance: previous)
    }

    @Test func installsTheArchiveForEachUserWithTheirOwnership() throws {
        let fs = bitfusionGuest()
        let plan = try BitfusionClientStep().plan(context(clientSpec(archive: sampleArchive(), users: ["root", "alice"]), fs))
        let archive = sampleArchive()
        let alice = FileOwner(user: "alice", group: "alice")
        let rootHome = UserHome(owner: .root, directory: "/root")
        let aliceHome = UserHome(owner: alice, directory: "/home/alice")
        // ~/.bitfusion is made by the file system below the home (0700, the user's): no
        // install -d, which would follow a link the user put there.
        #expect(plan.changes.count == 6)
        #expect(plan.changes[0] == Change(step: "bitfusion-client", action: .write(path: "/etc/bitfusion/tls/ca.crt", content: archive.caCertificate, mode: 0o644, owner: .root)))
        #expect(plan.changes[1] == Change(step: "bitfusion-client", action: .write(path: "/root/.bitfusion/client.yaml", content: archive.clientYAML.reveal(), mode: 0o600, owner: .root), sensitive: true, home: rootHome))
        #expect(plan.changes[2].home == rootHome)
        #expect(plan.changes[3] == Change(step: "bitfusion-client", action: .write(path: "/home/alice/.bitfusion/client.yaml", content: archive.clientYAML.reveal(), mode: 0o600, owner: alice), sensitive: true, home: aliceHome))
        #expect(plan.changes[4] == Change(step: "bitfusion-client", action: .write(path: "/home/alice/.bitfusion/servers.conf", content: archive.serversConf, mode: 0o644, owner: alice), home: aliceHome))
        guard case .write(let path, let content, let mode, _) = plan.changes[5].action else { Issue.record("no record"); return }
        #expect(plan.changes[5].home == nil)
        #expect(path == BitfusionClientStep.recordPath && mode == 0o600)
        let record = String(decoding: content, as: UTF8.self)
        #expect(record.hasPrefix("instance i-1\nusers root,alice\ninput "))
        #expect(!record.contains(clientYAMLSecret))
    }

    @Test func anUnchangedEnrollmentChangesNothingAndANewInstanceEnrollsAgain() throws {
        let fs = bitfusionGuest()
        let spec = clientSpec(archive: sampleArchive())
        let first = try BitfusionClientStep().plan(context(spec, fs))
        try PlanApplier(fs: fs, runner: nil).apply(first.changes) { _, _ in }
        #expect(try BitfusionClientStep().plan(context(spec, fs)).changes.isEmpty)
        // The client rewrote servers.conf: an unchanged enrollment leaves it alone.
        fs.setText("/root/.bitfusion/servers.conf", "10.0.0.9\n")
        #expect(try BitfusionClientStep().plan(context(spec, fs)).changes.isEmpty)
        let clone = try BitfusionClientStep().plan(context(spec, fs, instance: "i-2", previous: "i-1"))
        #expect(clone.changes.contains { $0.path == "/root/.bitfusion/servers.conf" })
    }

    @Test func withTheTokenAloneAReenableRemovesTheOldClientFiles() throws {
        let fs = bitfusionGuest(["/root/.bitfusion/client.yaml": "old", "/root/.bitfusion/servers.conf": "10.0.0.9\n"])
        // The first enrollment leaves files it did not write alone.
        let first = try BitfusionClientStep().plan(context(clientSpec(token: "tok-1"), fs))
        #expect(first.changes.map(\.path) == [BitfusionClientStep.recordPath])
        try PlanApplier(fs: fs, runner: nil).apply(first.changes) { _, _ in }
        // A new token (the client was re-enabled in the plugin): the guide's rm of both files.
        let again = try BitfusionClientStep().plan(context(clientSpec(token: "tok-2"), fs))
        #expect(
            again.changes.prefix(2) == [
                .delete(step: "bitfusion-client", path: "/root/.bitfusion/client.yaml", home: UserHome(owner: .root, directory: "/root")),
                .delete(step: "bitfusion-client", path: "/root/.bitfusion/servers.conf", home: UserHome(owner: .root, directory: "/root")),
            ])
    }

    @Test func reenableWithNothingToEnrollFromRemovesNothing() throws {
        let fs = bitfusionGuest(["/root/.bitfusion/client.yaml": "old"])
        #expect {
            _ = try BitfusionClientStep(force: true).plan(context(GuestSpec(), fs))
        } throws: { "\($0)".contains("nothing to enroll from") && "\($0)".contains(PropertyKeys.clientAccessToken) }
    }
}

@Suite struct SecretsClearStepTests {
    static let environment = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Environment xmlns="http://schemas.dmtf.org/ovf/environment/1" xmlns:oe="http://schemas.dmtf.org/ovf/environment/1">
          <PropertySection>
            <Property oe:key="guestinfo.bitfusion.host.hostname" oe:value="client-01"/>
            <Property oe:key="guestinfo.bitfusion.client.accesstoken" oe:value="tok-in-ovf-7a6b"/>
          </PropertySection>
        </Environment>

        """

    @Test func aTokenUsedWithAnArchiveIsClearedFromGuestinfoAndTheOVFEnvironment() throws {
        let guestinfo = GuestinfoSecrets(
            direct: [PropertyKeys.clientAccessToken], inOVFEnvironment: [PropertyKeys.clientAccessToken],
            ovfEnvironment: Self.environment)
        let plan = try SecretsClearStep().plan(
            StepContext(spec: clientSpec(token: "tok-in-ovf-7a6b", archive: sampleArchive()), fs: bitfusionGuest(), onHost: false, guestinfo: guestinfo))
        #expect(plan.changes.count == 2)
        #expect(plan.changes[0] == .run(step: "secrets-clear", ["vmware-rpctool", "info-set guestinfo.bitfusion.client.accesstoken"]))
        guard case .run(let argv) = plan.changes[1].action else { Issue.record("no ovfEnv write"); return }
        #expect(argv[1].hasPrefix("info-set guestinfo.ovfEnv <?xml"))
        #expect(!argv[1].contains("tok-in-ovf-7a6b"))
        #expect(argv[1].contains("oe:value=\"client-01\""))
    }

    @Test func aTokenTheClientHasNotUsedYetStays() throws {
        let guestinfo = GuestinfoSecrets(direct: [PropertyKeys.clientAccessToken])
        let plan = try SecretsClearStep().plan(
            StepContext(spec: clientSpec(token: "tok"), fs: bitfusionGuest(), onHost: false, guestinfo: guestinfo))
        #expect(plan.changes.isEmpty)
        #expect(plan.diagnostics.contains { $0.key == PropertyKeys.clientAccessToken && $0.message.contains("until the Bitfusion client has enrolled") })
        let enrolled = try SecretsClearStep().plan(
            StepContext(
                spec: clientSpec(token: "tok"), fs: bitfusionGuest(["/root/.bitfusion/client.yaml": "x"]), onHost: false,
                guestinfo: guestinfo))
        #expect(enrolled.changes == [.run(step: "secrets-clear", ["vmware-rpctool", "info-set guestinfo.bitfusion.client.accesstoken"])])
    }

    @Test func clearSecretsOffKeepsThem() throws {
        var spec = clientSpec(token: "tok", archive: sampleArchive())
        spec.clearSecrets = false
        let plan = try SecretsClearStep().plan(
            StepContext(spec: spec, fs: bitfusionGuest(), onHost: false, guestinfo: GuestinfoSecrets(direct: [PropertyKeys.clientAccessToken])))
        #expect(plan.changes.isEmpty)
        #expect(plan.diagnostics.first?.key == PropertyKeys.clearSecrets)
    }

    @Test func theVCenterPasswordIsClearedOnceChecked() throws {
        var spec = GuestSpec()
        spec.server = ServerEnrollment(
            vcenterGUID: "11111111-2222-3333-4444-555555555555", vcenterURL: "https://vc.example", username: "u", password: Secret("p"))
        let plan = try SecretsClearStep().plan(
            StepContext(spec: spec, fs: bitfusionGuest(), onHost: false, guestinfo: GuestinfoSecrets(direct: [PropertyKeys.vcenterPassword])))
        #expect(plan.changes == [.run(step: "secrets-clear", ["vmware-rpctool", "info-set guestinfo.bitfusion.server.vcenter-password"])])
    }
}

/// A TLS probe that answers from a table.
struct TableTLSProbe: TLSEndpointProbe {
    var answers: [String: TLSEndpointResult]
    func probe(host: String, port: Int, caFile: String, timeout: Double) -> TLSEndpointResult {
        answers["\(host):\(port)"] ?? .refused("connection refused")
    }
}

@Suite struct BitfusionClientCheckStepTests {
    @Test func theGuidesSymptomsBecomeFindingsWithTheirFix() throws {
        let fs = bitfusionGuest([
            "/root/.bitfusion/servers.conf": "10.0.0.5\n10.0.0.6:56003\n10.0.0.7 56001\n",
            "/etc/bitfusion/tls/ca.crt": "-----BEGIN CERTIFICATE-----\n",
        ])
        let probe = TableTLSProbe(answers: [
            "10.0.0.5:56001": .trusted, "10.0.0.6:56003": .unknownAuthority("unable to get local issuer certificate"),
        ])
        let plan = try BitfusionClientCheckStep().plan(StepContext(spec: clientSpec(token: "t"), fs: fs, onHost: true, tlsProbe: probe))
        #expect(plan.changes.isEmpty)
        #expect(plan.diagnostics[0].message.contains("1 of 3"))
        let unknown = plan.diagnostics.first { $0.message.contains("10.0.0.6:56003") }
        #expect(unknown?.severity == .error)
        #expect(unknown?.message.contains("x509: certificate signed by unknown authority") == true)
        #expect(unknown?.message.contains("guestprep reenable-client") == true)
        #expect(plan.diagnostics.first { $0.message.contains("10.0.0.7:56001") }?.severity == .warning)
    }

    @Test func withoutServersConfThereIsNothingToCheck() throws {
        let plan = try BitfusionClientCheckStep().plan(
            StepContext(spec: clientSpec(token: "t"), fs: bitfusionGuest(), onHost: true, tlsProbe: TableTLSProbe(answers: [:])))
        #expect(plan.diagnostics.map(\.severity) == [.info])
    }
}

/// A vCenter verifier that answers one way.
struct FixedVCenterVerifier: VCenterVerifier {
    var outcome: Result<VCenterIdentity, VCenterError>
    func verify(_ check: VCenterCheck) throws(VCenterError) -> VCenterIdentity { try outcome.get() }
}

@Suite struct VCenterVerifyStepTests {
    func spec(password: String? = "S3cret!pw") -> GuestSpec {
        var spec = GuestSpec()
        spec.server = ServerEnrollment(
            vcenterGUID: "11111111-2222-3333-4444-555555555555", vcenterURL: "https://vc.example", username: "administrator@vsphere.local",
            password: password.map(Secret.init), thumbprint: String(repeating: "ab", count: 32))
        return spec
    }

    @Test func aPassingCheckIsReported() throws {
        let verifier = FixedVCenterVerifier(outcome: .success(VCenterIdentity(fullName: "VMware vCenter Server 8.0", instanceUUID: "11111111-2222-3333-4444-555555555555")))
        let plan = try VCenterVerifyStep().plan(StepContext(spec: spec(), fs: bitfusionGuest(), onHost: true, vcenterVerifier: verifier))
        #expect(plan.diagnostics.first?.message.contains("VMware vCenter Server 8.0") == true)
    }

    @Test func aFailureStopsTheStepWithTheVerifiersWords() throws {
        let verifier = FixedVCenterVerifier(outcome: .failure(.invalidLogin(username: "administrator@vsphere.local")))
        #expect {
            _ = try VCenterVerifyStep().plan(StepContext(spec: spec(), fs: bitfusionGuest(), onHost: true, vcenterVerifier: verifier))
        } throws: { "\($0)".contains(PropertyKeys.vcenterPassword) && !"\($0)".contains("S3cret!pw") }
    }

    @Test func aMissingPasswordIsAnErrorBeforeTheFirstCheck() throws {
        #expect {
            _ = try VCenterVerifyStep().plan(StepContext(spec: spec(password: nil), fs: bitfusionGuest(), onHost: true))
        } throws: { "\($0)".contains(PropertyKeys.vcenterPassword) }
    }
}

@Suite struct BitfusionServerCheckStepTests {
    @Test func dataNICsBelow4096AndALowNofileAreWarnings() throws {
        var spec = GuestSpec()
        spec.nics[1] = NICSpec(index: 2, configure: true, mtu: 1500)
        let fs = bitfusionGuest([
            "/proc/self/limits": "Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 524288               files     \n"
        ])
        let plan = try BitfusionServerCheckStep().plan(StepContext(spec: spec, fs: fs, onHost: false))
        #expect(plan.diagnostics.contains { $0.key == PropertyKeys.nic(2, .mtu) && $0.severity == .warning })
        #expect(plan.diagnostics.contains { $0.message.contains("nofile limit of 1024") })
        // No GPU at all: the doctor's critical finding is an error.
        #expect(plan.diagnostics.contains { $0.severity == .error })
    }

    @Test func theSoftNofileIsRead() {
        #expect(BitfusionServerCheckStep.softNofile("Max open files            4096                 4096                 files\n") == 4096)
        #expect(BitfusionServerCheckStep.softNofile("Max open files            unlimited            unlimited            files\n") == nil)
    }
}
