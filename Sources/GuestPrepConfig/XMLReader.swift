/// A strict, non-validating, namespace-aware XML 1.0 reader written against the Swift
/// standard library alone, so that reading a document at boot costs no Foundation, libxml2 or
/// ICU.
///
/// The reader is a pull parser: `next()` returns the elements and character data of the
/// document one event at a time, in document order, and throws `XMLReaderError` at the first
/// thing that breaks XML 1.0 or Namespaces in XML 1.0. Every error names the line and column
/// where it was detected. After an error, `next()` throws the same error again.
///
/// ```swift
/// var reader = try XMLReader(bytes)
/// while let event = try reader.next() {
///     if case .startElement(let tag) = event, tag.name.localName == "Property" { ... }
/// }
/// ```
///
/// What it refuses on purpose:
/// - any DTD: a `<!DOCTYPE` or `<!ENTITY` anywhere in the document (any letter case, even
///   inside a comment) is an error before parsing starts, so no entity is ever declared or
///   expanded: no external entities (XXE), no entity-expansion bombs. Only the five
///   predefined entities and character references are decoded;
/// - encodings other than UTF-8, US-ASCII and ISO-8859-1 (ISO-8859-1 is transcoded to UTF-8
///   before parsing); UTF-16, UTF-32 and NUL bytes;
/// - documents larger than `maximumSize` bytes and elements nested deeper than
///   `maximumDepth`, which bound the memory a hostile document can make the reader and its
///   caller hold.
///
/// The XML declaration, comments, processing instructions and whitespace outside the root
/// element are checked and skipped. Namespace declarations are applied, scoped to the element
/// that makes them, and not reported as attributes.
public struct XMLReader: Sendable {
    /// The largest document `init` accepts unless told otherwise: 16 MiB, far above any
    /// OVF environment (kilobytes) yet a bound on what a hostile document can make us hold.
    public static let defaultMaximumSize = 16 << 20
    /// The deepest element nesting `next()` accepts unless told otherwise.
    public static let defaultMaximumDepth = 256
    /// The namespace the `xml` prefix is bound to in every document.
    public static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"
    /// The namespace of namespace declarations themselves; no prefix may be bound to it.
    public static let xmlnsNamespace = "http://www.w3.org/2000/xmlns/"
    /// The encodings an XML declaration may name, compared case-insensitively.
    private static let utf8Names = ["utf-8", "utf8"]
    private static let asciiNames = ["us-ascii", "ascii"]
    private static let latin1Names = ["iso-8859-1", "latin1"]

    /// A qualified name as written, split at its colon.
    private struct RawName {
        var prefix: String
        var localName: String
        /// Where the name lies in `bytes`.
        var range: Range<Int>
    }

    /// An attribute before namespace processing.
    private struct RawAttribute {
        var name: RawName
        var value: String

        /// Whether it is a namespace declaration, `xmlns` or `xmlns:prefix`.
        var isDeclaration: Bool {
            name.prefix.isEmpty ? name.localName == "xmlns" : name.prefix == "xmlns"
        }
    }

    /// An element whose start tag has been read and whose end tag has not.
    private struct OpenElement {
        var name: XMLName
        /// Where its qualified name lies in `bytes`, to compare with the end tag's.
        var nameRange: Range<Int>
        /// Where its start tag's `<` lies.
        var offset: Int
        /// How many entries `declaredPrefixes` had before this element's declarations.
        var outerDeclarations: Int
    }

    /// The document as UTF-8 (ISO-8859-1 input is transcoded).
    private var bytes: [UInt8]
    /// Where the text starts: after a byte order mark.
    private let textStart: Int
    private var position: Int
    private let maximumDepth: Int
    private var openElements: [OpenElement] = []
    /// Prefix ("" for the default namespace) → the namespace URIs bound to it, innermost last.
    private var bindings: [String: [String]] = ["xml": [XMLReader.xmlNamespace]]
    /// The prefixes the open elements declared, outermost first, to unbind as they close.
    private var declaredPrefixes: [String] = []
    /// The attributes of the start tag being read; kept between tags to save an allocation each.
    private var rawAttributes: [RawAttribute] = []
    /// Set by an empty-element tag: its `endElement` is due.
    private var emptyElementPending = false
    /// Where the root element's qualified name lies, once its start tag has been read.
    private var rootName: Range<Int>?
    /// The error `next()` threw; the reader stays there.
    private var failure: XMLReaderError?

