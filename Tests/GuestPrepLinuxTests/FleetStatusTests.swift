import Foundation
import Testing

/// contrib/fleet-status against the vCenter simulator: the simulated VMs get guestprep's
/// guestinfo keys in their extraConfig (vcsim-lite -extra-config, as `govc vm.change -e` or the
/// guest's `vmware-rpctool info-set` would leave them), and the script must read them back over
/// SOAP with TLS verified against the test CA, as a table and as JSON, with the exit status
/// the fleet's state calls for.
@Suite struct FleetStatusTests {
    static let python = "/usr/bin/python3"
    static let canRun =
        FileManager.default.isExecutableFile(atPath: python) && TestCertificates.executable != nil && VCSimServer.buildable
    static let cannotRun: Comment =
        "needs /usr/bin/python3, the openssl CLI and vcsim-lite (the Go toolchain: golang-go and golang-github-vmware-govmomi-dev, or root with apt-get to install them)"

    static let script = VCSimServer.packageRoot + "/contrib/fleet-status"

    static let healthy = #"{"at":"2026-12-05T10:00:00Z","boot":"b1","guestprep":"0.1.0","instance":"24e0b41c784f814a","outcome":"done","stage":"main","version":1}"#
    static let failed = #"{"at":"2026-12-05T10:01:00Z","guestprep":"0.1.0","instance":"9a1b","key":"guestinfo.bitfusion.host.net2.mtu","outcome":"failed","stage":"main","step":"network","version":1}"#

    /// A simulator whose VMs hold: DC0_H0_VM0 provisioned and healthy; DC0_H0_VM1 failed in
    /// its network step, health critical; DC0_C0_RP0_VM0 a status that is not JSON;
    /// DC0_C0_RP0_VM1 no guestprep keys.
    private final class Fleet {
        let directory = TemporaryDirectory()
        let authority: TestPKI.Issued
        let server: VCSimServer

        init() throws {
            let pki = TestPKI(in: directory.path)
            authority = try pki.authority("fleet-ca")
            let certificate = try pki.server("vcenter", subjectAltName: "IP:127.0.0.1, DNS:localhost", signedBy: authority)
            let options: [String: [String: String]] = [
                "DC0_H0_VM0": [
                    "guestinfo.guestprep.status": FleetStatusTests.healthy, "guestinfo.guestprep.ready": "true",
                    "guestinfo.guestprep.health": "ok", "guestinfo.bitfusion.host.hostname": "gpu-01",
                ],
                "DC0_H0_VM1": [
                    "guestinfo.guestprep.status": FleetStatusTests.failed, "guestinfo.guestprep.ready": "false",
                    "guestinfo.guestprep.health": "critical",
                ],
                "DC0_C0_RP0_VM0": ["guestinfo.guestprep.status": "{not json", "guestinfo.guestprep.ready": "false"],
            ]
            let file = directory.path + "/extra-config.json"
            try JSONSerialization.data(withJSONObject: options).write(to: URL(fileURLWithPath: file))
            server = try VCSimServer(
                directory: directory.path, certificate: certificate.certificate, key: certificate.key,
                uuid: "5f3c2a10-8b7e-4d2a-9c61-0e4f7a9b3d21", arguments: ["-extra-config", file])
        }

        func run(_ arguments: [String], password: String = VCSimServer.password) throws -> (status: Int32, stdout: String, stderr: String) {
            try FleetStatusTests.run(arguments, password: password)
        }

        var common: [String] { [server.origin, "--user", VCSimServer.username, "--password-env", "VC_PASSWORD"] }
    }

