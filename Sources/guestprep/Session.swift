import ArgumentParser
import GuestPrepConfig
import GuestPrepCore
import GuestPrepLinux
import GuestPrepModel
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The one place that picks the real adapters: a rooted file system, and a process runner
/// only when the root is `/`.
struct Session {
    let root: String
    let fs: RootedFileSystem
    let runner: PosixProcessRunner?
    /// systemd's notification socket on the host (sends nothing outside a notify unit); the
    /// runner extends the unit's start timeout through it around each long program.
    let notifier: any Notifier

    init(root: String) throws {
        var info = stat()
        guard stat(root, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw GuestPrepError.usage("--root \(root): not a directory")
        }
        self.root = root
        fs = RootedFileSystem(root: root)
        notifier = Self.isHostRoot(root) ? SystemdNotifier() : SilentNotifier()
        runner = Self.isHostRoot(root) ? PosixProcessRunner(notifier: notifier) : nil
    }

    /// Whether `root` names the running system's `/`.
    static func isHostRoot(_ root: String) -> Bool {
        root.split(separator: "/").isEmpty
    }

    var onHost: Bool { runner != nil }

    /// Logging to the journal under systemd, to stderr (warnings and worse) otherwise.
    static func bootstrapLogging() {
        LoggingSetup.bootstrap(level: HostEnvironment.stderrIsJournal ? .info : .warning)
    }

    func logger() -> Logger { Logger(label: "guestprep") }

    /// Reads every source in order.
    func loadProperties(_ sources: [SourceSpec]) throws -> LoadedProperties {
        let context = ProviderContext(
            fs: fs, runner: runner, hostFS: RootedFileSystem(root: "/"), workingDirectory: Self.workingDirectory(),
            opticalProbe: onHost ? CDROMDriveProbe() : nil)
        return try LoadedProperties.load(sources, context: context)
    }

    static func workingDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return "/" }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    /// The names of the site's own profiles, /etc/guestprep/profiles/NAME.yaml under the root.
    func localProfiles() -> [String] {
        let names = (try? fs.list("/etc/guestprep/profiles")) ?? nil
        return (names ?? []).filter { $0.hasSuffix(".yaml") && $0.count > 5 }.map { String($0.dropLast(5)) }.sorted()
    }

    /// /etc/guestprep/profiles/NAME.yaml under the root, else the bundled profile.
    func loadProfile(_ name: String) throws -> Profile {
        let local = "/etc/guestprep/profiles/\(name).yaml"
        if let text = try fs.readText(local) {
            return try ProfileDecoder.decode(text, source: local, knownSteps: StepCatalog.ids)
        }
        guard let text = BundledProfiles.all[name] else {
            throw GuestPrepError.usage(
                "unknown profile '\(name)': use one of \(BundledProfiles.all.keys.sorted().joined(separator: ", ")) or add \(local)")
        }
        return try ProfileDecoder.decode(text, source: "profiles/\(name).yaml", knownSteps: StepCatalog.ids)
    }

    /// The engine over this session's adapters.
    func engine(notifier: any Notifier) -> Engine {
        let reporters = ProgressReporters(notifier: notifier)
        return Engine(
            fs: fs, runner: runner, clock: SystemClock(), notifier: notifier, logger: logger(),
            downloader: onHost ? CurlDownloader() : nil,
            downloadProgress: { name, progress in reporters.reporter(for: name).report(progress) },
            driverProbe: onHost ? NVMLProbe(runner: runner) : nil,
            tlsProbe: onHost ? CurlTLSEndpointProbe() : nil,
            vcenterVerifier: onHost ? CurlVCenterVerifier() : nil)
    }
}

/// One progress reporter per file downloaded in a run, made on its first report.
final class ProgressReporters: Sendable {
    private let notifier: any Notifier
    private let reporters = Mutex<[String: DownloadProgressReporter]>([:])

    init(notifier: any Notifier) { self.notifier = notifier }

    func reporter(for name: String) -> DownloadProgressReporter {
        reporters.withLock { reporters in
            if let reporter = reporters[name] { return reporter }
            let reporter = DownloadProgressReporter(name: name, notifier: notifier)
            reporters[name] = reporter
            return reporter
        }
    }
}
