/// Why `XMLReader` stopped, and where: the 1-based line and column (counted in Unicode
/// scalars, line ends as XML normalizes them) at which the problem was detected.
public struct XMLReaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of rule the document broke, so that a caller can word its message.
    public enum Kind: Sendable, Equatable {
        /// A rule of XML 1.0 or of Namespaces in XML 1.0.
        case notWellFormed
        /// The document holds a DTD (`<!DOCTYPE`) or an entity declaration, which the reader
        /// never processes.
        case dtd
        /// The document is, or declares, an encoding other than UTF-8, US-ASCII or ISO-8859-1.
        case unsupportedEncoding
        /// The document is larger, or nests elements deeper, than the reader accepts.
        case limitExceeded
    }

    public var kind: Kind
    /// The explanation, without the location.
    public var reason: String
    public var line: Int
    public var column: Int

    public init(kind: Kind, reason: String, line: Int, column: Int) {
        self.kind = kind
        self.reason = reason
        self.line = line
        self.column = column
    }

    /// `line L, column C: reason`.
    public var description: String { "line \(line), column \(column): \(reason)" }
}
