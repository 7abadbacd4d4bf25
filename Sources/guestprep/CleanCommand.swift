import ArgumentParser
import GuestPrepCore
import GuestPrepModel

/// `guestprep clean`: forget instance state, to seal a template.
struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Forget this instance's state so the next boot provisions anew (seal a template before cloning).",
        discussion: "Removes everything in /var/lib/guestprep (state, downloads) and says what it removed; a link there is removed itself, never what it points to. Files guestprep wrote to /etc are left as they are. Waits, like run, while another guestprep holds /run/guestprep.lock.")

    @OptionGroup var root: RootOption
    @OptionGroup var lock: LockOption
    @OptionGroup var output: OutputOptions

    struct Document: Encodable {
        var removed: [String]
    }

    /// Removes `path` and, when it is a directory (not a link to one: a link is removed
    /// itself), everything in it first, adding each removed path to `removed`.
    static func remove(_ path: String, fs: any FileSystem, removed: inout [String]) throws {
        if try fs.readLink(path) == nil, let names = try fs.list(path) {
            for name in names { try remove("\(path)/\(name)", fs: fs, removed: &removed) }
        }
        try fs.delete(path)
        removed.append(path)
    }

    func run() throws {
        let session = try Session(root: root.path)
        let held = try session.lock(timeout: lock.seconds, notifier: SilentNotifier())
        defer { withExtendedLifetime(held) {} }
        var removed: [String] = []
        for name in try session.fs.list(AgentState.directory) ?? [] {
            try Self.remove("\(AgentState.directory)/\(name)", fs: session.fs, removed: &removed)
        }
        if output.json {
            CommandOutput.out(ReportFormatter.encode(Document(removed: removed)))
        } else if removed.isEmpty {
            CommandOutput.out("nothing to remove: no instance state in \(AgentState.directory)\n")
        } else {
            CommandOutput.out(removed.map { "removed \($0)" }.joined(separator: "\n") + "\n")
        }
    }
}
