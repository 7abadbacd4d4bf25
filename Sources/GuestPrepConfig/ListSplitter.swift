/// Splits the list values of `dns`, `domain` and `ntp`: entries separated by commas and/or
/// whitespace (`1.1.1.1, 8.8.8.8` or `1.1.1.1 8.8.8.8`). Empty entries (`a,,b`) are dropped.
enum ListSplitter {
    static func split(_ value: String) -> [String] {
        value.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }
}