    /// Runs the script with the password in the environment only.
    static func run(_ arguments: [String], password: String = VCSimServer.password) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        process.environment = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "VC_PASSWORD": password]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test(.enabled(if: canRun, cannotRun))
    func theTableListsEachVMWithItsStatusAndHealth() throws {
        let fleet = try Fleet()
        let result = try fleet.run(fleet.common + ["--ca-file", fleet.authority.certificate])
        // A VM not ready, or critical: exit 3.
        #expect(result.status == 3, "stderr: \(result.stderr)")
        #expect(
            result.stdout == """
                VM              READY  HEALTH    STAGE  OUTCOME  STEP     KEY                                AT                    GUESTPREP
                DC0_C0_RP0_VM0  false  -         -      -        -        -                                  -                     -
                DC0_C0_RP0_VM1  -      -         -      -        -        -                                  -                     -
                DC0_H0_VM0      true   ok        main   done     -        -                                  2026-12-05T10:00:00Z  0.1.0
                DC0_H0_VM1      false  critical  main   failed   network  guestinfo.bitfusion.host.net2.mtu  2026-12-05T10:01:00Z  0.1.0
                DC0_C0_RP0_VM0: guestinfo.guestprep.status is not a JSON object: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)

                """)
        #expect(!result.stdout.contains(VCSimServer.password) && !result.stderr.contains(VCSimServer.password))
    }

    @Test(.enabled(if: canRun, cannotRun))
    func jsonCarriesTheStatusDocumentAndOnlyGuestprepVMs() throws {
        let fleet = try Fleet()
        let result = try fleet.run(fleet.common + ["--ca-file", fleet.authority.certificate, "--json", "--only-guestprep"])
        #expect(result.status == 3, "stderr: \(result.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(document["version"] as? Int == 1)
        #expect(document["vcenter"] as? String == fleet.server.origin + "/sdk")
        let vms = document["vms"] as? [[String: Any]] ?? []
        #expect(vms.map { $0["vm"] as? String } == ["DC0_C0_RP0_VM0", "DC0_H0_VM0", "DC0_H0_VM1"])
        let healthy = vms.first { $0["vm"] as? String == "DC0_H0_VM0" } ?? [:]
        #expect(healthy["ready"] as? String == "true")
        #expect(healthy["health"] as? String == "ok")
        let status = healthy["status"] as? [String: Any] ?? [:]
        #expect(status["instance"] as? String == "24e0b41c784f814a")
        #expect(status["outcome"] as? String == "done")
        let broken = vms.first { $0["vm"] as? String == "DC0_C0_RP0_VM0" } ?? [:]
        #expect((broken["problem"] as? String)?.hasPrefix("guestinfo.guestprep.status is not a JSON object") == true)
    }

    @Test(.enabled(if: canRun, cannotRun))
    func aHealthyFleetExitsZero() throws {
        // One VM with guestprep's keys, ready and ok; the others have none and do not count.
        let directory = TemporaryDirectory()
        let pki = TestPKI(in: directory.path)
        let authority = try pki.authority("one-ca")
        let certificate = try pki.server("vcenter", subjectAltName: "IP:127.0.0.1", signedBy: authority)
        let file = directory.path + "/extra-config.json"
        try JSONSerialization.data(withJSONObject: [
            "DC0_H0_VM0": ["guestinfo.guestprep.ready": "true", "guestinfo.guestprep.health": "ok"]
        ]).write(to: URL(fileURLWithPath: file))
        let server = try VCSimServer(
            directory: directory.path, certificate: certificate.certificate, key: certificate.key,
            uuid: "5f3c2a10-8b7e-4d2a-9c61-0e4f7a9b3d22", arguments: ["-extra-config", file])
        let result = try Self.run([server.origin, "--user", VCSimServer.username, "--password-env", "VC_PASSWORD", "--ca-file", authority.certificate])
        #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(result.stdout.contains("DC0_H0_VM0      true   ok"))
    }

    @Test(.enabled(if: canRun, cannotRun))
    func tlsIsVerifiedUnlessInsecure() throws {
        let fleet = try Fleet()
        // The test CA is not the system's: refused, exit 1, naming the reason.
        let refused = try fleet.run(fleet.common)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("CERTIFICATE_VERIFY_FAILED"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        let insecure = try fleet.run(fleet.common + ["--insecure"])
        #expect(insecure.status == 3, "\(insecure.stderr)")
        #expect(insecure.stdout.hasPrefix("VM "))
    }

    @Test(.enabled(if: canRun, cannotRun))
    func aWrongPasswordIsALoginFailureAndThePasswordNeverAnArgument() throws {
        let fleet = try Fleet()
        let wrong = try fleet.run(fleet.common + ["--ca-file", fleet.authority.certificate], password: "not-the-password")
        #expect(wrong.status == 1)
        #expect(wrong.stderr.hasPrefix("fleet-status: Login: "), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains("not-the-password"))
        // There is no option to give it on the command line.
        let argv = try fleet.run(fleet.common + ["--password", "x"])
        #expect(argv.status == 2)
        #expect(argv.stderr.contains("unrecognized arguments: --password"), "\(argv.stderr)")
        let unset = try fleet.run([fleet.server.origin, "--user", "u", "--password-env", "NOT_SET_ANYWHERE"])
        #expect(unset.status == 2)
        #expect(unset.stderr.contains("$NOT_SET_ANYWHERE, which is not set"), "\(unset.stderr)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python), "needs /usr/bin/python3"))
    func helpSaysWhereThePasswordComesFrom() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Self.script, "--help"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let help = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let words = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("--insecure"))
        #expect(words.contains("--ca-file PEM"))
        #expect(words.contains("never from the command line"))
    }
}
