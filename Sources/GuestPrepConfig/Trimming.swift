/// Leading and trailing whitespace removal without Foundation: an OVF form often adds
/// trailing spaces to what an operator typed.
enum Trimming {
    static func trim(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
            let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(text[first...last])
    }
}
