import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

/// The support bundle's gathering on an in-memory guest with scripted programs: what it runs
/// (argv), what it takes, what it lists as absent and why, and that no secret it knows of —
/// from the properties, a user's client.yaml, the token archive's scratch copy — survives in
/// any file, a journal line included.
@Suite struct SupportBundleCollectorTests {
    static let token = "tok-planted-4f2a9c"
    static let password = "Pw-planted-77e1b0"
    static let yamlToken = "bf-client-credential-planted"

    private func guest() -> InMemoryFileSystem {
        let fs = InMemoryFileSystem([
            "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n",
            "/etc/group": "root:x:0:\nalice:x:1000:\n",
            "/etc/os-release": "ID=debian\nVERSION_ID=\"13\"\n",
            "/proc/version": "Linux version 6.12.0\n",
            "/etc/default/guestprep": "GUESTPREP_SOURCE=vmware\nBITFUSION_TOKEN=\(Self.token)\n",
            "/etc/systemd/network/10-guestprep-net1.network": "[Network]\nAddress=10.0.0.5/24\n# \(Self.password)\n",
            "/etc/systemd/network/99-other.network": "[Network]\nDHCP=yes\n",
            "/etc/modprobe.d/blacklist-nouveau.conf": "blacklist nouveau\noptions nouveau modeset=0\n",
            "/var/lib/guestprep/state.json": "{\n  \"note\" : \"\(Self.yamlToken)\"\n}\n",
            "/dev/kmsg": "6,1,100,-;NVRM: Xid (PCI:0000:3b:00): 79, pid=1, GPU has fallen off the bus. \(Self.token)\n"
                + " SUBSYSTEM=pci\n6,2,101,-;usb 1-1: new device\n6,3,102,-;pci 0000:3b:00.0: BAR 1: assigned\n",
        ])
        fs.setDirectory("/home/alice", owner: FileOwner(user: "alice", group: "alice"))
        fs.setDirectory("/home/alice/.bitfusion", owner: FileOwner(user: "alice", group: "alice"), mode: 0o700)
        fs.setText("/home/alice/.bitfusion/client.yaml", "user: c\ntoken: \(Self.yamlToken)\n", mode: 0o600)
        return fs
    }

    private let properties = PropertySet([
        Property(key: PropertyKeys.clientAccessToken, value: token, source: "test"),
        Property(key: PropertyKeys.vcenterPassword, value: password, source: "test"),
    ])

    private func journal() -> ScriptedProcessRunner {
        ScriptedProcessRunner(installed: ["/usr/bin/journalctl", "/usr/bin/nvidia-smi"]) { executable, _ in
            switch executable {
            case "/usr/bin/journalctl":
                return ProcessResult(
                    status: 0,
                    standardOutput: Array("vm guestprep[1]: info-set guestinfo.bitfusion.client.accesstoken \(Self.token)\nvm guestprep[1]: login \(Self.password)\n".utf8))
            default:
                return ProcessResult(status: 9, standardError: Array("NVIDIA-SMI has failed\n".utf8))
            }
        }
    }

    private func collect(runner: ScriptedProcessRunner?, properties: PropertySet?) -> SupportBundleCollector.Contents {
        let fs = guest()
        let secrets = SupportBundleSecrets.gather(fs: fs, properties: properties)
        let collector = SupportBundleCollector(
            fs: fs, runner: runner,
            runReport: { arguments in ProcessResult(status: 0, standardOutput: Array("report \(arguments.joined(separator: " ")) \(Self.password)\n".utf8)) })
        return collector.collect(secrets: secrets)
    }

    private func file(_ contents: SupportBundleCollector.Contents, _ name: String) -> String? {
        contents.files.first { $0.name == name }.map { String(decoding: $0.content, as: UTF8.self) }
    }

