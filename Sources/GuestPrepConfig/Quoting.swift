/// How messages show a property value: in single quotes, with anything that is not printable
/// ASCII escaped (`\n`, `\u{E9}`), so a message stays on one line and shows exactly what was
/// given. Secret values never go through here: the validator never puts them in a message.
enum Quoting {
    /// Values longer than this are cut, so one bad value cannot flood a report.
    static let maxShown = 120

    static func quote(_ value: String) -> String {
        var shown = ""
        var count = 0
        for scalar in value.unicodeScalars {
            if count == maxShown {
                shown += "…"
                break
            }
            count += 1
            switch scalar {
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case "'": shown += "\\'"
            case "\\": shown += "\\\\"
            case " "..."~": shown.unicodeScalars.append(scalar)
            default: shown += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
        }
        return "'\(shown)'"
    }

    /// Quotes a single character the same way.
    static func quote(_ character: Character) -> String { quote(String(character)) }
}
