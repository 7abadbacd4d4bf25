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

    public func apply(_ change: Change) throws -> Disposition {
        switch change.action {
        case .write(let path, let content, let mode, let owner):
            try fs.writeAtomically(path, content, mode: mode, owner: owner)
        case .delete(let path):
            try fs.delete(path)
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
