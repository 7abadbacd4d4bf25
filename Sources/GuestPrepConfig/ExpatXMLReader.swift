import CExpat

/// Reads an XML document with expat (libexpat1), hardened for untrusted input, and reports its
/// elements and character data as `XMLEvent`s in document order.
///
/// ```swift
/// try ExpatXMLReader.read(bytes, maximumSize: 1 << 20) { event in
///     if case .startElement(let tag) = event, tag.name.localName == "Property" { ... }
/// }
/// ```
///
/// What it refuses, each an `XMLReaderError` with the line and column:
/// - a DOCTYPE: the document stops at its start (expat's StartDoctypeDeclHandler), so no DTD
///   is read, no entity is declared or expanded (no XXE, no billion laughs). An entity
///   declaration, which only a DTD can hold, stops it too. Parameter entities are never parsed
///   and no external-entity handler is set, so expat never opens a file or a URL;
/// - encodings other than UTF-8, US-ASCII and ISO-8859-1 (the ones expat knows besides
///   UTF-16): a UTF-16 or UTF-32 byte order mark or a NUL byte before parsing, any other
///   declared encoding by an unknown-encoding handler that declines it;
/// - a document of more than `maximumSize` bytes, before parsing, and elements nested deeper
///   than `maximumDepth`, counted as they start, which bound the memory a hostile document can
///   make expat and the caller hold;
/// - everything expat finds not well-formed under XML 1.0 and Namespaces in XML 1.0.
///
/// Names are split into namespace URI and local name: expat joins them with a separator,
/// U+0001, which XML 1.0 allows neither in a name nor, even as a character reference, in a
/// namespace URI.
public enum ExpatXMLReader {
    /// The deepest element nesting `read` accepts unless told otherwise.
    public static let defaultMaximumDepth = 256

    /// Reads `document`, calling `handle` with each event.
    ///
    /// Character data is reported as one `.text` event per run between two tags (CDATA
    /// sections, references and line ends already decoded), whitespace inside the root element
    /// included. Comments, processing instructions and the XML declaration are not reported.
    ///
    /// - Throws: `XMLReaderError` when the document is refused, or whatever `handle` throws,
    ///   unchanged; either stops the reading at once.
    public static func read(
        _ document: [UInt8], maximumSize: Int, maximumDepth: Int = defaultMaximumDepth,
        _ handle: (XMLEvent) throws -> Void
    ) throws {
        guard document.count <= maximumSize else {
            throw XMLReaderError(
                kind: .tooLarge,
                reason: "the document is \(document.count) bytes, more than the \(maximumSize) accepted",
                line: 1, column: 1)
        }
        if document.starts(with: [0xFE, 0xFF]) || document.starts(with: [0xFF, 0xFE]) || document.contains(0) {
            throw XMLReaderError(
                kind: .unsupportedEncoding,
                reason: "the document is UTF-16 or UTF-32 or holds NUL bytes; only UTF-8, US-ASCII or "
                    + "ISO-8859-1 are accepted",
                line: 1, column: 1)
        }
        guard let parser = XML_ParserCreateNS(nil, ExpatParse.separator) else {
            throw XMLReaderError(kind: .notWellFormed, reason: "expat could not allocate a parser", line: 1, column: 1)
        }
        defer { XML_ParserFree(parser) }
        try withoutActuallyEscaping(handle) { handle in
            let parse = ExpatParse(parser: parser, maximumDepth: maximumDepth, handle: handle)
            try parse.run(document)
        }
    }
}

/// One reading: the state expat's callbacks reach through their user data.
private final class ExpatParse {
    /// Between namespace URI and local name in the names expat reports.
    static let separator = CChar(1)

    let parser: XML_Parser
    let maximumDepth: Int
    let handle: (XMLEvent) throws -> Void
    /// How many elements are open.
    var depth = 0
    /// Character data since the last tag, as UTF-8.
    var text: [UInt8] = []
    /// The first error of a callback, ours or the handler's; expat is stopped when it is set.
    var failure: (any Error)?
    /// The encoding the XML declaration named, when expat asked for it because it knows it not.
    var unknownEncoding: String?

    init(parser: XML_Parser, maximumDepth: Int, handle: @escaping (XMLEvent) throws -> Void) {
        self.parser = parser
        self.maximumDepth = maximumDepth
        self.handle = handle
    }

    static func from(_ userData: UnsafeMutableRawPointer?) -> ExpatParse {
        Unmanaged<ExpatParse>.fromOpaque(userData!).takeUnretainedValue()
    }

