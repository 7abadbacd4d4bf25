// FoundationEssentials, not Foundation: JSON is all we need, and full Foundation links ICU
// and thousands of conformances that every start-up pays for.
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import GuestPrepModel

/// Renders run and plan reports for people (text with diffs) and for programs (JSON, as
/// DESIGN.md specifies). Secrets are `<redacted>` in both.
public enum ReportFormatter {
    /// Text: one block per change, then diagnostics, then a summary line. `previous` gives a
    /// file's content before the change, for the diff of a write (nil: no diff shown).
    public static func text(_ report: RunReport, previous: (String) -> String? = { _ in nil }) -> String {
        var out: [String] = []
        // A path written twice in one plan (the nouveau step's blacklist, before and after the
        // initramfs rebuild): the second diff starts from the first write, not from the disk.
        var planned: [String: String?] = [:]
        for result in report.changes {
            let change = result.change
            let suffix =
                switch result.disposition {
                case .notRun: "   [not run: --root is not /]"
                case .rebootInstead: "   [not unloaded: the machine reboots instead]"
                case .planned, .applied: ""
                }
            switch change.action {
            case .write(let path, let content, let mode, let owner):
                out.append("\(change.step): write \(path) (\(octal(mode)) \(owner))\(suffix)")
                if change.sensitive {
                    out.append("    (content redacted: it holds a secret)")
                } else if let text = String(validating: content, as: UTF8.self) {
                    // A plan shows what the write changes; a run only lists what it did.
                    if report.dryRun {
                        let old = planned[path] ?? previous(path)  // nil inside: deleted earlier
                        out += LineDiff.lines(old: old, new: text).map { "    " + $0 }
                        planned[path] = text
                    }
                } else {
                    out.append("    (\(content.count) bytes, binary)")
                }
            case .delete(let path):
                planned[path] = .some(nil)
                out.append("\(change.step): delete \(path)\(suffix)")
            case .run(let argv):
                let shown = change.sensitive ? [argv.first ?? "", PropertyKeys.redacted] : argv
                out.append("\(change.step): run \(shown.map(quoteForDisplay).joined(separator: " "))\(suffix)")
            case .download(let url, let path, let sha256, let caFile, let mode):
                out.append("\(change.step): download \(URLRedaction.redacted(url)) to \(path) (\(octal(mode)))\(suffix)")
                out.append("    sha256 \(sha256)\(caFile.map { ", CA file \($0)" } ?? "")")
            case .unloadModule(let module, let unbind):
                let first = unbind.isEmpty ? "" : "unbind \(unbind.joined(separator: ", ")) from it, then "
                out.append("\(change.step): unload \(module) (\(first)modprobe -r \(module); a reboot if it cannot be unloaded)\(suffix)")
            }
        }
        for diagnostic in report.diagnostics { out.append(diagnostic.description) }
        out.append(summary(report))
        return out.joined(separator: "\n") + "\n"
    }

    /// The last line of a text report.
    public static func summary(_ report: RunReport) -> String {
        let count = report.changes.count
        let noun = count == 1 ? "change" : "changes"
        switch report.outcome {
        case .done:
            if report.dryRun { return count == 0 ? "no changes: the machine is as specified" : "\(count) \(noun) would be made" }
            return count == 0 ? "nothing to do: the machine is as specified" : "done: \(count) \(noun) made"
        case .rebootNeeded(let step):
            return report.dryRun
                ? "\(count) \(noun) would be made, then step \(step) reboots the machine"
                : "reboot needed: step \(step) asked for a reboot; state is saved and the next boot resumes (exit 3)"
        case .failed(let step, _):
            return "failed in step \(step) after \(count) \(noun) (exit 1)"
        case .degraded(let reasons):
            let did = report.dryRun ? "\(count) \(noun) would be made" : "done: \(count) \(noun) made"
            return "\(did), but not as specified: \(reasons.joined(separator: "; ")); fix the errors above and run again (exit 1)"
        }
    }

    /// The JSON document: `changes`, `diagnostics`, `steps`, `outcome`, `dryRun`,
    /// `processesStarted`.
    public static func json(_ report: RunReport) -> String {
        let document = ReportDocument(
            outcome: report.outcome.name, dryRun: report.dryRun, processesStarted: report.processesStarted,
            changes: report.changes.map(ChangeDocument.init), diagnostics: report.diagnostics,
            steps: report.steps.map { StepDocument(step: $0.step, status: $0.status.rawValue) })
        return encode(document)
    }

    /// Encodes any value as sorted, pretty JSON text with a trailing newline.
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// An argv element as a person reads it: bare when plain, else single-quoted.
    static func quoteForDisplay(_ argument: String) -> String {
        let plain = !argument.isEmpty && argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=@,+".contains($0) }
        return plain ? argument : "'" + argument.replacing("'", with: "'\\''") + "'"
    }

    struct ReportDocument: Encodable {
        var outcome: String
        var dryRun: Bool
        var processesStarted: Int
        var changes: [ChangeDocument]
        var diagnostics: [Diagnostic]
        var steps: [StepDocument]
    }

    struct StepDocument: Encodable {
        var step: String
        var status: String
    }

    struct ChangeDocument: Encodable {
        var step: String
        var action: String
        var path: String?
        var mode: String?
        var owner: String?
        var content: String?
        var argv: [String]?
        var url: String?
        var sha256: String?
        var caFile: String?
        var module: String?
        var unbind: [String]?
        var status: String

        init(_ result: ChangeResult) {
            let change = result.change
            step = change.step
            action = change.actionName
            status = result.disposition.rawValue
            switch change.action {
            case .write(let path, let bytes, let mode, let owner):
                self.path = path
                self.mode = ReportFormatter.octal(mode)
                self.owner = owner.description
                content = change.sensitive ? PropertyKeys.redacted : String(decoding: bytes, as: UTF8.self)
            case .delete(let path):
                self.path = path
            case .run(let arguments):
                argv = change.sensitive ? [arguments.first ?? "", PropertyKeys.redacted] : arguments
            case .download(let url, let path, let sha256, let caFile, let mode):
                self.url = URLRedaction.redacted(url)
                self.path = path
                self.mode = ReportFormatter.octal(mode)
                self.sha256 = sha256
                self.caFile = caFile
            case .unloadModule(let module, let unbind):
                self.module = module
                self.unbind = unbind
            }
        }
    }
}
