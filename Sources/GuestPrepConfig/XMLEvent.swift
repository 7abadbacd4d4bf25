/// A name after namespace processing: the namespace URI its prefix (or, for an element, the
/// default namespace) is bound to, and the local name after the prefix.
public struct XMLName: Sendable, Hashable, CustomStringConvertible {
    /// The namespace URI; empty when the name is in no namespace.
    public var namespace: String
    /// The name without its prefix.
    public var localName: String

    public init(namespace: String = "", localName: String) {
        self.namespace = namespace
        self.localName = localName
    }

    /// `{namespace}localName`, or the bare local name when it has no namespace.
    public var description: String { namespace.isEmpty ? localName : "{\(namespace)}\(localName)" }
}

/// An attribute of a start tag, its value decoded: references replaced, and tabs and line
/// ends written literally turned into spaces, as XML attribute-value normalization requires.
public struct XMLAttribute: Sendable, Equatable {
    /// An unprefixed attribute is in no namespace, whatever the default namespace is.
    public var name: XMLName
    public var value: String

    public init(name: XMLName, value: String) {
        self.name = name
        self.value = value
    }
}

/// An element's start tag: its name and its attributes in document order. Namespace
/// declarations (`xmlns`, `xmlns:prefix`) are applied by the reader and not listed.
public struct XMLStartTag: Sendable, Equatable {
    public var name: XMLName
    public var attributes: [XMLAttribute]
    /// The 1-based line of the tag's `<`, for messages about the element.
    public var line: Int
    /// The 1-based column of the tag's `<`, counted in characters.
    public var column: Int

    public init(name: XMLName, attributes: [XMLAttribute], line: Int, column: Int) {
        self.name = name
        self.attributes = attributes
        self.line = line
        self.column = column
    }

    /// The value of the attribute `localName` in `namespace` (by default: no namespace, that
    /// is, an unprefixed attribute), or nil when the tag has none.
    public func attribute(_ localName: String, namespace: String = "") -> String? {
        attributes.first { $0.name.localName == localName && $0.name.namespace == namespace }?.value
    }
}

/// What `ExpatXMLReader.read` reports, in document order.
public enum XMLEvent: Sendable, Equatable {
    /// A start tag; an empty-element tag (`<a/>`) gives `startElement` and then `endElement`.
    case startElement(XMLStartTag)
    /// The end of the element most recently started and not yet ended.
    case endElement(XMLName)
    /// Character data inside the root element between two tags: references and CDATA sections
    /// decoded, line ends normalized to `\n`. Whitespace between tags is reported too.
    case text(String)
}
