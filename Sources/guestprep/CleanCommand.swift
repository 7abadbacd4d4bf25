import ArgumentParser
import GuestPrepCore
import GuestPrepModel

/// `guestprep clean`: forget instance state, to seal a template.
struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Forget this instance's state so the next boot provisions anew (seal a template before cloning).",
        discussion: "Removes the files in /var/lib/guestprep and says what it removed. Files guestprep wrote to /etc are left as they are.")

    @OptionGroup var root: RootOption
    @OptionGroup var output: OutputOptions

    struct Document: Encodable {
        var removed: [String]
    }

    func run() throws {
        let session = try Session(root: root.path)
        var removed: [String] = []
        for name in try session.fs.list(AgentState.directory) ?? [] {
            let path = "\(AgentState.directory)/\(name)"
            try session.fs.delete(path)
            removed.append(path)
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
