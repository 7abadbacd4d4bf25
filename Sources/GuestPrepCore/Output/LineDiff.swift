/// A line diff for showing what a write changes: hunks of `-`/`+` lines with context.
public enum LineDiff {
    /// The diff of `old` (nil: no file) against `new`, as lines prefixed with ` `, `-`, `+`.
    /// Unchanged runs longer than `2 * context` lines are elided as `…`.
    public static func lines(old: String?, new: String, context: Int = 2) -> [String] {
        let a = split(old ?? "")
        let b = split(new)
        if a.count * b.count > 4_000_000 {
            return a.map { "-" + $0 } + b.map { "+" + $0 }
        }
        // Longest common subsequence table, from the end.
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var ops: [(Character, String)] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                ops.append((" ", a[i])); i += 1; j += 1
            } else if i < a.count, j == b.count || table[i + 1][j] >= table[i][j + 1] {
                // Removals before additions, as diff(1) shows them.
                ops.append(("-", a[i])); i += 1
            } else {
                ops.append(("+", b[j])); j += 1
            }
        }
        var keep = Array(repeating: false, count: ops.count)
        for (index, op) in ops.enumerated() where op.0 != " " {
            for k in max(0, index - context)...min(ops.count - 1, index + context) { keep[k] = true }
        }
        var output: [String] = []
        var elided = false
        for (index, op) in ops.enumerated() {
            if keep[index] {
                output.append(String(op.0) + op.1)
                elided = false
            } else if !elided {
                output.append("…")
                elided = true
            }
        }
        return output
    }

    private static func split(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