    @Test func noKnownSecretSurvivesInAnyFile() {
        let contents = collect(runner: journal(), properties: properties)
        for file in contents.files {
            let text = String(decoding: file.content, as: UTF8.self)
            for secret in [Self.token, Self.password, Self.yamlToken] {
                #expect(!text.contains(secret), "\(secret) in \(file.name)")
            }
        }
        // The files that held them are in the bundle, scrubbed.
        #expect(file(contents, "programs/journal.txt")?.contains("accesstoken <redacted>") == true)
        #expect(file(contents, "files/etc/systemd/network/10-guestprep-net1.network") == "[Network]\nAddress=10.0.0.5/24\n# <redacted>\n")
        #expect(file(contents, "files/etc/default/guestprep") == "GUESTPREP_SOURCE=vmware\nBITFUSION_TOKEN=<redacted>\n")
        #expect(file(contents, "files/var/lib/guestprep/state.json")?.contains("\"note\" : \"<redacted>\"") == true)
        #expect(file(contents, "reports/status.json") == "report status --json <redacted>\n")
    }

    @Test func theKernelLogKeepsNVRMXidAndPCILines() {
        let contents = collect(runner: journal(), properties: properties)
        #expect(
            file(contents, "kernel-log.txt")
                == "6,1,100,-;NVRM: Xid (PCI:0000:3b:00): 79, pid=1, GPU has fallen off the bus. <redacted>\n6,3,102,-;pci 0000:3b:00.0: BAR 1: assigned\n")
    }

    @Test func theFilesGuestprepWroteAndModprobeD() {
        let names = Set(collect(runner: journal(), properties: properties).files.map(\.name))
        #expect(names.isSuperset(of: [
            "files/etc/systemd/network/10-guestprep-net1.network", "files/etc/modprobe.d/blacklist-nouveau.conf",
            "files/etc/os-release", "files/proc/version", "reports/status.txt", "reports/doctor.json",
        ]))
        // Another tool's network file is not guestprep's.
        #expect(!names.contains("files/etc/systemd/network/99-other.network"))
    }

    @Test func programsRunByArgvAndWhatIsMissingIsSaid() {
        let runner = journal()
        let contents = collect(runner: runner, properties: properties)
        #expect(runner.calls.map(\.executable) == ["/usr/bin/journalctl", "/usr/bin/nvidia-smi"])
        #expect(runner.calls.first?.arguments == [
            "--no-pager", "-o", "short-iso", "-b", "-u", "guestprep-early.service", "-u", "guestprep.service", "-u",
            "guestprep-health.service", "-u", "guestprep-health.timer", "-u", "guestprep-diagnostics@*.service",
        ])
        #expect(contents.absent.contains { $0.item == "lspci -vvv" && $0.reason.hasPrefix("not installed (looked for /usr/bin/lspci") })
        // A program that fails is kept with its exit status and what it said.
        let smi = contents.files.first { $0.name == "programs/nvidia-smi-q.txt" }
        #expect(smi?.exitStatus == 9)
        #expect(smi.map { String(decoding: $0.content, as: UTF8.self) } == "NVIDIA-SMI has failed\n")
    }

    @Test func offTheHostNoProgramRuns() {
        let contents = collect(runner: nil, properties: properties)
        #expect(contents.absent.filter { $0.reason == "--root is not /: no program runs" }.map(\.item).count == SupportBundleCatalog.programs.count)
        #expect(!contents.files.contains { $0.name.hasPrefix("programs/") })
    }

    @Test func withoutThePropertiesTheClientYAMLStillNamesTheToken() {
        // The access token is cleared from guestinfo once used: the user's client.yaml still holds it.
        let secrets = SupportBundleSecrets.gather(fs: guest(), properties: nil)
        #expect(secrets.values.contains(Self.yamlToken))
    }

    @Test func aClientYAMLReachedThroughALinkIsNotRead() {
        let fs = guest()
        fs.setLink("/home/alice/.bitfusion/client.yaml", to: "/etc/shadow")
        let secrets = SupportBundleSecrets.gather(fs: fs, properties: nil)
        #expect(secrets.unreadable.contains { $0.item == "/home/alice/.bitfusion/client.yaml" })
        #expect(!secrets.values.contains(Self.yamlToken))
    }
}