    /// Prepares to read `document`: checks its size and encoding, reads its XML declaration,
    /// transcodes ISO-8859-1 to UTF-8 and refuses any DTD. The elements are read by `next()`.
    ///
    /// - Throws: `XMLReaderError` when the document is too large, is not in an accepted
    ///   encoding, holds a malformed XML declaration or holds a DTD.
    public init(
        _ document: [UInt8], maximumSize: Int = XMLReader.defaultMaximumSize,
        maximumDepth: Int = XMLReader.defaultMaximumDepth
    ) throws(XMLReaderError) {
        let hasByteOrderMark = document.starts(with: [0xEF, 0xBB, 0xBF])
        bytes = document
        textStart = hasByteOrderMark ? 3 : 0
        position = textStart
        self.maximumDepth = maximumDepth

        guard document.count <= maximumSize else {
            throw error(
                .limitExceeded,
                "the document is \(document.count) bytes, more than the \(maximumSize) this reader accepts",
                at: textStart)
        }
        let utf16 = document.starts(with: [0xFE, 0xFF]) || document.starts(with: [0xFF, 0xFE])
        if let offset = utf16 ? 0 : document.firstIndex(of: 0) {
            throw error(
                .unsupportedEncoding,
                "the document is UTF-16 or UTF-32 or holds NUL bytes; only UTF-8, US-ASCII or "
                    + "ISO-8859-1 are accepted", at: offset)
        }
        if startsXMLDeclaration(at: textStart) {
            if let encoding = try readXMLDeclaration() {
                try apply(encoding: encoding.name, declaredAt: encoding.offset, hasByteOrderMark)
            }
        }
        try refuseDTD()
    }

    /// The next event of the document, or nil after the root element has ended and only
    /// comments, processing instructions and whitespace followed it.
    ///
    /// - Throws: `XMLReaderError` at the first place the document is not well-formed or
    ///   exceeds the nesting limit; from then on every call throws it again.
    public mutating func next() throws(XMLReaderError) -> XMLEvent? {
        if let failure { throw failure }
        do throws(XMLReaderError) {
            return try readEvent()
        } catch {
            failure = error
            throw error
        }
    }

