/// Why `ExpatXMLReader` refused a document, and where: the 1-based line and column (counted in
/// characters, line ends as XML normalizes them) at which expat or our limits stopped it.
public struct XMLReaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of rule the document broke, so that a caller can word its message.
    public enum Kind: Sendable, Equatable {
        /// A rule of XML 1.0 or of Namespaces in XML 1.0, as expat words it.
        case notWellFormed
        /// The document holds a DTD (`<!DOCTYPE`) or an entity declaration, which the reader
        /// never processes.
        case dtd
        /// The document is, or declares, an encoding other than UTF-8, US-ASCII or ISO-8859-1.
        case unsupportedEncoding
        /// The document is larger than its caller accepts (refused before parsing).
        case tooLarge
        /// Elements nest deeper than the reader accepts.
        case tooDeep
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

    /// The error as a sentence for a message about the document: where the location means
    /// something, it is named.
    public var message: String {
        switch kind {
        case .notWellFormed: "not well-formed XML at line \(line), column \(column): \(reason)"
        case .dtd, .tooDeep: "\(reason) at line \(line), column \(column)"
        case .unsupportedEncoding, .tooLarge: reason
        }
    }
}
