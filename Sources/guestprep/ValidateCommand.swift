import ArgumentParser
import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel

/// `guestprep validate`: validation only.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate the properties and report every problem, each naming its key (exit 2 when invalid).")

    @Option(name: .long, help: OptionHelp.root) var root = "/"
    @Option(name: .customLong("source"), help: OptionHelp.source) var sources: [String] = []
    @Flag(name: .long, help: OptionHelp.json) var json = false

    func validate() throws {
        try OptionRules.validate(root: root)
        try OptionRules.validate(sources: sources)
    }

    struct Document: Encodable {
        var valid: Bool
        var diagnostics: [Diagnostic]
    }

    func run() throws {
        Session.bootstrapLogging()
        let session = try Session(root: root)
        let loaded = try session.loadProperties(try OptionRules.specs(sources))
        var result = SpecValidator.validate(loaded.properties, localProfiles: session.localProfiles())
        result.diagnostics = loaded.diagnostics + result.diagnostics
        let valid = !result.hasErrors
        if json {
            CommandOutput.out(ReportFormatter.encode(Document(valid: valid, diagnostics: result.diagnostics)))
        } else {
            let errors = result.diagnostics.filter { $0.severity == .error }.count
            let lines = result.diagnostics.map(\.description)
                + [valid ? "valid" : "invalid: \(errors) error\(errors == 1 ? "" : "s")"]
            let text = lines.joined(separator: "\n") + "\n"
            if valid { CommandOutput.out(text) } else { CommandOutput.error(text) }
        }
        if !valid { throw ExitCode(2) }
    }
}
