import GuestPrepModel
import Testing

@Suite struct TextSearchTests {
    @Test func findsTheFirstOccurrence() throws {
        let text: Substring = "https://user@host://x"
        let range = try #require(TextSearch.firstRange(of: "://", in: text))
        #expect(text[..<range.lowerBound] == "https")
        #expect(text[range.upperBound...] == "user@host://x")
    }

    @Test(arguments: [("", "a"), ("abc", ""), ("ab", "abc"), ("abc", "abd"), ("aaa", "aaaa")])
    func findsNothing(text: String, target: String) {
        #expect(TextSearch.firstRange(of: target, in: Substring(text)) == nil)
    }

    @Test func findsInASubstringAndAcrossMultibyteCharacters() throws {
        let text = "ünïcode→secret←"
        let tail = text[text.index(text.startIndex, offsetBy: 2)...]
        let range = try #require(TextSearch.firstRange(of: "secret", in: tail))
        #expect(text[range] == "secret")
    }

    @Test(arguments: [
        ("password S3cret! and S3cret!", "S3cret!", "<redacted>", "password <redacted> and <redacted>"),
        ("aaaa", "aa", "b", "bb"),
        ("no match", "xyz", "-", "no match"),
        ("edge", "edge", "", ""),
        ("ä→ä", "ä", "a", "a→a"),
    ])
    func replacesEveryOccurrenceLeftToRight(text: String, target: String, replacement: String, expected: String) {
        #expect(TextSearch.replacingAll(target, with: replacement, in: text) == expected)
    }

    @Test func anEmptyTargetChangesNothing() {
        #expect(TextSearch.replacingAll("", with: "x", in: "abc") == "abc")
    }
}