    /// The 1-based line and column of byte `offset` of the document's UTF-8 text, such as an
    /// `XMLStartTag.offset`. Columns count Unicode scalars, so for an ISO-8859-1 document they
    /// are the columns of the original bytes too.
    ///
    /// Counts from the start of the document each time: meant for messages, not for every event.
    public func location(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var index = textStart
        let end = min(offset, bytes.count)
        while index < end {
            let byte = bytes[index]
            if byte == XMLByte.lineFeed {
                (line, column) = (line + 1, 1)
            } else if byte == XMLByte.carriageReturn {
                // CR LF is one line end, counted at the LF; a lone CR is one of its own.
                if index + 1 >= bytes.count || bytes[index + 1] != XMLByte.lineFeed {
                    (line, column) = (line + 1, 1)
                }
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
        return (line, column)
    }

    // MARK: - Before the first element: declaration, encoding, DTD

    /// Whether `<?xml` followed by whitespace or `?>` starts at `offset`; `<?xml-stylesheet`
    /// is a processing instruction.
    private func startsXMLDeclaration(at offset: Int) -> Bool {
        guard hasPrefix("<?xml", at: offset) else { return false }
        let after = offset + 5
        return after >= bytes.count || XMLCharacters.isSpace(bytes[after]) || bytes[after] == XMLByte.question
    }

    /// Reads `<?xml version="1.x" encoding="..." standalone="..."?>` at the position and
    /// returns the encoding it names, if any, with the offset of its value.
    private mutating func readXMLDeclaration() throws(XMLReaderError) -> (name: String, offset: Int)? {
        position += 5
        guard skipSpace(), let version = try declarationPseudoAttribute("version") else {
            throw malformed("the XML declaration must start with version=\"1.0\"", at: position)
        }
        let versionText = version.value.utf8
        guard versionText.count > 2, versionText.starts(with: "1.".utf8),
            versionText.dropFirst(2).allSatisfy({ (0x30...0x39).contains($0) })
        else {
            throw malformed(
                "XML version \"\(version.value)\" is not supported (only 1.0, or 1.x read as 1.0)",
                at: version.offset)
        }
        var encoding: (name: String, offset: Int)?
        var spaced = skipSpace()
        if spaced, let declared = try declarationPseudoAttribute("encoding") {
            let name = declared.value.utf8
            guard let first = name.first, Self.isASCIILetter(first) else {
                throw malformed(
                    "\"\(declared.value)\" is not an encoding name (a letter, then letters, digits, '.', '_' or '-')",
                    at: declared.offset)
            }
            encoding = (declared.value, declared.offset)
            spaced = skipSpace()
        }
        if spaced, let standalone = try declarationPseudoAttribute("standalone") {
            guard standalone.value == "yes" || standalone.value == "no" else {
                throw malformed(
                    "standalone must be \"yes\" or \"no\", not \"\(standalone.value)\"", at: standalone.offset)
            }
            skipSpace()
        }
        guard hasPrefix("?>", at: position) else {
            throw malformed(
                "expected '?>' to end the XML declaration (after version, encoding and standalone, "
                    + "in that order), found \(found(at: position))", at: position)
        }
        position += 2
        return encoding
    }

    /// Reads `name = "value"` of the XML declaration when `name` is at the position.
    private mutating func declarationPseudoAttribute(
        _ name: String
    ) throws(XMLReaderError) -> (value: String, offset: Int)? {
        guard hasPrefix(name, at: position) else { return nil }
        position += name.utf8.count
        skipSpace()
        guard position < bytes.count, bytes[position] == XMLByte.equals else {
            throw malformed("expected '=' after \(name) in the XML declaration", at: position)
        }
        position += 1
        skipSpace()
        guard position < bytes.count, bytes[position] == XMLByte.quote || bytes[position] == XMLByte.apostrophe
        else {
            throw malformed("the \(name) value in the XML declaration must be in quotes", at: position)
        }
        let quote = bytes[position]
        let start = position + 1
        var end = start
        // Versions, encoding names and yes/no are letters, digits and . _ -.
        while end < bytes.count, bytes[end] != quote, Self.isDeclarationValueByte(bytes[end]) { end += 1 }
        guard end < bytes.count, bytes[end] == quote else {
            throw malformed(
                "unexpected \(found(at: end)) in the \(name) value of the XML declaration", at: end)
        }
        position = end + 1
        return (text(start..<end), start)
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    private static func isDeclarationValueByte(_ byte: UInt8) -> Bool {
        isASCIILetter(byte) || (0x30...0x39).contains(byte) || byte == 0x2D || byte == 0x2E || byte == 0x5F
    }

    /// Refuses an encoding other than UTF-8, US-ASCII or ISO-8859-1 and transcodes
    /// ISO-8859-1 to UTF-8.
    private mutating func apply(
        encoding: String, declaredAt offset: Int, _ hasByteOrderMark: Bool
    ) throws(XMLReaderError) {
        let name = encoding.lowercased()
        if Self.utf8Names.contains(name) { return }
        if Self.asciiNames.contains(name) {
            if let high = bytes.firstIndex(where: { $0 >= 0x80 }) {
                throw malformed(
                    "byte 0x\(String(bytes[high], radix: 16, uppercase: true)) is not US-ASCII, "
                        + "the encoding the XML declaration names", at: high)
            }
            return
        }
        guard Self.latin1Names.contains(name) else {
            throw error(
                .unsupportedEncoding,
                "the XML declaration names encoding \"\(encoding)\"; only UTF-8, US-ASCII or ISO-8859-1 "
                    + "are accepted", at: offset)
        }
        guard !hasByteOrderMark else {
            throw error(
                .unsupportedEncoding,
                "the document starts with a UTF-8 byte order mark but declares encoding \"\(encoding)\"",
                at: offset)
        }
        guard let firstHigh = bytes.firstIndex(where: { $0 >= 0x80 }) else { return }
        // Every ISO-8859-1 byte is the code point of the same value: two UTF-8 bytes from 0x80.
        var utf8 = [UInt8]()
        utf8.reserveCapacity(bytes.count + bytes.count / 4)
        utf8.append(contentsOf: bytes[..<firstHigh])
        for byte in bytes[firstHigh...] {
            if byte < 0x80 {
                utf8.append(byte)
            } else {
                utf8.append(0xC0 | byte >> 6)
                utf8.append(0x80 | byte & 0x3F)
            }
        }
        bytes = utf8
    }

    /// Refuses a `<!DOCTYPE` or `<!ENTITY` anywhere, whatever its letter case.
    private func refuseDTD() throws(XMLReaderError) {
        var index = textStart
        while let lessThan = bytes[index...].firstIndex(of: XMLByte.lessThan) {
            index = lessThan + 1
            guard index < bytes.count, bytes[index] == XMLByte.bang else { continue }
            for marker in ["DOCTYPE", "ENTITY"] where hasPrefixIgnoringCase(marker, at: index + 1) {
                throw error(
                    .dtd, "DTDs are not allowed (external entities and entity expansion are rejected); "
                        + "found <!\(marker)", at: lessThan)
            }
        }
    }

    // MARK: - Events

    private mutating func readEvent() throws(XMLReaderError) -> XMLEvent? {
        if emptyElementPending {
            emptyElementPending = false
            return .endElement(closeElement())
        }
        while position < bytes.count {
            if bytes[position] == XMLByte.lessThan {
                if let event = try readMarkup() { return event }
            } else if openElements.isEmpty {
                try skipSpaceOutsideRoot()
            } else {
                return .text(try readCharacterData())
            }
        }
        if let innermost = openElements.last {
            throw malformed(
                "premature end of the document: <\(text(innermost.nameRange))> (line "
                    + "\(location(of: innermost.offset).line)) is not closed", at: position)
        }
        guard rootName != nil else { throw malformed("the document has no root element", at: position) }
        return nil
    }

    /// Skips whitespace before or after the root element, where nothing else but markup may be.
    private mutating func skipSpaceOutsideRoot() throws(XMLReaderError) {
        skipSpace()
        guard position < bytes.count, bytes[position] != XMLByte.lessThan else { return }
        if let rootName {
            throw malformed(
                "extra content after the end of the root element <\(text(rootName))>: only comments, "
                    + "processing instructions and whitespace may follow it", at: position)
        }
        throw malformed("text before the root element (found \(found(at: position)))", at: position)
    }

    /// Reads the markup at `<`: a tag, or skips a comment or processing instruction (nil).
    private mutating func readMarkup() throws(XMLReaderError) -> XMLEvent? {
        let start = position
        guard start + 1 < bytes.count else { throw malformed("the document ends with '<'", at: start) }
        switch bytes[start + 1] {
        case XMLByte.slash:
            return try readEndTag()
        case XMLByte.question:
            try skipProcessingInstruction()
            return nil
        case XMLByte.bang:
            if hasPrefix("<!--", at: start) {
                try skipComment()
                return nil
            }
            if hasPrefix("<![CDATA[", at: start) {
                guard !openElements.isEmpty else {
                    throw malformed("a CDATA section is only allowed inside the root element", at: start)
                }
                return .text(try readCDATA())
            }
            throw malformed("'<!' must start a comment (<!--) or a CDATA section (<![CDATA[)", at: start)
        default:
            return .startElement(try readStartTag())
        }
    }

    // MARK: - Tags

    private mutating func readStartTag() throws(XMLReaderError) -> XMLStartTag {
        let tagStart = position
        position += 1
        guard let rawName = try readQualifiedName() else {
            throw malformed("expected an element name after '<', found \(found(at: position))", at: position)
        }
        // Messages only: the name is made into a String when one needs it.
        var qualifiedName: String { text(rawName.range) }
        if let rootName, openElements.isEmpty {
            throw malformed(
                "a second root element <\(qualifiedName)> after </\(text(rootName))>; a document has exactly "
                    + "one root element", at: tagStart)
        }
        guard openElements.count < maximumDepth else {
            throw error(
                .limitExceeded, "elements nest deeper than \(maximumDepth) levels, the limit of this reader",
                at: tagStart)
        }

        rawAttributes.removeAll(keepingCapacity: true)
        var isEmptyElement = false
        while true {
            let spaced = skipSpace()
            guard position < bytes.count else {
                throw malformed("premature end of the document inside the start tag <\(qualifiedName)>", at: position)
            }
            if bytes[position] == XMLByte.greaterThan {
                position += 1
                break
            }
            if bytes[position] == XMLByte.slash {
                guard position + 1 < bytes.count, bytes[position + 1] == XMLByte.greaterThan else {
                    throw malformed(
                        "expected '>' after '/' in the start tag <\(qualifiedName)>, found \(found(at: position + 1))",
                        at: position + 1)
                }
                position += 2
                isEmptyElement = true
                break
            }
            guard spaced else {
                throw malformed(
                    "expected whitespace, '>' or '/>' in the start tag <\(qualifiedName)>, found "
                        + found(at: position),
                    at: position)
            }
            rawAttributes.append(try readAttribute(of: rawName.range))
        }

        if let repeated = Self.firstRepeat(count: rawAttributes.count, key: { bytes[rawAttributes[$0].name.range] }) {
            let attribute = rawAttributes[repeated.later].name
            throw malformed(
                "attribute \(text(attribute.range)) appears twice in the start tag <\(qualifiedName)>",
                at: attribute.range.lowerBound)
        }
        let outerDeclarations = declaredPrefixes.count
        for attribute in rawAttributes where attribute.isDeclaration {
            try declare(attribute)
        }
        let name = XMLName(namespace: try namespace(of: rawName, element: true), localName: rawName.localName)
        var attributes: [XMLAttribute] = []
        attributes.reserveCapacity(rawAttributes.count)
        for attribute in rawAttributes where !attribute.isDeclaration {
            let attributeName = XMLName(
                namespace: try namespace(of: attribute.name, element: false), localName: attribute.name.localName)
            attributes.append(XMLAttribute(name: attributeName, value: attribute.value))
        }
        // Namespaces in XML: two prefixes bound to one URI make two spellings of one name.
        if let repeated = Self.firstRepeat(count: attributes.count, key: { attributes[$0].name }) {
            let spellings = rawAttributes.filter { !$0.isDeclaration }.map(\.name)
            let later = spellings[repeated.later]
            throw malformed(
                "attributes \(text(spellings[repeated.earlier].range)) and \(text(later.range)) of "
                    + "<\(qualifiedName)> are the same attribute \(attributes[repeated.later].name)",
                at: later.range.lowerBound)
        }

        openElements.append(
            OpenElement(name: name, nameRange: rawName.range, offset: tagStart, outerDeclarations: outerDeclarations))
        if rootName == nil { rootName = rawName.range }
        emptyElementPending = isEmptyElement
        return XMLStartTag(name: name, attributes: attributes, offset: tagStart)
    }

    /// Reads `name = "value"` in the start tag of the element named at `element`.
    private mutating func readAttribute(of element: Range<Int>) throws(XMLReaderError) -> RawAttribute {
        guard let name = try readQualifiedName() else {
            throw malformed(
                "expected an attribute name, '>' or '/>' in the start tag <\(text(element))>, found "
                    + found(at: position), at: position)
        }
        skipSpace()
        guard position < bytes.count, bytes[position] == XMLByte.equals else {
            throw malformed(
                "attribute \(text(name.range)) of <\(text(element))> has no value (expected '=', found "
                    + "\(found(at: position)))",
                at: position)
        }
        position += 1
        skipSpace()
        return RawAttribute(name: name, value: try readAttributeValue(of: name.range))
    }

    /// Reads `</name>` and ends the innermost open element, which it must name.
    private mutating func readEndTag() throws(XMLReaderError) -> XMLEvent {
        let tagStart = position
        position += 2
        let nameStart = position
        position = try scanName(from: position)
        guard position > nameStart else {
            throw malformed("expected an element name after '</', found \(found(at: position))", at: position)
        }
        let nameRange = nameStart..<position
        skipSpace()
        guard position < bytes.count, bytes[position] == XMLByte.greaterThan else {
            throw malformed(
                "expected '>' to end the closing tag </\(text(nameRange))>, found \(found(at: position))",
                at: position)
        }
        position += 1
        guard let innermost = openElements.last else {
            let after = rootName.map { " (the root element <\(text($0))> is already closed)" } ?? ""
            throw malformed("closing tag </\(text(nameRange))> without an opening tag\(after)", at: tagStart)
        }
        guard bytes[nameRange].elementsEqual(bytes[innermost.nameRange]) else {
            throw malformed(
                "closing tag does not match the opening tag: </\(text(nameRange))> cannot close "
                    + "<\(text(innermost.nameRange))> of line \(location(of: innermost.offset).line)",
                at: tagStart)
        }
        return .endElement(closeElement())
    }

    /// Pops the innermost open element and the namespace bindings it declared.
    private mutating func closeElement() -> XMLName {
        let element = openElements.removeLast()
        while declaredPrefixes.count > element.outerDeclarations {
            bindings[declaredPrefixes.removeLast()]?.removeLast()
        }
        return element.name
    }

    // MARK: - Names and namespaces

    /// Reads a name with at most one colon, between a non-empty prefix and local name; nil
    /// when no name starts at the position.
    private mutating func readQualifiedName() throws(XMLReaderError) -> RawName? {
        let start = position
        let end = try scanName(from: start)
        guard end > start else { return nil }
        position = end
        guard let colon = bytes[start..<end].firstIndex(of: XMLByte.colon) else {
            return RawName(prefix: "", localName: text(start..<end), range: start..<end)
        }
        // The local part must itself be a name without a colon: `a:1`, `a:b:c`, `:a`, `a:` are not.
        let localEnd = try scanName(from: colon + 1)
        guard colon > start, colon + 1 < end, localEnd == end, !bytes[(colon + 1)..<end].contains(XMLByte.colon)
        else {
            throw malformed(
                "\(text(start..<end)) is not a valid qualified name: one ':' at most, between a prefix "
                    + "and a local name", at: start)
        }
        return RawName(prefix: text(start..<colon), localName: text((colon + 1)..<end), range: start..<end)
    }

    /// The end of the XML name starting at `start`; `start` itself when none starts there.
    private func scanName(from start: Int) throws(XMLReaderError) -> Int {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                let allowed =
                    index == start ? XMLCharacters.isASCIINameStart(byte) : XMLCharacters.isASCIINameCharacter(byte)
                guard allowed else { break }
                index += 1
                continue
            }
            guard let (scalar, length) = XMLCharacters.decodeUTF8(bytes, at: index) else {
                throw invalidUTF8(at: index)
            }
            let allowed =
                index == start ? XMLCharacters.isNameStart(scalar) : XMLCharacters.isNameCharacter(scalar)
            guard allowed else { break }
            index += length
        }
        return index
    }

    /// Applies the namespace declaration `attribute` to the element being read.
    private mutating func declare(_ attribute: RawAttribute) throws(XMLReaderError) {
        let prefix = attribute.name.prefix.isEmpty ? "" : attribute.name.localName
        let uri = attribute.value
        let spelled = text(attribute.name.range)
        let at = attribute.name.range.lowerBound
        if prefix == "xmlns" {
            throw malformed("the prefix xmlns is reserved and cannot be declared", at: at)
        }
        if prefix == "xml" {
            guard uri == Self.xmlNamespace else {
                throw malformed("the prefix xml can only be bound to \(Self.xmlNamespace)", at: at)
            }
        } else if uri == Self.xmlNamespace {
            throw malformed("\(spelled) binds \(Self.xmlNamespace), which only the prefix xml may have", at: at)
        }
        if uri == Self.xmlnsNamespace {
            throw malformed("\(spelled) binds \(Self.xmlnsNamespace), which no prefix may have", at: at)
        }
        if !prefix.isEmpty, uri.isEmpty {
            throw malformed("\(spelled)=\"\" cannot undeclare a prefix (Namespaces in XML 1.0)", at: at)
        }
        bindings[prefix, default: []].append(uri)
        declaredPrefixes.append(prefix)
    }

    /// The namespace URI of `name`: its prefix's; for an unprefixed element the default
    /// namespace's; for an unprefixed attribute none.
    private func namespace(of name: RawName, element: Bool) throws(XMLReaderError) -> String {
        guard !name.prefix.isEmpty else { return element ? bindings[""]?.last ?? "" : "" }
        guard let uri = bindings[name.prefix]?.last else {
            let what = element ? "element <\(text(name.range))>" : "attribute \(text(name.range))"
            throw malformed(
                "the prefix \(name.prefix) of \(what) is not declared (xmlns:\(name.prefix)=\"...\")",
                at: name.range.lowerBound)
        }
        return uri
    }

    /// The first index whose key repeats an earlier one, with that earlier index: pairwise for
    /// the usual handful of attributes, hashed beyond, so that a tag with thousands stays linear.
    private static func firstRepeat<Key: Hashable>(
        count: Int, key: (Int) -> Key
    ) -> (earlier: Int, later: Int)? {
        guard count > 1 else { return nil }
        if count <= 16 {
            for later in 1..<count {
                let laterKey = key(later)
                for earlier in 0..<later where key(earlier) == laterKey { return (earlier, later) }
            }
            return nil
        }
        var seen = [Key: Int](minimumCapacity: count)
        for index in 0..<count {
            if let earlier = seen.updateValue(index, forKey: key(index)) { return (earlier, index) }
        }
        return nil
    }

    // MARK: - Character data, values, references

    /// Reads character data up to the next `<`, decoding references and normalizing line ends.
    private mutating func readCharacterData() throws(XMLReaderError) -> String {
        var text = TextBuilder(start: position)
        scan: while true {
            position = endOfPlainRun(
                from: position, stoppingAt: XMLByte.lessThan, XMLByte.ampersand, XMLByte.closingBracket)
            guard position < bytes.count else { break }
            switch bytes[position] {
            case XMLByte.lessThan:
                break scan
            case XMLByte.ampersand:
                text.flush(bytes, upTo: position)
                try appendReference(to: &text.buffer)
                text.copied = position
            case XMLByte.carriageReturn:
                replaceLineEnd(in: &text, with: XMLByte.lineFeed)
            case XMLByte.closingBracket where hasPrefix("]]>", at: position):
                throw malformed("']]>' is not allowed in character data (write ]]&gt;)", at: position)
            default:
                try skipCharacter()
            }
        }
        return text.finish(bytes, upTo: position)
    }

    /// Reads a quoted attribute value and normalizes it: references decoded, literal tabs and
    /// line ends (CR LF counting as one) turned into spaces.
    private mutating func readAttributeValue(of name: Range<Int>) throws(XMLReaderError) -> String {
        var attribute: String { text(name) }
        guard position < bytes.count, bytes[position] == XMLByte.quote || bytes[position] == XMLByte.apostrophe else {
            throw malformed(
                "the value of attribute \(attribute) must be in quotes, found \(found(at: position))", at: position)
        }
        let quote = bytes[position]
        let opening = position
        position += 1
        var value = TextBuilder(start: position)
        while true {
            position = endOfPlainRun(from: position, stoppingAt: quote, XMLByte.lessThan, XMLByte.ampersand)
            guard position < bytes.count else { break }
            switch bytes[position] {
            case quote:
                let result = value.finish(bytes, upTo: position)
                position += 1
                return result
            case XMLByte.lessThan:
                throw malformed(
                    "'<' is not allowed in the value of attribute \(attribute) (write &lt;, or is a closing "
                        + "quote missing?)", at: position)
            case XMLByte.ampersand:
                value.flush(bytes, upTo: position)
                try appendReference(to: &value.buffer)
                value.copied = position
            case XMLByte.tab, XMLByte.lineFeed:
                value.flush(bytes, upTo: position)
                value.buffer.append(XMLByte.space)
                position += 1
                value.copied = position
            case XMLByte.carriageReturn:
                replaceLineEnd(in: &value, with: XMLByte.space)
            default:
                try skipCharacter()
            }
        }
        let opened = location(of: opening)
        throw malformed(
            "premature end of the document in the value of attribute \(attribute) (quote opened at line "
                + "\(opened.line), column \(opened.column))", at: position)
    }

    /// Replaces the CR (or CR LF) at the position with `replacement`.
    private mutating func replaceLineEnd(in text: inout TextBuilder, with replacement: UInt8) {
        text.flush(bytes, upTo: position)
        text.buffer.append(replacement)
        position += 1
        if position < bytes.count, bytes[position] == XMLByte.lineFeed { position += 1 }
        text.copied = position
    }

    /// Decodes the reference at `&` into `buffer`: one of the five predefined entities or a
    /// character reference. No other entity exists, since no DTD is ever read.
    private mutating func appendReference(to buffer: inout [UInt8]) throws(XMLReaderError) {
        let start = position
        position += 1
        if position < bytes.count, bytes[position] == XMLByte.hash {
            position += 1
            let hex = position < bytes.count && bytes[position] == XMLByte.x
            if hex { position += 1 }
            var value: UInt32 = 0
            var digits = 0
            while position < bytes.count, let digit = Self.digitValue(bytes[position], hex: hex) {
                // Capped just above U+10FFFF so that a long run of digits cannot overflow.
                value = min(value * (hex ? 16 : 10) + digit, 0x110000)
                digits += 1
                position += 1
            }
            guard digits > 0, position < bytes.count, bytes[position] == XMLByte.semicolon else {
                throw malformed(
                    "malformed character reference \(text(start..<position)): expected "
                        + "\(hex ? "hex digits" : "digits") and ';' (use &amp; for a literal &)", at: start)
            }
            position += 1
            guard XMLCharacters.isCharacter(value) else {
                let target = value > 0x10FFFF ? "a number beyond Unicode" : XMLCharacters.codePoint(value)
                throw malformed(
                    "character reference \(text(start..<position)) refers to \(target), which is not a "
                        + "character XML allows", at: start)
            }
            XMLCharacters.appendUTF8(value, to: &buffer)
            return
        }
        let nameEnd = try scanName(from: position)
        guard nameEnd > position, nameEnd < bytes.count, bytes[nameEnd] == XMLByte.semicolon else {
            throw malformed(
                "'&' does not start an entity or character reference (use &amp; for a literal &)", at: start)
        }
        let name = bytes[position..<nameEnd]
        position = nameEnd + 1
        let replacement: UInt8
        if name.elementsEqual("lt".utf8) {
            replacement = XMLByte.lessThan
        } else if name.elementsEqual("gt".utf8) {
            replacement = XMLByte.greaterThan
        } else if name.elementsEqual("amp".utf8) {
            replacement = XMLByte.ampersand
        } else if name.elementsEqual("apos".utf8) {
            replacement = XMLByte.apostrophe
        } else if name.elementsEqual("quot".utf8) {
            replacement = XMLByte.quote
        } else {
            throw malformed(
                "\(text(start..<position)) is an undefined entity reference (use &amp; for a literal &)", at: start)
        }
        buffer.append(replacement)
    }

    private static func digitValue(_ byte: UInt8, hex: Bool) -> UInt32? {
        switch byte {
        case 0x30...0x39: UInt32(byte - 0x30)
        case 0x41...0x46 where hex: UInt32(byte - 0x41 + 10)
        case 0x61...0x66 where hex: UInt32(byte - 0x61 + 10)
        default: nil
        }
    }

    // MARK: - CDATA, comments, processing instructions

    /// Reads `<![CDATA[...]]>`, whose text is taken literally but for line ends.
    private mutating func readCDATA() throws(XMLReaderError) -> String {
        let opening = position
        position += 9
        var text = TextBuilder(start: position)
        while true {
            position = endOfPlainRun(from: position, stoppingAt: XMLByte.closingBracket)
            guard position < bytes.count else { break }
            switch bytes[position] {
            case XMLByte.closingBracket where hasPrefix("]]>", at: position):
                let result = text.finish(bytes, upTo: position)
                position += 3
                return result
            case XMLByte.carriageReturn:
                replaceLineEnd(in: &text, with: XMLByte.lineFeed)
            default:
                try skipCharacter()
            }
        }
        throw malformed(
            "premature end of the document: the CDATA section of line \(location(of: opening).line) is not "
                + "closed with ']]>'", at: position)
    }

    /// Skips `<!-- ... -->`, in which `--` may only come right before `>`.
    private mutating func skipComment() throws(XMLReaderError) {
        let opening = position
        position += 4
        while true {
            position = endOfPlainRun(from: position, stoppingAt: XMLByte.hyphen)
            guard position < bytes.count else { break }
            if hasPrefix("--", at: position) {
                if hasPrefix("-->", at: position) {
                    position += 3
                    return
                }
                if position + 2 < bytes.count {
                    throw malformed("'--' is not allowed inside a comment", at: position)
                }
            }
            try skipCharacter()
        }
        throw malformed(
            "premature end of the document: the comment of line \(location(of: opening).line) is not closed "
                + "with '-->'", at: position)
    }

    /// Skips `<?target ...?>`.
    private mutating func skipProcessingInstruction() throws(XMLReaderError) {
        let opening = position
        position += 2
        let targetStart = position
        let targetEnd = try scanName(from: position)
        guard targetEnd > targetStart else {
            throw malformed(
                "expected a processing-instruction target after '<?', found \(found(at: position))", at: position)
        }
        let target = text(targetStart..<targetEnd)
        if target.lowercased() == "xml" {
            throw malformed(
                "the XML declaration (<?xml ...?>) is only allowed at the very start of the document", at: opening)
        }
        if target.utf8.contains(XMLByte.colon) {
            throw malformed("the processing-instruction target \(target) must not contain ':'", at: targetStart)
        }
        position = targetEnd
        if hasPrefix("?>", at: position) {
            position += 2
            return
        }
        guard skipSpace() else {
            throw malformed(
                "expected whitespace or '?>' after the processing-instruction target \(target), found "
                    + found(at: position), at: position)
        }
        while true {
            position = endOfPlainRun(from: position, stoppingAt: XMLByte.question)
            guard position < bytes.count else { break }
            if hasPrefix("?>", at: position) {
                position += 2
                return
            }
            try skipCharacter()
        }
        throw malformed(
            "premature end of the document: the processing instruction of line \(location(of: opening).line) "
                + "is not closed with '?>'", at: position)
    }

    // MARK: - Bytes

    /// Steps over the character at the position after checking that XML allows it there.
    @inline(__always)
    private mutating func skipCharacter() throws(XMLReaderError) {
        // Printable ASCII is nearly all of a document: the fast path.
        let byte = bytes[position]
        if byte >= 0x20 && byte < 0x80 {
            position += 1
            return
        }
        try skipOtherCharacter()
    }

    /// `skipCharacter` for controls, line ends and multi-byte characters.
    private mutating func skipOtherCharacter() throws(XMLReaderError) {
        let byte = bytes[position]
        if byte < 0x80 {
            guard byte >= 0x20 || byte == XMLByte.tab || byte == XMLByte.lineFeed || byte == XMLByte.carriageReturn
            else {
                throw malformed(
                    "character \(XMLCharacters.codePoint(UInt32(byte))) is not allowed in XML", at: position)
            }
            position += 1
            return
        }
        guard let (scalar, length) = XMLCharacters.decodeUTF8(bytes, at: position) else {
            throw invalidUTF8(at: position)
        }
        guard XMLCharacters.isCharacter(scalar) else {
            throw malformed("character \(XMLCharacters.codePoint(scalar)) is not allowed in XML", at: position)
        }
        position += length
    }

    /// The end of the run of printable ASCII from `start` that holds none of the `stop` bytes:
    /// what most of a document is made of, stepped over without a check per character. A stop
    /// of 0 stands for none: NUL never belongs to a run anyway.
    private func endOfPlainRun(
        from start: Int, stoppingAt stop: UInt8, _ otherStop: UInt8 = 0, _ thirdStop: UInt8 = 0
    ) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            var index = start
            while index < buffer.count {
                let byte = buffer[index]
                guard byte >= 0x20, byte < 0x80, byte != stop, byte != otherStop, byte != thirdStop else { break }
                index += 1
            }
            return index
        }
    }

    /// Skips whitespace; whether there was any.
    @discardableResult
    private mutating func skipSpace() -> Bool {
        let start = position
        while position < bytes.count, XMLCharacters.isSpace(bytes[position]) { position += 1 }
        return position > start
    }

    private func hasPrefix(_ prefix: String, at offset: Int) -> Bool {
        offset <= bytes.count && bytes[offset...].starts(with: prefix.utf8)
    }

    /// `hasPrefix` for an upper-case ASCII `prefix`, ignoring the letter case of the document.
    private func hasPrefixIgnoringCase(_ prefix: String, at offset: Int) -> Bool {
        let wanted = prefix.utf8
        guard offset + wanted.count <= bytes.count else { return false }
        return zip(bytes[offset...], wanted).allSatisfy { byte, upper in
            byte == upper || byte == upper + 0x20
        }
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// How messages name what is at `offset`: `'x'`, `whitespace`, `the end of the document`.
    private func found(at offset: Int) -> String {
        guard offset < bytes.count else { return "the end of the document" }
        let byte = bytes[offset]
        if XMLCharacters.isSpace(byte) { return "whitespace" }
        if byte > 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        if let (scalar, _) = XMLCharacters.decodeUTF8(bytes, at: offset), byte >= 0x80,
            let character = Unicode.Scalar(scalar)
        {
            return "'\(Character(character))'"
        }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private func invalidUTF8(at offset: Int) -> XMLReaderError {
        malformed(
            "invalid UTF-8 (byte 0x\(String(bytes[offset], radix: 16, uppercase: true))); a document in "
                + "ISO-8859-1 must say so: <?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>", at: offset)
    }

    private func malformed(_ reason: String, at offset: Int) -> XMLReaderError {
        error(.notWellFormed, reason, at: offset)
    }

    private func error(_ kind: XMLReaderError.Kind, _ reason: String, at offset: Int) -> XMLReaderError {
        let (line, column) = location(of: offset)
        return XMLReaderError(kind: kind, reason: reason, line: line, column: column)
    }
}

/// Text taken from the document: a slice of it as long as nothing needs rewriting, a copy with
/// the rewritten parts once a reference or line end does.
private struct TextBuilder {
    /// Where the text starts in the document.
    let start: Int
    /// What has been rewritten so far; empty until the first rewrite.
    var buffer: [UInt8] = []
    /// Up to where the document has been copied into `buffer`; `start` until the first rewrite.
    var copied: Int

    init(start: Int) {
        self.start = start
        copied = start
    }

    /// Copies the document from `copied` up to `end` into `buffer`, before a rewrite.
    mutating func flush(_ bytes: [UInt8], upTo end: Int) {
        buffer.append(contentsOf: bytes[copied..<end])
        copied = end
    }

    /// The text up to `end`.
    mutating func finish(_ bytes: [UInt8], upTo end: Int) -> String {
        // Every rewrite appends to `buffer`, so an empty one means the text is a plain slice.
        guard !buffer.isEmpty else { return String(decoding: bytes[start..<end], as: UTF8.self) }
        flush(bytes, upTo: end)
        return String(decoding: buffer, as: UTF8.self)
    }
}
