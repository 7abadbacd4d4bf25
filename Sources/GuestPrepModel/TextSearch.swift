/// Substring search and replacement over UTF-8 bytes. The standard library's generic
/// `firstRange(of:)` and `replacing(_:with:)` come from _StringProcessing and cost more on
/// their first call than the rest of validation together (callgrind); on the boot path these
/// plain byte loops do. Shared by the kernel log decoder and the validator's messages.
package enum TextSearch {
    /// The range of the first occurrence of `target` in `text`, or nil. An empty target is
    /// never found.
    package static func firstRange(of target: String, in text: Substring) -> Range<String.Index>? {
        // Contiguous UTF-8 on both sides (native strings): integer offsets, no array for the
        // target and no generic index walk, which cost 2k instructions a call (callgrind).
        let found: Int?? = text.utf8.withContiguousStorageIfAvailable { haystack in
            target.utf8.withContiguousStorageIfAvailable { needle -> Int? in
                guard let first = needle.first, haystack.count >= needle.count else { return nil }
                var start = 0
                let lastStart = haystack.count - needle.count
                while start <= lastStart {
                    if haystack[start] == first {
                        var offset = 1
                        while offset < needle.count && haystack[start + offset] == needle[offset] { offset += 1 }
                        if offset == needle.count { return start }
                    }
                    start += 1
                }
                return nil
            } ?? nil
        }
        guard let found else { return firstRange(of: Array(target.utf8), in: text.utf8) }
        guard let offset = found else { return nil }
        let lower = text.utf8.index(text.utf8.startIndex, offsetBy: offset)
        return lower..<text.utf8.index(lower, offsetBy: target.utf8.count)
    }

    /// The range of the first occurrence of the bytes `needle` in `haystack`, or nil. An empty
    /// needle is never found.
    package static func firstRange<Bytes: Collection<UInt8>>(of needle: [UInt8], in haystack: Bytes)
        -> Range<Bytes.Index>?
    {
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
    package static func replacingAll(_ target: String, with replacement: String, in text: String) -> String {
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
