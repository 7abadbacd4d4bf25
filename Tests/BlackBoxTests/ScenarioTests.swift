import Foundation
import Testing

/// Multi-invocation scenarios against the built binary on a copy of the bundled demo root.
@Suite struct ScenarioTests {
    static let secret = "Demo-S3cret!"

    /// A fresh copy of demo/root and the demo's ovf-env.xml argument.
    func demo() throws -> (TemporaryDirectory, String, [String]) {
        let scratch = try TemporaryDirectory()
        let root = try scratch.copy(GuestPrepBinary.packageRoot.appendingPathComponent("demo/root"), to: "root")
        let source = ["--source", "ovf:" + GuestPrepBinary.packageRoot.appendingPathComponent("demo/ovf-env.xml").path]
        return (scratch, root.path, source)
    }

    @Test func aSecondRunPlansZeroChanges() throws {
        let (scratch, root, source) = try demo()
        _ = scratch
        let first = try GuestPrepBinary.run(["run", "--json", "--root", root] + source)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("\"action\" : \"write\""))
        let plan = try GuestPrepBinary.run(["plan", "--json", "--root", root] + source)
        #expect(plan.status == 0)
        let document = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        #expect((document?["changes"] as? [Any])?.isEmpty == true, "second plan: \(plan.stdout)")
        let text = try GuestPrepBinary.run(["run", "--root", root] + source)
        #expect(text.stdout.contains("nothing to do"), "\(text.stdout)")
    }

    @Test func aCloneProvisionsAgain() throws {
        let (scratch, root, source) = try demo()
        _ = scratch
        #expect(try GuestPrepBinary.run(["run", "--root", root] + source).status == 0)
        // Clone: the template's files drift, then a new UUID and MAC appear.
        try "template\n".write(toFile: root + "/etc/hostname", atomically: true, encoding: .utf8)
        let unchanged = try GuestPrepBinary.run(["plan", "--root", root] + source)
        #expect(unchanged.stdout.contains("no changes"), "same instance: per-instance step stays done\n\(unchanged.stdout)")
        try "4201b3c2-ffff-ffff-ffff-000000000099\n".write(
            toFile: root + "/sys/class/dmi/id/product_uuid", atomically: true, encoding: .utf8)
        let status = try GuestPrepBinary.run(["status", "--root", root])
        #expect(status.stdout.contains("pending (identity changed)"), "\(status.stdout)")
        let rerun = try GuestPrepBinary.run(["run", "--root", root] + source)
        #expect(rerun.status == 0)
        #expect(rerun.stdout.contains("instance identity changed"), "\(rerun.stdout)")
        #expect(try String(contentsOfFile: root + "/etc/hostname", encoding: .utf8) == "bf-server-01\n")
    }

    /// A degraded early stage (net1 fell back to DHCP) exits 1, and `status` says why and what
    /// it means for the main stage; once the property is fixed, the next run is done.
    @Test func aDegradedEarlyStageIsExplainedByStatus() throws {
        let scratch = try TemporaryDirectory()
        let caseDirectory = BlackBoxCase.casesRoot.appendingPathComponent("negative/run-net1-invalid-falls-back-to-dhcp")
        let root = try scratch.copy(caseDirectory.appendingPathComponent("root"), to: "root").path
        let ovf = caseDirectory.appendingPathComponent("ovf-env.xml").path
        let run = try GuestPrepBinary.run(["run", "--stage", "early", "--root", root, "--source", "ovf:" + ovf])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let status = try GuestPrepBinary.run(["status", "--root", root])
        #expect(status.status == 0)
        #expect(status.stdout.contains("last run: stage early, degraded,"), "\(status.stdout)")
        #expect(status.stdout.contains("\n  not as specified: net1 fell back to DHCP\n"), "\(status.stdout)")
        #expect(status.stdout.contains("the main stage does not start until the early stage succeeds"), "\(status.stdout)")
        let json = try GuestPrepBinary.run(["status", "--json", "--root", root])
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let lastRun = document?["lastRun"] as? [String: Any]
        #expect(lastRun?["reasons"] as? [String] == ["net1 fell back to DHCP"], "\(json.stdout)")

        // The gateway fixed: the same stage is done, and status no longer explains anything.
        let fixed = scratch.url.appendingPathComponent("fixed.env")
        try "guestinfo.bitfusion.host.net1.gateway=10.1.0.1\n".write(to: fixed, atomically: true, encoding: .utf8)
        let rerun = try GuestPrepBinary.run(
            ["run", "--stage", "early", "--root", root, "--source", "ovf:" + ovf, "--source", "file:" + fixed.path])
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        let after = try GuestPrepBinary.run(["status", "--root", root])
        #expect(after.stdout.contains("last run: stage early, done,"), "\(after.stdout)")
        #expect(!after.stdout.contains("not as specified"), "\(after.stdout)")
    }

    /// nouveau loaded under a fixture root: nothing is unloaded there, so the run reboots, and
    /// `status` and the doctor say why (issue 21).
    @Test func statusAndTheDoctorSayWhyNouveauNeededAReboot() throws {
        let scratch = try TemporaryDirectory()
        let caseDirectory = BlackBoxCase.casesRoot.appendingPathComponent("positive/run-nouveau-debian-loaded-reboots")
        let root = try scratch.copy(caseDirectory.appendingPathComponent("root"), to: "root").path
        let props = caseDirectory.appendingPathComponent("props.env").path
        let run = try GuestPrepBinary.run(["run", "--profile", "gpu-passthrough", "--root", root, "--source", "file:" + props])
        #expect(run.status == 3, "\(run.stdout)\(run.stderr)")
        let why = "nouveau could not be unloaded: nothing is unloaded under a root other than /"
        let status = try GuestPrepBinary.run(["status", "--root", root])
        #expect(status.stdout.contains("\n      reboot needed because \(why)\n"), "\(status.stdout)")
        #expect(status.stdout.contains(" because \(why)\n"), "\(status.stdout)")
        #expect(status.stdout.contains("reboot pending: step nouveau asked at "), "\(status.stdout)")
        let json = try GuestPrepBinary.run(["status", "--json", "--root", root])
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let nouveau = (document?["steps"] as? [[String: Any]])?.first { $0["step"] as? String == "nouveau" }
        let reboot = nouveau?["reboot"] as? [String: Any]
        #expect(reboot?["needed"] as? Bool == true && reboot?["because"] as? String == why, "\(json.stdout)")
        #expect((document?["pendingReboot"] as? [String: Any])?["reason"] as? String == why, "\(json.stdout)")
        let doctor = try GuestPrepBinary.run(["doctor", "--root", root])
        #expect(doctor.stdout.contains("nouveau-reboot"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("because \(why)"), "\(doctor.stdout)")
    }

    /// Every bundled role profile configures the hostname and the network: a profile chosen by
    /// `--profile` (or `guestinfo.guestprep.profile`) must not silently skip the NIC files.
    @Test(arguments: ["bitfusion-server", "bitfusion-client", "gpu-passthrough"])
    func everyBundledProfilePlansTheHostnameAndTheNetwork(_ profile: String) throws {
        let (scratch, root, source) = try demo()
        _ = scratch
        let plan = try GuestPrepBinary.run(["plan", "--profile", profile, "--root", root] + source)
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("hostname: write /etc/hostname"), "\(plan.stdout)")
        #expect(plan.stdout.contains("network: write /etc/systemd/network/10-guestprep-net1.network"), "\(plan.stdout)")
        // The GPU roles keep nouveau off their GPUs; a Bitfusion client has none.
        let nouveau = plan.stdout.contains("nouveau: run update-initramfs -u -k all")
        #expect(nouveau == (profile != "bitfusion-client"), "\(plan.stdout)")
    }

    @Test func secretsReachNoOutputAndNoFile() throws {
        let (scratch, root, source) = try demo()
        let token = "tok-ABCDEF-0123456789"
        let extra = scratch.url.appendingPathComponent("client.env")
        try "guestinfo.bitfusion.client.accesstoken=\(token)\n".write(to: extra, atomically: true, encoding: .utf8)
        let sources = source + ["--source", "file:" + extra.path]
        var outputs: [String] = []
        for command in [["properties"], ["properties", "--json"], ["validate"], ["plan"], ["plan", "--json"], ["run", "--json"], ["status"], ["status", "--json"]] {
            let usesSources = command[0] != "status"
            let result = try GuestPrepBinary.run(command + ["--root", root] + (usesSources ? sources : []))
            #expect(result.status == 0, "\(command): \(result.stderr)")
            outputs += [result.stdout, result.stderr]
        }
        for output in outputs {
            #expect(!output.contains(Self.secret))
            #expect(!output.contains(token))
        }
        #expect(outputs.joined().contains("<redacted>"))
        for (path, data) in TemporaryDirectory.snapshot(URL(fileURLWithPath: root)) {
            let text = String(decoding: data, as: UTF8.self)
            #expect(!text.contains(Self.secret) && !text.contains(token), "\(path) holds a secret")
        }
        let state = root + "/var/lib/guestprep/state.json"
        let attributes = try FileManager.default.attributesOfItem(atPath: state)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func noExternalProgramRunsUnderAFixtureRoot() throws {
        let (scratch, root, source) = try demo()
        _ = scratch
        let result = try GuestPrepBinary.run(["run", "--json", "--root", root] + source)
        #expect(result.stdout.contains("\"processesStarted\" : 0"))
        #expect(result.stdout.contains("\"status\" : \"not-run\""), "the hostname command is listed, not run")
    }

    @Test func helpListsExactlyTheWorkingSubcommands() throws {
        let help = try GuestPrepBinary.run(["--help"])
        #expect(help.status == 0)
        for name in ["run", "plan", "properties", "validate", "status", "clean"] {
            #expect(help.stdout.contains("  \(name) "), "--help lacks \(name)")
            let sub = try GuestPrepBinary.run([name, "--help"])
            #expect(sub.status == 0 && sub.stdout.contains("--root"), "\(name) --help")
        }
        let bad = try GuestPrepBinary.run(["run", "--no-such-flag"])
        #expect(bad.status == 2, "usage errors exit 2, not 64")
        #expect(bad.stderr.contains("--no-such-flag"))
        let stage = try GuestPrepBinary.run(["plan", "--stage", "late"])
        #expect(stage.status == 2)
    }

    /// The shared options are declared once (Options.swift): each reads the same in every
    /// subcommand that takes it, and only those take it.
    @Test func sharedOptionsReadTheSameWhereverTheyAreTaken() throws {
        // The lines of `--help` from an option's own line to the next option.
        func paragraph(_ option: String, in help: String) -> String? {
            let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
            guard let start = lines.firstIndex(where: { $0.hasPrefix("  \(option) ") }) else { return nil }
            let rest = lines[(start + 1)...].prefix { $0.hasPrefix("                 ") }
            return ([lines[start]] + rest).joined(separator: "\n")
        }
        let takes: [String: Set<String>] = [
            "--root": ["run", "plan", "properties", "validate", "status", "doctor", "clean", "reenable-client", "revoke-client"],
            "--source": ["run", "plan", "properties", "validate", "reenable-client", "revoke-client"],
            "--json": ["run", "plan", "properties", "validate", "status", "doctor", "clean", "reenable-client", "revoke-client"],
            "--stage": ["run", "plan"],
            "--profile": ["run", "plan", "doctor"],
            "--dry-run": ["run", "reenable-client", "revoke-client"],
        ]
        var helps: [String: String] = [:]
        for name in takes["--root"]! {
            let result = try GuestPrepBinary.run([name, "--help"])
            #expect(result.status == 0, "\(name) --help")
            helps[name] = result.stdout
        }
        for (option, commands) in takes {
            var seen: Set<String> = []
            for (name, help) in helps {
                let text = paragraph(option, in: help)
                #expect((text != nil) == commands.contains(name), "\(name) --help and \(option)")
                if let text { seen.insert(text) }
            }
            #expect(seen.count == 1, "\(option) reads differently: \(seen)")
        }
        let plan = try GuestPrepBinary.run(["plan", "--dry-run"])
        #expect(plan.status == 2, "plan has no --dry-run")
        #expect(plan.stderr.contains("Unknown option '--dry-run'"))
    }
}
