import ArgumentParser
import GuestPrepCore
import GuestPrepModel

/// `guestprep properties`: the merged properties with where each came from.
struct PropertiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "properties",
        abstract: "Print the merged properties and the source of each; secrets are shown as <redacted>.")

    @OptionGroup var root: RootOption
    @OptionGroup var sources: SourceOptions
    @OptionGroup var output: OutputOptions

    struct Document: Encodable {
        struct Entry: Encodable {
            var key: String
            var value: String
            var source: String
        }

        var sources: [String]
        var properties: [Entry]
        var adapters: [EthernetAdapter]
        var processesStarted: Int
    }

    func run() throws {
        Session.bootstrapLogging()
        let session = try Session(root: root.path)
        let loaded = try session.loadProperties(try sources.specs())
        let entries = loaded.properties.all.map {
            Document.Entry(key: $0.key, value: $0.displayValue, source: $0.source)
        }
        if output.json {
            CommandOutput.out(
                ReportFormatter.encode(
                    Document(
                        sources: loaded.sources, properties: entries, adapters: loaded.adapters,
                        processesStarted: session.runner?.processesStarted ?? 0)))
            return
        }
        var lines = ["sources: \(loaded.sources.joined(separator: ", "))"]
        if entries.isEmpty { lines.append("no properties") }
        let width = entries.map(\.key.count).max() ?? 0
        for entry in entries {
            let padded = entry.key + String(repeating: " ", count: width - entry.key.count)
            lines.append("\(padded)  \(entry.value.isEmpty ? "(empty)" : Self.oneLine(entry.value))  [\(entry.source)]")
        }
        for (index, adapter) in loaded.adapters.enumerated() {
            var line = "adapter \(index + 1): \(adapter.mac)"
            if let network = adapter.network { line += " network '\(network)'" }
            if let unit = adapter.unitNumber { line += " unitNumber \(unit)" }
            lines.append(line)
        }
        CommandOutput.out(lines.joined(separator: "\n") + "\n")
    }

    /// A value on one line, as it was given: a line break, a tab and every other control
    /// character escaped (`\n`, `\t`, `\u{1B}`), and the backslash too, so that an escape
    /// shown is never mistaken for one given. Printable text, non-ASCII included, stays as is.
    static func oneLine(_ value: String) -> String {
        var shown = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case "\\": shown += "\\\\"
            case "\u{00}"..."\u{1F}", "\u{7F}"..."\u{9F}", "\u{2028}", "\u{2029}":
                shown += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }
}
