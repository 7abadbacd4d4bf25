/// Decodes modprobe.d(5) configuration text into the directives guestprep looks at:
/// `blacklist MODULE` and `options MODULE PARAM...`. A `#` starts a comment line, a backslash
/// at the end of a line joins the next one, fields are separated by blanks, and `-` and `_`
/// are the same in module names (kmod normalises them to `_`). Other commands (`alias`,
/// `install`, `softdep`, ...) are left out.
public enum ModprobeConfigDecoder {
    /// One directive guestprep cares about.
    public enum Directive: Sendable, Equatable {
        case blacklist(module: String)
        case options(module: String, parameters: [String])
    }

    /// The directives in file order.
    public static func directives(_ text: String) -> [Directive] {
        var result: [Directive] = []
        for line in logicalLines(text) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let command = fields.first, !command.hasPrefix("#"), fields.count >= 2 else { continue }
            let module = normalise(fields[1])
            switch command {
            case "blacklist": result.append(.blacklist(module: module))
            case "options": result.append(.options(module: module, parameters: fields.dropFirst(2).map(String.init)))
            default: continue
            }
        }
        return result
    }

    /// A module name as kmod compares it: `-` becomes `_`.
    public static func normalise<S: StringProtocol>(_ module: S) -> String {
        String(module.map { $0 == "-" ? "_" : $0 })
    }

    /// The text's lines with backslash-newline continuations joined.
    static func logicalLines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = ""
        for physical in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if physical.last == "\\" {
                current += physical.dropLast() + " "
            } else {
                lines.append(current + physical)
                current = ""
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
