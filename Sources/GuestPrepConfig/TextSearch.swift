/// Substring search and replacement over UTF-8 bytes. The standard library's generic
/// `firstRange(of:)` and `replacing(_:with:)` come from _StringProcessing and cost more on
/// their first call than the rest of validation together (callgrind); on the boot path these
/// plain byte loops do.
enum TextSearch {
    /// The range of the first occurrence of `target` in `text`, or nil. An empty target is
    /// never found.
    static func firstRange(of target: String, in text: Substring) -> Range<String.Index>? {
        let haystack = text.utf8
        let needle = Array(target.utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var start = haystack.startIndex
        let lastStart = haystack.index(haystack.endIndex, offsetBy: -needle.count)
        while start <= lastStart {
            if haystack[start] == needle[0] {
                var at = start
                var matched = true
                for byte in needle {
                    if haystack[at] != byte { matched = false; break }
                    at = haystack.index(after: at)
                }
                if matched { return start..<at }
            }
            start = haystack.index(after: start)
        }
        return nil
    }

    /// `text` with every non-overlapping occurrence of `target`, left to right, replaced by
    /// `replacement`. An empty target leaves the text as it is.
    static func replacingAll(_ target: String, with replacement: String, in text: String) -> String {
        var rest = Substring(text)
        guard var found = firstRange(of: target, in: rest) else { return text }
        var result = ""
        while true {
            result += rest[..<found.lowerBound]
            result += replacement
            rest = rest[found.upperBound...]
            guard let next = firstRange(of: target, in: rest) else { return result + rest }
            found = next
        }
    }
}
