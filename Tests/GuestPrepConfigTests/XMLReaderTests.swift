import GuestPrepConfig
import Testing

@Suite struct XMLReaderTests {
    // MARK: - Helpers

    /// The events of `bytes`, written compactly: `<{ns}name attr=value>`, `</{ns}name>`, and
    /// text as a Swift string literal.
    private func transcript(_ bytes: [UInt8]) throws -> [String] {
        var reader = try XMLReader(bytes)
        var lines: [String] = []
        while let event = try reader.next() {
            switch event {
            case .startElement(let tag):
                lines.append("<\(tag.name)" + tag.attributes.map { " \($0.name)=\($0.value)" }.joined() + ">")
            case .endElement(let name):
                lines.append("</\(name)>")
            case .text(let text):
                lines.append(String(reflecting: text))
            }
        }
        return lines
    }

    private func transcript(_ text: String) throws -> [String] {
        try transcript(Array(text.utf8))
    }

    /// The error reading all of `bytes` throws; nil, and a recorded issue, when there is none.
    private func failure(
        _ bytes: [UInt8], maximumSize: Int = XMLReader.defaultMaximumSize,
        maximumDepth: Int = XMLReader.defaultMaximumDepth, sourceLocation: SourceLocation = #_sourceLocation
    ) -> XMLReaderError? {
        do throws(XMLReaderError) {
            var reader = try XMLReader(bytes, maximumSize: maximumSize, maximumDepth: maximumDepth)
            while try reader.next() != nil {}
            Issue.record("expected an XMLReaderError", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// Expects reading `bytes` to fail with a reason holding `fragment`, at `line` and `column`.
    private func expectFailure(
        _ bytes: [UInt8], _ fragment: String, line: Int, column: Int, kind: XMLReaderError.Kind = .notWellFormed,
        maximumSize: Int = XMLReader.defaultMaximumSize, maximumDepth: Int = XMLReader.defaultMaximumDepth,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard
            let error = failure(
                bytes, maximumSize: maximumSize, maximumDepth: maximumDepth, sourceLocation: sourceLocation)
        else { return }
        #expect(error.reason.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        #expect(error.line == line, "\(error)", sourceLocation: sourceLocation)
        #expect(error.column == column, "\(error)", sourceLocation: sourceLocation)
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
    }

    private func expectFailure(
        _ text: String, _ fragment: String, line: Int, column: Int, kind: XMLReaderError.Kind = .notWellFormed,
        maximumDepth: Int = XMLReader.defaultMaximumDepth, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        expectFailure(
            Array(text.utf8), fragment, line: line, column: column, kind: kind, maximumDepth: maximumDepth,
            sourceLocation: sourceLocation)
    }

    private static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    // MARK: - Elements, attributes, text

    @Test func readsElementsAttributesAndText() throws {
        #expect(
            try transcript(#"<a x="1" y='two'>hi<b/>there</a>"#) == [
                "<a x=1 y=two>", #""hi""#, "<b>", "</b>", #""there""#, "</a>",
            ])
    }

    @Test func reportsWhitespaceInsideTheRootOnly() throws {
        let document = "<?xml version=\"1.0\"?>\n<!-- c -->\n<a>\n <b/>\n</a>\n<!-- after -->\n<?pi x?>\n"
        #expect(try transcript(document) == ["<a>", #""\n ""#, "<b>", "</b>", #""\n""#, "</a>"])
    }

    @Test func normalizesAttributeValues() throws {
        #expect(
            try transcript("<a v=\"x\ty\nz\r\nw\rq\" r=\"&#9;&#10;&#13;\" s='say \"hi\"'/>") == [
                "<a v=x y z w q r=\t\n\r s=say \"hi\">", "</a>",
            ])
    }

    @Test func decodesPredefinedEntitiesAndCharacterReferences() throws {
        #expect(
            try transcript("<a v='&lt;&gt;&amp;&apos;&quot;'>&lt;&gt;&amp;&apos;&quot; &#65;&#x42;&#x1F600;&#xe9;</a>")
                == ["<a v=<>&'\">", String(reflecting: "<>&'\" AB😀é"), "</a>"])
    }

