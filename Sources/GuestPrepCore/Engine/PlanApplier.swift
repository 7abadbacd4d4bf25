import GuestPrepModel

/// Applies changes: writes and deletes through the file system, programs through the runner,
/// downloads through the downloader. With a root other than `/` the runner and the downloader
/// are nil and `run`, `download` and `unloadModule` changes are reported, not made. An
/// `unloadModule` that fails throws `ModuleUnloadFailure`, which the engine answers with a reboot.
public struct PlanApplier: Sendable {
    let fs: any FileSystem
    let runner: (any ProcessRunner)?
    let downloader: (any Downloader)?
    let downloadProgress: @Sendable (String, DownloadProgress) -> Void

    public init(
        fs: any FileSystem, runner: (any ProcessRunner)?, downloader: (any Downloader)? = nil,
        downloadProgress: @escaping @Sendable (String, DownloadProgress) -> Void = { _, _ in }
    ) {
        self.fs = fs
        self.runner = runner
        self.downloader = downloader
        self.downloadProgress = downloadProgress
    }

    /// What became of one change.
    public enum Disposition: String, Sendable {
        case planned, applied
        /// A `run` or `unloadModule` change under a root other than `/`.
        case notRun = "not-run"
        /// An `unloadModule` change that could not be made: a reboot takes its place.
        case rebootInstead = "reboot-instead"
    }

    /// Applies one step's changes in order, calling `applied` after each. Every directory a
    /// write or delete touched is fsynced once, after the last change (or when one fails),
    /// instead of once per file: each file is still whole and fsynced before its rename, and the
    /// engine saves the step's state only after this returns.
    public func apply(_ changes: [Change], applied: (Change, Disposition) -> Void) throws {
        var touched: [String] = []
        var seen = Set<String>()
        defer {
            // Best effort when a change failed; the error that matters is that change's.
            for path in touched { try? fs.syncDirectory(of: path) }
        }
        for change in changes {
            // A change below a home syncs its own directory, through the descriptor it reached.
            if let path = change.path, change.home == nil {
                let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
                if seen.insert(directory).inserted { touched.append(path) }
            }
            applied(change, try apply(change, syncDirectory: false))
        }
        let pending = touched
        touched = []
        for path in pending { try fs.syncDirectory(of: path) }
    }

    /// Applies one change; a write or delete fsyncs its directory only when `syncDirectory`
    /// (one below a home always does).
    public func apply(_ change: Change, syncDirectory: Bool = true) throws -> Disposition {
        switch change.action {
        case .write(let path, let content, let mode, let owner):
            if let home = change.home {
                try fs.writeUnderHome(path, content, mode: mode, owner: owner, home: home)
            } else {
                try fs.writeAtomically(path, content, mode: mode, owner: owner, syncDirectory: syncDirectory)
            }
        case .delete(let path):
            if let home = change.home {
                try fs.deleteUnderHome(path, home: home)
            } else {
                try fs.delete(path, syncDirectory: syncDirectory)
            }
        case .download(let url, let path, let sha256, let caFile, let mode):
            guard let downloader else {
                // Under a root other than / nothing is fetched; on the host a plan that needs a
                // download must not go on without it.
                if runner == nil { return .notRun }
                throw GuestPrepError.io(path: path, operation: "download to", reason: "this guestprep has no downloader")
            }
            guard let destination = fs.hostPath(of: path) else {
                throw GuestPrepError.io(path: path, operation: "download to", reason: "not a host path")
            }
            // A file:// URL and the CA file are guest paths, like every path in a plan.
            let source = url.hasPrefix("file://") ? "file://" + (fs.hostPath(of: String(url.dropFirst(7))) ?? "") : url
            let request = DownloadRequest(
                url: source, destination: destination, sha256: sha256, caFile: caFile.flatMap(fs.hostPath(of:)), mode: mode)
            let name = String(path.split(separator: "/").last ?? "")
            let report = downloadProgress
            _ = try downloader.download(request) { report(name, $0) }
        case .run(let argv):
            guard let runner else { return .notRun }
            guard let name = argv.first, let executable = Self.executable(name, fs: fs, runner: runner) else {
                throw GuestPrepError.program(argv0: argv.first ?? "", reason: "not installed (looked in \(CommandTable.programs[argv.first ?? ""]?.joined(separator: ", ") ?? "no table entry"))")
            }
            let result = try runner.run(
                executable: executable, arguments: Array(argv.dropFirst()),
                timeout: name.hasPrefix("/") ? CommandTable.installerTimeout : CommandTable.timeout(for: name))
            guard result.status == 0 else {
                let detail = change.sensitive ? "" : result.errorText.trimmingCharacters(in: " \n\t")
                throw GuestPrepError.program(
                    argv0: name, reason: "exited with status \(result.status)\(detail.isEmpty ? "" : ": \(detail)")")
            }
        case .unloadModule(let module, let unbind):
            guard let runner else { return .notRun }
            try ModuleUnloader(fs: fs, runner: runner).unload(change, module: module, unbind: unbind)
        }
        return .applied
    }

    /// The host path to run for `argv[0]`: a table name resolved by the table; an absolute
    /// guest path (an installer guestprep downloaded and verified in the same plan) under the
    /// root, when it is executable.
    static func executable(_ name: String, fs: any FileSystem, runner: any ProcessRunner) -> String? {
        guard name.hasPrefix("/") else { return CommandTable.resolve(name, using: runner) }
        guard let path = fs.hostPath(of: name), runner.isExecutable(path) else { return nil }
        return path
    }
}