    func run(_ document: [UInt8]) throws {
        let userData = Unmanaged.passUnretained(self).toOpaque()
        XML_SetUserData(parser, userData)
        // Hardening. Parameter entities (and with them any external DTD subset) are never
        // parsed; no ExternalEntityRefHandler is set, so expat never loads an external entity
        // (it does no I/O of its own: https://libexpat.github.io/doc/api/reference/).
        XML_SetParamEntityParsing(parser, XML_PARAM_ENTITY_PARSING_NEVER)
        XML_SetStartDoctypeDeclHandler(parser) { userData, _, _, _, _ in
            ExpatParse.from(userData).refuseDTD("DOCTYPE")
        }
        XML_SetEntityDeclHandler(parser) { userData, _, _, _, _, _, _, _, _ in
            ExpatParse.from(userData).refuseDTD("ENTITY")
        }
        XML_SetUnknownEncodingHandler(
            parser,
            { data, name, _ in
                ExpatParse.from(data).unknownEncoding = name.map { String(cString: $0) }
                return 0  // XML_STATUS_ERROR: expat then fails with XML_ERROR_UNKNOWN_ENCODING.
            }, userData)
        XML_SetElementHandler(
            parser,
            { userData, name, attributes in ExpatParse.from(userData).start(name, attributes) },
            { userData, name in ExpatParse.from(userData).end(name) })
        XML_SetCharacterDataHandler(parser) { userData, characters, length in
            let parse = ExpatParse.from(userData)
            guard parse.failure == nil, let characters, length > 0 else { return }
            characters.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
                parse.text.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(length)))
            }
        }

        let status = document.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                // XML_Parse takes an int length: the document in pieces below 1 GiB.
                var offset = 0
                let piece = 1 << 30
                repeat {
                    let length = min(piece, characters.count - offset)
                    let isFinal = offset + length == characters.count
                    let status = XML_Parse(
                        parser, characters.baseAddress.map { $0 + offset }, Int32(length), isFinal ? 1 : 0)
                    if status != XML_STATUS_OK || isFinal { return status }
                    offset += length
                } while true
            }
        }
        if let failure { throw failure }
        guard status == XML_STATUS_OK else { throw expatError() }
    }

    /// expat's error, in our words where we know more than it does.
    private func expatError() -> XMLReaderError {
        let code = XML_GetErrorCode(parser)
        let (line, column) = location()
        if code == XML_ERROR_UNKNOWN_ENCODING, let unknownEncoding {
            return XMLReaderError(
                kind: .unsupportedEncoding,
                reason: "the XML declaration names encoding \"\(unknownEncoding)\"; only UTF-8, US-ASCII or "
                    + "ISO-8859-1 are accepted",
                line: line, column: column)
        }
        let reason = XML_ErrorString(code).map { String(cString: $0) } ?? "expat error \(code.rawValue)"
        return XMLReaderError(kind: .notWellFormed, reason: reason, line: line, column: column)
    }

    /// expat's current position: 1-based line and column (expat counts columns from 0, in
    /// characters, not bytes).
    private func location() -> (line: Int, column: Int) {
        (Int(clamping: XML_GetCurrentLineNumber(parser)), Int(clamping: XML_GetCurrentColumnNumber(parser)) + 1)
    }

    /// Records `error` and stops expat; it returns XML_STATUS_ERROR (XML_ERROR_ABORTED) after
    /// the callback.
    private func stop(_ error: any Error) {
        guard failure == nil else { return }
        failure = error
        XML_StopParser(parser, 0)  // not resumable
    }

    private func deliver(_ event: XMLEvent) {
        do {
            try handle(event)
        } catch {
            stop(error)
        }
    }

    private func flushText() {
        guard !text.isEmpty else { return }
        let characters = String(decoding: text, as: UTF8.self)
        text.removeAll(keepingCapacity: true)
        deliver(.text(characters))
    }

    fileprivate func refuseDTD(_ marker: String) {
        let (line, column) = location()
        stop(
            XMLReaderError(
                kind: .dtd,
                reason: "DTDs are not allowed (external entities and entity expansion are rejected); found <!\(marker)",
                line: line, column: column))
    }

    fileprivate func start(
        _ name: UnsafePointer<CChar>?, _ attributes: UnsafeMutablePointer<UnsafePointer<CChar>?>?
    ) {
        guard failure == nil else { return }
        flushText()
        guard failure == nil else { return }
        depth += 1
        let (line, column) = location()
        guard depth <= maximumDepth else {
            stop(
                XMLReaderError(
                    kind: .tooDeep, reason: "elements nest deeper than \(maximumDepth) levels, the limit of this reader",
                    line: line, column: column))
            return
        }
        // expat passes name, value, name, value, ..., NULL.
        var list: [XMLAttribute] = []
        if let attributes {
            var index = 0
            while let attributeName = attributes[index], let value = attributes[index + 1] {
                list.append(XMLAttribute(name: Self.name(attributeName), value: String(cString: value)))
                index += 2
            }
        }
        deliver(.startElement(XMLStartTag(name: Self.name(name), attributes: list, line: line, column: column)))
    }

    fileprivate func end(_ name: UnsafePointer<CChar>?) {
        guard failure == nil else { return }
        flushText()
        guard failure == nil else { return }
        depth -= 1
        deliver(.endElement(Self.name(name)))
    }

    /// `URI<separator>localName`, or `localName` alone in no namespace. A local name cannot
    /// hold the separator, so the last one splits.
    private static func name(_ pointer: UnsafePointer<CChar>?) -> XMLName {
        guard let pointer else { return XMLName(localName: "") }
        let full = String(cString: pointer)
        guard let split = full.utf8.lastIndex(of: UInt8(separator)) else { return XMLName(localName: full) }
        return XMLName(
            namespace: String(full[..<split]), localName: String(full[full.utf8.index(after: split)...]))
    }
}