    @Test func normalizesLineEndsInText() throws {
        #expect(try transcript("<a>1\r\n2\r3\n</a>") == ["<a>", #""1\n2\n3\n""#, "</a>"])
    }

    @Test func readsCDATALiterally() throws {
        #expect(
            try transcript("<a><![CDATA[<b> &amp; ]] ]>\r\n]]>tail<![CDATA[]]></a>") == [
                "<a>", String(reflecting: "<b> &amp; ]] ]>\n"), #""tail""#, #""""#, "</a>",
            ])
    }

    @Test func skipsCommentsAndProcessingInstructions() throws {
        let document =
            "<?xml-stylesheet href=\"s.css\"?><!----><a><!-- x - y --><?target data ? > more?><?t?>b</a><!-- z -->"
        #expect(try transcript(document) == ["<a>", #""b""#, "</a>"])
    }

    @Test func acceptsXMLDeclarations() throws {
        for declaration in [
            "<?xml version=\"1.0\"?>", "<?xml version='1.0' encoding = \"utf-8\" standalone='yes' ?>",
            "<?xml version=\"1.1\" encoding=\"UTF8\"?>", "<?xml version=\"1.0\" standalone=\"no\"?>",
            "<?xml version=\"1.0\" encoding=\"us-ascii\"?>",
        ] {
            #expect(try transcript(declaration + "<a/>") == ["<a>", "</a>"], "\(declaration)")
        }
    }

    @Test func skipsAByteOrderMarkAndCountsColumnsAfterIt() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        #expect(try transcript(bom + Array("<?xml version=\"1.0\"?><a/>".utf8)) == ["<a>", "</a>"])
        expectFailure(bom + Array("<a>&bad;</a>".utf8), "&bad; is an undefined entity", line: 1, column: 4)
    }

    // MARK: - Encodings

    @Test func transcodesISO88591() throws {
        let document =
            Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<a v=\"".utf8) + [0xE9, 0x74, 0xE9]
            + Array("\">".utf8) + [0xFC] + Array("</a>".utf8)
        #expect(try transcript(document) == ["<a v=été>", #""ü""#, "</a>"])
        // Columns count characters, as they were in the ISO-8859-1 text.
        let broken = Array("<?xml version='1.0' encoding='latin1'?>\n<a v=\"".utf8) + [0xE9] + Array("\">&x;</a>".utf8)
        expectFailure(broken, "&x; is an undefined entity reference", line: 2, column: 10)
    }

    @Test func refusesNonASCIIBytesInAUSASCIIDocument() {
        let declaration = "<?xml version=\"1.0\" encoding=\"US-ASCII\"?>"
        expectFailure(
            Array((declaration + "<a>").utf8) + [0xC3, 0xA9] + Array("</a>".utf8), "byte 0xC3 is not US-ASCII",
            line: 1, column: declaration.count + 4)
    }

    @Test func refusesOtherEncodings() {
        expectFailure(
            #"<?xml version="1.0" encoding="UTF-7"?><a/>"#,
            #"the XML declaration names encoding "UTF-7"; only UTF-8, US-ASCII or ISO-8859-1 are accepted"#,
            line: 1, column: 31, kind: .unsupportedEncoding)
        expectFailure(
            #"<?xml version="1.0" encoding="Shift_JIS"?><a/>"#, #"names encoding "Shift_JIS""#, line: 1,
            column: 31, kind: .unsupportedEncoding)
        expectFailure(
            [0xEF, 0xBB, 0xBF] + Array(#"<?xml version="1.0" encoding="ISO-8859-1"?><a/>"#.utf8),
            "byte order mark but declares encoding \"ISO-8859-1\"", line: 1, column: 31, kind: .unsupportedEncoding)
    }

    @Test func refusesUTF16UTF32AndNULBytes() {
        let utf16: [UInt8] = [0xFF, 0xFE] + Array("<a/>".utf8).flatMap { [$0, 0] as [UInt8] }
        expectFailure(utf16, "UTF-16 or UTF-32 or holds NUL bytes", line: 1, column: 1, kind: .unsupportedEncoding)
        expectFailure(
            [0xFE, 0xFF] + Array("<a/>".utf8).flatMap { [0, $0] as [UInt8] }, "UTF-16", line: 1, column: 1,
            kind: .unsupportedEncoding)
        expectFailure(
            Array("<a>\n x".utf8) + [0] + Array("</a>".utf8), "holds NUL bytes", line: 2, column: 3,
            kind: .unsupportedEncoding)
    }

    @Test func refusesInvalidUTF8WithItsLocation() {
        let cases: [(bytes: [UInt8], byte: String)] = [
            ([0xC3, 0x28], "0xC3"),  // lead byte without its continuation
            ([0xC0, 0xAF], "0xC0"),  // overlong '/'
            ([0xE0, 0x80, 0xAF], "0xE0"),  // overlong, three bytes
            ([0xED, 0xA0, 0x80], "0xED"),  // UTF-16 surrogate U+D800
            ([0xF4, 0x90, 0x80, 0x80], "0xF4"),  // beyond U+10FFFF
            ([0x80], "0x80"),  // stray continuation byte
            ([0xE9, 0x74, 0xE9], "0xE9"),  // ISO-8859-1 without a declaration
        ]
        for (bytes, byte) in cases {
            expectFailure(
                Array("<a>\nab".utf8) + bytes + Array("</a>".utf8), "invalid UTF-8 (byte \(byte))", line: 2,
                column: 3)
        }
        expectFailure(Array("<a>\nab".utf8) + [0xE2, 0x82], "invalid UTF-8 (byte 0xE2)", line: 2, column: 3)
        expectFailure(Array("<a".utf8) + [0xFF] + Array("/>".utf8), "invalid UTF-8 (byte 0xFF)", line: 1, column: 3)
        expectFailure(Array("<a v='".utf8) + [0xC3] + Array("'/>".utf8), "invalid UTF-8", line: 1, column: 7)
        expectFailure(Array("<a/><!-- ".utf8) + [0xC3] + Array(" -->".utf8), "invalid UTF-8", line: 1, column: 10)
    }

    @Test func refusesCharactersXMLDoesNotAllow() {
        expectFailure("<a>\u{1}</a>", "character U+0001 is not allowed in XML", line: 1, column: 4)
        expectFailure("<a v='\u{1B}'/>", "character U+001B is not allowed", line: 1, column: 7)
        expectFailure(Array("<a>".utf8) + [0xEF, 0xBF, 0xBE] + Array("</a>".utf8), "character U+FFFE", line: 1, column: 4)
    }

    // MARK: - DTDs

    @Test func refusesDTDsAnywhere() {
        let message = "DTDs are not allowed (external entities and entity expansion are rejected); found <!DOCTYPE"
        expectFailure(#"<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>"#, message, line: 1, column: 1, kind: .dtd)
        expectFailure(
            "<?xml version=\"1.0\"?>\n<!doctype a SYSTEM \"file:///etc/passwd\"><a/>", "found <!DOCTYPE", line: 2,
            column: 1, kind: .dtd)
        expectFailure("<a>\n  <!ENTITY x \"y\"></a>", "found <!ENTITY", line: 2, column: 3, kind: .dtd)
        // Even where it would be harmless text, so that no DTD can slip past a later change.
        expectFailure("<!-- <!DocType a> -->\n<a/>", "found <!DOCTYPE", line: 1, column: 6, kind: .dtd)
        expectFailure("<a><![CDATA[<!ENTITY]]></a>", "found <!ENTITY", line: 1, column: 13, kind: .dtd)
    }

    @Test func refusesOtherMarkupDeclarations() {
        expectFailure("<a><!ELEMENT a ANY></a>", "'<!' must start a comment (<!--) or a CDATA section", line: 1, column: 4)
    }

    // MARK: - References

    @Test func refusesUndefinedAndMalformedReferences() {
        let hint = "(use &amp; for a literal &)"
        expectFailure("<a>&nbsp;</a>", "&nbsp; is an undefined entity reference \(hint)", line: 1, column: 4)
        expectFailure("<a v=\"&x;\"/>", "&x; is an undefined entity reference", line: 1, column: 7)
        expectFailure("<a>\nAT & T</a>", "'&' does not start an entity or character reference \(hint)", line: 2, column: 4)
        expectFailure("<a>&amp</a>", "'&' does not start an entity or character reference", line: 1, column: 4)
        expectFailure("<a>&#;</a>", "malformed character reference &#: expected digits and ';'", line: 1, column: 4)
        expectFailure("<a>&#12a;</a>", "malformed character reference &#12", line: 1, column: 4)
        expectFailure("<a>&#X41;</a>", "malformed character reference", line: 1, column: 4)
        expectFailure("<a>&#xG;</a>", "expected hex digits and ';'", line: 1, column: 4)
    }

    @Test func refusesCharacterReferencesToNonCharacters() {
        expectFailure("<a>&#0;</a>", "&#0; refers to U+0000, which is not a character XML allows", line: 1, column: 4)
        expectFailure("<a>x&#xD800;</a>", "&#xD800; refers to U+D800", line: 1, column: 5)
        expectFailure("<a>&#xFFFE;</a>", "refers to U+FFFE", line: 1, column: 4)
        expectFailure("<a>&#x110000;</a>", "refers to a number beyond Unicode", line: 1, column: 4)
        expectFailure("<a>&#99999999999999999999999;</a>", "refers to a number beyond Unicode", line: 1, column: 4)
        expectFailure("<a v='&#8;'/>", "refers to U+0008", line: 1, column: 7)
    }

    // MARK: - Attributes

    @Test func refusesMalformedAttributes() {
        expectFailure("<a v=\"1<2\"/>", "'<' is not allowed in the value of attribute v", line: 1, column: 8)
        expectFailure("<a v=\"1\" v=\"2\"/>", "attribute v appears twice in the start tag <a>", line: 1, column: 10)
        expectFailure("<a v=1/>", "the value of attribute v must be in quotes, found '1'", line: 1, column: 6)
        expectFailure("<a v/>", "attribute v of <a> has no value (expected '=', found '/')", line: 1, column: 5)
        expectFailure("<a v=\"1\"w=\"2\"/>", "expected whitespace, '>' or '/>' in the start tag <a>, found 'w'", line: 1, column: 9)
        expectFailure("<a \"v\"/>", "expected an attribute name, '>' or '/>' in the start tag <a>, found '\"'", line: 1, column: 4)
        expectFailure("<a v='1/>\n", "premature end of the document in the value of attribute v (quote opened at line 1, column 6)", line: 2, column: 1)
        expectFailure("<a v='1'", "premature end of the document inside the start tag <a>", line: 1, column: 9)
        expectFailure("<a/ >", "expected '>' after '/' in the start tag <a>, found whitespace", line: 1, column: 4)
    }

    @Test func findsARepeatedAttributeAmongMany() {
        let attributes = (0..<40).map { " a\($0)=\"\($0)\"" }.joined()
        expectFailure("<e\(attributes) a17=\"again\"/>", "attribute a17 appears twice", line: 1, column: 3 + attributes.count + 1)
    }

    // MARK: - Namespaces

    @Test func appliesTheDefaultNamespaceToElementsNotAttributes() throws {
        #expect(
            try transcript(#"<a xmlns="urn:d" x="1"><b/><c xmlns=""/></a>"#) == [
                "<{urn:d}a x=1>", "<{urn:d}b>", "</{urn:d}b>", "<c>", "</c>", "</{urn:d}a>",
            ])
    }

    @Test func scopesPrefixesToTheirElement() throws {
        #expect(
            try transcript(#"<a xmlns:p="urn:1" p:x="1"><p:b xmlns:p="urn:2" p:y="2"/><p:c/></a>"#) == [
                "<a {urn:1}x=1>", "<{urn:2}b {urn:2}y=2>", "</{urn:2}b>", "<{urn:1}c>", "</{urn:1}c>", "</a>",
            ])
        expectFailure(
            #"<r><p:a xmlns:p="urn:p"><p:b/></p:a><p:c/></r>"#, "the prefix p of element <p:c> is not declared",
            line: 1, column: 38)
    }

    @Test func declarationsApplyToTheirOwnTagInAnyOrder() throws {
        #expect(try transcript(#"<p:a p:x="1" xmlns:p="urn:p"/>"#) == ["<{urn:p}a {urn:p}x=1>", "</{urn:p}a>"])
    }

    @Test func looksUpAttributesByNamespaceAndLocalName() throws {
        var reader = try XMLReader(Array(#"<a xmlns="urn:d" xmlns:p="urn:p" key="plain" p:key="prefixed"/>"#.utf8))
        guard case .startElement(let tag) = try reader.next() else {
            Issue.record("expected a start tag")
            return
        }
        #expect(tag.attribute("key") == "plain")
        #expect(tag.attribute("key", namespace: "urn:p") == "prefixed")
        #expect(tag.attribute("key", namespace: "urn:d") == nil)
        #expect(tag.attributes.count == 2)
    }

    @Test func predefinesTheXMLPrefix() throws {
        #expect(
            try transcript(#"<a xml:lang="en" xmlns:xml="http://www.w3.org/XML/1998/namespace"/>"#) == [
                "<a {\(Self.xmlNamespace)}lang=en>", "</a>",
            ])
    }

    @Test func refusesUndeclaredPrefixes() {
        expectFailure("<a p:x=\"1\"/>", "the prefix p of attribute p:x is not declared", line: 1, column: 4)
        expectFailure("<x:a/>", "the prefix x of element <x:a> is not declared (xmlns:x=\"...\")", line: 1, column: 2)
    }

    @Test func refusesReservedAndEmptyNamespaceDeclarations() {
        expectFailure("<a xmlns:xml=\"urn:x\"/>", "the prefix xml can only be bound to \(Self.xmlNamespace)", line: 1, column: 4)
        expectFailure("<a xmlns:x=\"\(Self.xmlNamespace)\"/>", "which only the prefix xml may have", line: 1, column: 4)
        expectFailure("<a xmlns=\"\(Self.xmlNamespace)\"/>", "which only the prefix xml may have", line: 1, column: 4)
        expectFailure("<a xmlns:xmlns=\"urn:x\"/>", "the prefix xmlns is reserved", line: 1, column: 4)
        expectFailure("<a xmlns:x=\"http://www.w3.org/2000/xmlns/\"/>", "which no prefix may have", line: 1, column: 4)
        expectFailure("<a xmlns:p=\"\"/>", "xmlns:p=\"\" cannot undeclare a prefix", line: 1, column: 4)
    }

    @Test func refusesMalformedQualifiedNames() {
        let rule = "is not a valid qualified name: one ':' at most, between a prefix and a local name"
        expectFailure("<a:b:c/>", "a:b:c \(rule)", line: 1, column: 2)
        expectFailure("<:a/>", ":a \(rule)", line: 1, column: 2)
        expectFailure("<a p:=\"1\"/>", "p: \(rule)", line: 1, column: 4)
        expectFailure("<p:1a xmlns:p='u'/>", "p:1a \(rule)", line: 1, column: 2)
    }

    @Test func refusesTheSameAttributeSpelledWithTwoPrefixes() {
        expectFailure(
            #"<a xmlns:p="u" xmlns:q="u" p:v="1" q:v="2"/>"#, "attributes p:v and q:v of <a> are the same attribute {u}v",
            line: 1, column: 36)
        expectFailure(#"<a xmlns:p="u" xmlns:p="w"/>"#, "attribute xmlns:p appears twice", line: 1, column: 16)
    }

    // MARK: - Document structure

    @Test func refusesAClosingTagThatDoesNotMatch() {
        expectFailure(
            "<a>\n  <b>\n  </c>\n</a>", "closing tag does not match the opening tag: </c> cannot close <b> of line 2",
            line: 3, column: 3)
        expectFailure("<p:a xmlns:p='u'></a>", "</a> cannot close <p:a> of line 1", line: 1, column: 18)
        expectFailure("<a/></a>", "closing tag </a> without an opening tag (the root element <a> is already closed)", line: 1, column: 5)
        expectFailure("<a></a", "expected '>' to end the closing tag </a>, found the end of the document", line: 1, column: 7)
        expectFailure("<a></>", "expected an element name after '</', found '>'", line: 1, column: 6)
    }

    @Test func prematureEndNamesTheUnclosedElement() {
        expectFailure("<a>\n<b>text", "premature end of the document: <b> (line 2) is not closed", line: 2, column: 8)
        expectFailure("<a><", "the document ends with '<'", line: 1, column: 4)
        expectFailure("<a><!-- x", "the comment of line 1 is not closed with '-->'", line: 1, column: 10)
        expectFailure("<a><![CDATA[x", "the CDATA section of line 1 is not closed with ']]>'", line: 1, column: 14)
        expectFailure("<a><?pi x", "the processing instruction of line 1 is not closed with '?>'", line: 1, column: 10)
    }

    @Test func requiresExactlyOneRootElement() {
        expectFailure("", "the document has no root element", line: 1, column: 1)
        expectFailure("<!-- only -->\n", "the document has no root element", line: 2, column: 1)
        expectFailure("<a/>\n<b/>", "a second root element <b> after </a>; a document has exactly one root element", line: 2, column: 1)
        expectFailure("hello<a/>", "text before the root element (found 'h')", line: 1, column: 1)
        expectFailure("<a/>\n x", "extra content after the end of the root element <a>", line: 2, column: 2)
        expectFailure("<![CDATA[x]]><a/>", "a CDATA section is only allowed inside the root element", line: 1, column: 1)
    }

    @Test func refusesMalformedCharacterDataCommentsAndInstructions() {
        expectFailure("<a>x]]>y</a>", "']]>' is not allowed in character data", line: 1, column: 5)
        expectFailure("<!-- a -- b --><a/>", "'--' is not allowed inside a comment", line: 1, column: 8)
        expectFailure("<a/><!-- a --->", "'--' is not allowed inside a comment", line: 1, column: 12)
        expectFailure(" <?xml version=\"1.0\"?><a/>", "only allowed at the very start of the document", line: 1, column: 2)
        expectFailure("<a/><?XML version=\"1.0\"?>", "only allowed at the very start", line: 1, column: 5)
        expectFailure("<?a:b?><a/>", "the processing-instruction target a:b must not contain ':'", line: 1, column: 3)
        expectFailure("<? x?><a/>", "expected a processing-instruction target after '<?', found whitespace", line: 1, column: 3)
        expectFailure("<?pi!?><a/>", "expected whitespace or '?>' after the processing-instruction target pi", line: 1, column: 5)
    }

    @Test func refusesMalformedXMLDeclarations() {
        expectFailure("<?xml?><a/>", "the XML declaration must start with version=\"1.0\"", line: 1, column: 6)
        expectFailure("<?xml encoding=\"utf-8\"?><a/>", "must start with version", line: 1, column: 7)
        expectFailure("<?xml version=\"2.0\"?><a/>", "XML version \"2.0\" is not supported", line: 1, column: 16)
        expectFailure("<?xml version=\"1.0\" encoding=UTF-8?><a/>", "the encoding value in the XML declaration must be in quotes", line: 1, column: 30)
        expectFailure("<?xml version=\"1.0\" encoding=\"8bit\"?><a/>", "\"8bit\" is not an encoding name", line: 1, column: 31)
        expectFailure("<?xml version=\"1.0\" standalone=\"maybe\"?><a/>", "standalone must be \"yes\" or \"no\"", line: 1, column: 33)
        expectFailure(
            "<?xml version=\"1.0\" standalone=\"yes\" encoding=\"utf-8\"?><a/>",
            "expected '?>' to end the XML declaration (after version, encoding and standalone, in that order)",
            line: 1, column: 38)
        expectFailure("<?xml version=\"1.0\" encoding=\"utf 8\"?><a/>", "unexpected whitespace in the encoding value", line: 1, column: 34)
    }

    // MARK: - Limits

    @Test func limitsTheNestingDepth() throws {
        expectFailure(
            "<a><b><c><d/></c></b></a>", "elements nest deeper than 3 levels", line: 1, column: 10,
            kind: .limitExceeded, maximumDepth: 3)
        let depth = XMLReader.defaultMaximumDepth
        let deepest = String(repeating: "<e>", count: depth) + String(repeating: "</e>", count: depth)
        #expect(try transcript(deepest).count == 2 * depth)
        expectFailure(
            "<r>" + deepest + "</r>", "elements nest deeper than 256 levels", line: 1, column: 3 * depth + 1,
            kind: .limitExceeded)
    }

    @Test func limitsTheDocumentSize() {
        expectFailure(
            Array("<a>123456</a>".utf8), "the document is 13 bytes, more than the 12 this reader accepts", line: 1,
            column: 1, kind: .limitExceeded, maximumSize: 12)
    }

    // MARK: - Locations and errors

    @Test func locatesStartTags() throws {
        var reader = try XMLReader(Array("<a>\r\n<b>é</b>\r<c/>  <d/></a>".utf8))
        var locations: [String: (line: Int, column: Int)] = [:]
        while let event = try reader.next() {
            if case .startElement(let tag) = event { locations[tag.name.localName] = reader.location(of: tag.offset) }
        }
        #expect(locations["a"]! == (1, 1))
        #expect(locations["b"]! == (2, 1))
        #expect(locations["c"]! == (3, 1))
        #expect(locations["d"]! == (3, 7))
    }

    @Test func keepsThrowingTheFirstError() throws {
        var reader = try XMLReader(Array("<a>&x;</a>".utf8))
        #expect(try reader.next() != nil)
        let first = #expect(throws: XMLReaderError.self) { try reader.next() }
        let second = #expect(throws: XMLReaderError.self) { try reader.next() }
        #expect(first != nil && first == second)
        #expect(first?.description == "line 1, column 4: &x; is an undefined entity reference (use &amp; for a literal &)")
    }

    @Test func readsLargeDocumentsInLinearTime() throws {
        let count = 50_000
        let attributes = (0..<count).map { " a\($0)='\($0)'" }.joined()
        let document = "<r\(attributes)>" + String(repeating: "<e k='v &amp; w'>text</e>\n", count: count) + "</r>"
        let clock = ContinuousClock()
        var events = 0
        var attributeCount = 0
        let elapsed = try clock.measure {
            var reader = try XMLReader(Array(document.utf8))
            while let event = try reader.next() {
                events += 1
                if case .startElement(let tag) = event { attributeCount += tag.attributes.count }
            }
        }
        #expect(events == 2 + 4 * count)
        #expect(attributeCount == 2 * count)
        // Generous even for a debug build; a quadratic step would take minutes.
        #expect(elapsed < .seconds(20))
    }
}
