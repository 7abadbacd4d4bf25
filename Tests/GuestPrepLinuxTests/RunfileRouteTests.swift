#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import GuestPrepLinux
import GuestPrepModel
import Testing

/// The .run route end to end: the engine on a copy of the demo guest (Debian 12, a V100,
/// nouveau loaded), the real downloader against nginx serving a stand-in installer that
/// records its arguments, the real process runner running it.
@Suite(.enabled(if: NginxServer.executable != nil, "needs nginx (apt-get install nginx)"))
struct RunfileRouteTests {
    static let demoRoot: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/demo/root"
    }()
    static let identity = InstanceIdentity(productUUID: "4201-aaaa", macs: ["00:50:56:00:00:01"], instanceID: nil)
    static let installer = "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/../installer-args\"\n"
    static let url = "/NVIDIA-Linux-x86_64-580.95.05.run"

    /// A guest root copied from the demo, with nouveau loaded (so the step reboots instead of
    /// running the host's modprobe), and nginx serving the stand-in.
    func fixture() throws -> (TemporaryDirectory, NginxServer, RootedFileSystem) {
        let directory = TemporaryDirectory()
        let copy = try PosixProcessRunner().run(
            executable: "/bin/cp", arguments: ["-a", Self.demoRoot, directory.file("root")], timeout: 60)
        #expect(copy.status == 0, "\(copy.errorText)")
        directory.write("root/sys/module/nouveau/refcnt", "1\n")
        directory.makeDirectories(directory.file("nginx"))
        let server = try NginxServer(prefix: directory.file("nginx"))
        server.put(String(Self.url.dropFirst()), Array(Self.installer.utf8))
        return (directory, server, RootedFileSystem(root: directory.file("root")))
    }

    func run(_ fs: RootedFileSystem, url: String, sha256: String) throws -> RunReport {
        var spec = GuestSpec(installNvidiaPackages: true)
        spec.driver = DriverRequest(runfile: url, runfileSHA256: sha256)
        let engine = Engine(
            fs: fs, runner: PosixProcessRunner(), clock: FixedClock(), downloader: CurlDownloader())
        return try engine.run(steps: [DriverStep()], spec: spec, identity: Self.identity, stage: .all, dryRun: false)
    }

    @Test func downloadsVerifiesAndRunsTheInstallerSilentlyThenReboots() throws {
        let (directory, server, fs) = try fixture()
        let sha = try sha256sum(server.prefix + "/html" + Self.url)
        let report = try run(fs, url: server.origin + Self.url, sha256: sha)
        #expect(report.outcome == .rebootNeeded(step: "driver"), "\(report.diagnostics)")
        #expect(
            readText(directory.file("root/var/lib/guestprep/installer-args"))
                == "--silent\n--no-questions\n--kernel-module-type=proprietary\n")
        let installed = directory.file("root/var/lib/guestprep/downloads/NVIDIA-Linux-x86_64-580.95.05.run")
        var info = stat()
        #expect(stat(installed, &info) == 0 && info.st_mode & 0o777 == 0o700)
        #expect(server.accessLog().count == 1)
        #expect(report.changes.map(\.change.actionName) == ["download", "run"])
    }

    @Test func aWrongChecksumInstallsNothing() throws {
        let (directory, server, fs) = try fixture()
        let report = try run(fs, url: server.origin + Self.url, sha256: String(repeating: "0", count: 64))
        #expect(report.outcome.name == "failed")
        #expect(report.diagnostics.contains { $0.message.contains("not the 0000000000000000000000000000000000000000000000000000000000000000 expected") })
        #expect(access(directory.file("root/var/lib/guestprep/installer-args"), F_OK) != 0, "the installer must not run")
        #expect(access(directory.file("root/var/lib/guestprep/downloads/NVIDIA-Linux-x86_64-580.95.05.run"), F_OK) != 0)
    }
}
