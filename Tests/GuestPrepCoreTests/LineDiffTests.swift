import GuestPrepCore
import Testing

@Suite struct LineDiffTests {
    @Test func removalsComeBeforeAdditions() {
        #expect(LineDiff.lines(old: "a\nold\nc\n", new: "a\nnew\nc\n") == [" a", "-old", "+new", " c"])
    }

    @Test func aNewFileIsAllAdditions() {
        #expect(LineDiff.lines(old: nil, new: "x\ny\n") == ["+x", "+y"])
    }

    @Test func longUnchangedRunsAreElided() {
        let old = (1...20).map(String.init).joined(separator: "\n") + "\n"
        let new = old.replacing("\n10\n", with: "\nten\n")
        #expect(LineDiff.lines(old: old, new: new, context: 1) == ["…", " 9", "-10", "+ten", " 11", "…"])
    }

    @Test func identicalTextsHaveNoChangedLines() {
        #expect(LineDiff.lines(old: "a\nb\n", new: "a\nb\n").allSatisfy { !$0.hasPrefix("+") && !$0.hasPrefix("-") })
    }
}

@Suite struct ClockTests {
    @Test func systemClockIsUTCISO8601() {
        let now = SystemClock().now()
        #expect(now.count == 20)
        #expect(now.hasSuffix("Z"))
        #expect(now.dropFirst(10).first == "T")
    }
}
