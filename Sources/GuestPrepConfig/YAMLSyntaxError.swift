/// Why ``YAMLReader`` refuses a text, and where.
public struct YAMLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line of the problem.
    public let line: Int
    /// The 1-based column of the problem, counted in Unicode scalars.
    public let column: Int
    /// What is wrong, in words, without the position: "duplicate key 'name' (first on line 1,
    /// column 1)".
    public let message: String

    /// An error at `line` and `column` saying `message`.
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// "line L, column C: message".
    public var description: String { "line \(line), column \(column): \(message)" }
}
