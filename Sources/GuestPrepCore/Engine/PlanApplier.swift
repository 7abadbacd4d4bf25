import GuestPrepModel

/// Applies changes: writes and deletes through the file system, programs through the runner.
/// With a root other than `/` the runner is nil and `run` changes are reported, not run.
public struct PlanApplier: Sendable {
    let fs: any FileSystem
    let runner: (any ProcessRunner)?

    public init(fs: any FileSystem, runner: (any ProcessRunner)?) {
        self.fs = fs
        self.runner = runner
    }

    /// What became of one change.
    public enum Disposition: String, Sendable {
        case planned, applied
        /// A `run` change under a root other than `/`.
        case notRun = "not-run"
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
            if let path = change.path {
                let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
                if seen.insert(directory).inserted { touched.append(path) }
            }
            applied(change, try apply(change, syncDirectory: false))
        }
        let pending = touched
        touched = []
        for path in pending { try fs.syncDirectory(of: path) }
    }

    /// Applies one change; a write or delete fsyncs its directory only when `syncDirectory`.
    public func apply(_ change: Change, syncDirectory: Bool = true) throws -> Disposition {
        switch change.action {
        case .write(let path, let content, let mode, let owner):
            try fs.writeAtomically(path, content, mode: mode, owner: owner, syncDirectory: syncDirectory)
        case .delete(let path):
            try fs.delete(path, syncDirectory: syncDirectory)
        case .run(let argv):
            guard let runner else { return .notRun }
            guard let name = argv.first, let executable = CommandTable.resolve(name, using: runner) else {
                throw GuestPrepError.program(argv0: argv.first ?? "", reason: "not installed (looked in \(CommandTable.programs[argv.first ?? ""]?.joined(separator: ", ") ?? "no table entry"))")
            }
            let result = try runner.run(
                executable: executable, arguments: Array(argv.dropFirst()), timeout: CommandTable.timeout(for: name))
            guard result.status == 0 else {
                let detail = change.sensitive ? "" : result.errorText.trimmingCharacters(in: " \n\t")
                throw GuestPrepError.program(
                    argv0: name, reason: "exited with status \(result.status)\(detail.isEmpty ? "" : ": \(detail)")")
            }
        }
        return .applied
    }
}
