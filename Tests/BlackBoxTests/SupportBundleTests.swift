import Foundation
import Testing

/// `guestprep support-bundle` on a fixture root where a token and a password are planted in
/// every place they can be: the OVF environment (a property source), root's client.yaml, the
/// state, a network file guestprep wrote, /etc/default/guestprep and the kernel log. The bundle
/// is unpacked with Python's tarfile, not with guestprep's own reader, and neither secret may be
/// in any member; the files that held them must be there, scrubbed, and the manifest's SHA-256s
/// must be those of the members. (A journal line is planted in SupportBundleCollectorTests: no
/// program runs on a fixture root.)
@Suite struct SupportBundleTests {
    static let python = "/usr/bin/python3"
    static let canRun = getuid() == 0 && FileManager.default.isExecutableFile(atPath: python)
    static let cannotRun: Comment =
        "needs root (the client.yaml below /root must be root's, as readUnderHome checks) and /usr/bin/python3 (tarfile unpacks the bundle)"

    static let token = "tok-PLANTED-9d8c7b6a"
    static let password = "Pw-PLANTED-1a2b3c4d"
    static let yamlToken = "bf-client-credential-PLANTED-55"
    static let secrets = [token, password, yamlToken]

    /// The fixture root, and the OVF environment outside it.
    private func plant(in scratch: TemporaryDirectory) throws -> (root: URL, ovf: URL) {
        let root = scratch.url.appendingPathComponent("root")
        func write(_ path: String, _ text: String, mode: Int = 0o644) throws {
            let url = root.appendingPathComponent(String(path.dropFirst()))
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        }
        try write("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
        try write("/etc/group", "root:x:0:\n")
        try write("/etc/hostname", "gpu-node-07\n")
        try write("/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nID=debian\n")
        try write("/proc/sys/kernel/osrelease", "6.12.48+deb13-amd64\n")
        try write("/root/.bitfusion/client.yaml", "user: bitfusion-client-7f3a\ntoken: \(Self.yamlToken)\n", mode: 0o600)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o700], ofItemAtPath: root.appendingPathComponent("root/.bitfusion").path)
        try write(
            "/var/lib/guestprep/state.json",
            """
            {"schemaVersion": 1, "identity": {"macs": []}, "steps": {"bitfusion-client": {"at": "2026-12-05T05:00:00Z",
            "identity": "24e0b41c784f814a", "status": "failed", "changes": 0,
            "message": "login refused for \(Self.password), token \(Self.yamlToken), credential=\(Self.token)"}}}
            """, mode: 0o600)
        try write(
            "/etc/systemd/network/10-guestprep-net1.network",
            "[Match]\nName=ens192\n[Network]\nAddress=10.20.30.41/24\n# \(Self.token) \(Self.password)\n")
        try write("/etc/default/guestprep", "GUESTPREP_ARGS=\"--source vmware\"\nVCENTER_PASSWORD=\(Self.password)\nclient.token \(Self.token)\n")
        try write("/etc/modprobe.d/blacklist-nouveau.conf", "blacklist nouveau\noptions nouveau modeset=0\n")
        try write(
            "/dev/kmsg",
            "6,1,100,-;NVRM: Xid (PCI:0000:3b:00): 79, pid=1, GPU has fallen off the bus. \(Self.token) password=\(Self.password)\n"
                + "6,2,101,-;usb 1-1: new high-speed USB device\n")
        let ovf = scratch.url.appendingPathComponent("ovf-env.xml")
        try """
            <?xml version="1.0" encoding="UTF-8"?>
            <Environment xmlns="http://schemas.dmtf.org/ovf/environment/1" xmlns:oe="http://schemas.dmtf.org/ovf/environment/1">
               <PropertySection>
                     <Property oe:key="guestinfo.bitfusion.host.hostname" oe:value="gpu-node-07"/>
                     <Property oe:key="guestinfo.bitfusion.server.vcenter-password" oe:value="\(Self.password)"/>
                     <Property oe:key="guestinfo.bitfusion.client.accesstoken" oe:value="\(Self.token)"/>
               </PropertySection>
            </Environment>
            """.write(to: ovf, atomically: false, encoding: .utf8)
        return (root, ovf)
    }

    /// The members of the tar.gz at `path` as Python's tarfile reads them: name → (mode, text,
    /// sha256).
    private func unpack(_ path: String) throws -> [String: (mode: Int, text: String, sha256: String)] {
        let script = """
            import hashlib, json, sys, tarfile
            out = {}
            with tarfile.open(sys.argv[1], "r:gz") as archive:
                for member in archive.getmembers():
                    assert member.isfile(), member.name
                    data = archive.extractfile(member).read()
                    out[member.name] = {"mode": member.mode, "text": data.decode("utf-8", "replace"), "sha256": hashlib.sha256(data).hexdigest()}
            json.dump(out, sys.stdout)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-c", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "tarfile could not read \(path)")
        let decoded = try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]] ?? [:]
        return decoded.mapValues { ($0["mode"] as? Int ?? -1, $0["text"] as? String ?? "", $0["sha256"] as? String ?? "") }
    }

    @Test(.enabled(if: canRun, cannotRun))
    func theBundleHoldsNoPlantedSecret() throws {
        let scratch = try TemporaryDirectory()
        let (root, ovf) = try plant(in: scratch)
        let output = scratch.url.appendingPathComponent("bundle.tar.gz").path
        let result = try GuestPrepBinary.run(["support-bundle", "--root", root.path, "--source", "ovf:" + ovf.path, "--output", output])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.hasPrefix(output + "\n"), "\(result.stdout)")
        for secret in Self.secrets { #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret)) }
        let attributes = try FileManager.default.attributesOfItem(atPath: output)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let members = try unpack(output)
        let top = "guestprep-support-bundle/"
        for (name, member) in members {
            #expect(name.hasPrefix(top))
            #expect(member.mode == 0o600, "\(name)")
            for secret in Self.secrets { #expect(!member.text.contains(secret), "\(secret) in \(name)") }
        }
        // Where the secrets were, the bundle holds the file, scrubbed.
        let text = { (name: String) in members[top + name]?.text ?? "(missing)" }
        #expect(text("files/etc/default/guestprep") == "GUESTPREP_ARGS=\"--source vmware\"\nVCENTER_PASSWORD=<redacted>\nclient.token <redacted>\n")
        #expect(text("files/etc/systemd/network/10-guestprep-net1.network").hasSuffix("Address=10.20.30.41/24\n# <redacted> <redacted>\n"))
        #expect(text("kernel-log.txt") == "6,1,100,-;NVRM: Xid (PCI:0000:3b:00): 79, pid=1, GPU has fallen off the bus. <redacted> password=<redacted>\n")
        #expect(text("files/var/lib/guestprep/state.json").contains("<redacted>"))
        #expect(text("reports/status.txt").contains("login refused for <redacted>, token <redacted>, credential=<redacted>"))
        #expect(text("files/etc/modprobe.d/blacklist-nouveau.conf") == "blacklist nouveau\noptions nouveau modeset=0\n")
        #expect(text("files/proc/sys/kernel/osrelease") == "6.12.48+deb13-amd64\n")
        #expect(members[top + "reports/status.json"] != nil && members[top + "reports/doctor.json"] != nil)
        #expect(members[top + "reports/health.json"] != nil)
        // The client.yaml is read for its token, never packed.
        #expect(!members.keys.contains { $0.contains("client.yaml") })

        // The manifest: each member's SHA-256 as Python computes it, and what is absent and why.
        let manifestData = Data(text("manifest.json").utf8)
        let manifest = try JSONSerialization.jsonObject(with: manifestData) as? [String: Any] ?? [:]
        let files = manifest["files"] as? [[String: Any]] ?? []
        #expect(files.count == members.count - 1)
        for file in files {
            let name = file["name"] as? String ?? ""
            #expect(file["sha256"] as? String == members[top + name]?.sha256, "\(name)")
        }
        let absent = manifest["absent"] as? [[String: String]] ?? []
        #expect(absent.contains { $0["item"] == "lspci -vvv" && $0["reason"] == "--root is not /: no program runs" })
        #expect(absent.contains { $0["item"]?.hasPrefix("journalctl ") == true })
        #expect(absent.contains { $0["item"] == "/proc/version" && $0["reason"] == "does not exist" })
    }

    @Test(.enabled(if: canRun, cannotRun))
    func theDefaultFileIsUnderTheRootsStateDirectory() throws {
        let scratch = try TemporaryDirectory()
        let (root, ovf) = try plant(in: scratch)
        let result = try GuestPrepBinary.run(["support-bundle", "--root", root.path, "--source", "ovf:" + ovf.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let directory = root.appendingPathComponent("var/lib/guestprep").path
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("support-bundle-") }
        #expect(names.count == 1)
        let name = names.first ?? ""
        #expect(name.hasPrefix("support-bundle-gpu-node-07-2") && name.hasSuffix("Z.tar.gz"), "\(name)")
        #expect(result.stdout.hasPrefix("/var/lib/guestprep/\(name)\n"), "\(result.stdout)")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + name)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // No temporary file is left beside it; the bundle's health report keeps its figures for
        // the next health run in health.json, as every health run does.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["health.json", "state.json", name].sorted())
    }

    @Test func theHelpSaysWhereTheBundleGoesAndWhatIsScrubbed() throws {
        let result = try GuestPrepBinary.run(["support-bundle", "--help"])
        #expect(result.status == 0)
        let help = result.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
        #expect(help.contains("/var/lib/guestprep/support-bundle-HOST-TIME.tar.gz"))
        #expect(help.contains("<redacted>"))
        #expect(help.contains("--output <FILE>"))
    }
}
