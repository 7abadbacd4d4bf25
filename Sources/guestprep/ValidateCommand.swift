import ArgumentParser
import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel

/// `guestprep validate`: validation only.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate the properties and report every problem, each naming its key (exit 2 when invalid).")

    @OptionGroup var root: RootOption
    @OptionGroup var sources: SourceOptions
    @OptionGroup var output: OutputOptions

    struct Document: Encodable {
        var valid: Bool
        var diagnostics: [Diagnostic]
    }

    func run() throws {
        Session.bootstrapLogging()
        let session = try Session(root: root.path)
        let loaded = try session.loadProperties(try sources.specs())
        var result = SpecValidator.validate(loaded.properties, localProfiles: session.localProfiles())
        result.diagnostics = loaded.diagnostics + result.diagnostics
        let valid = !result.hasErrors
        if output.json {
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
