import GuestPrepConfig
import Testing

/// The expat wrapper: events, namespaces, decoding, and the hardening against hostile documents.
@Suite struct ExpatXMLReaderTests {
    // MARK: - Helpers

    /// The events of `bytes`, written compactly: `<{ns}name attr=value>`, `</{ns}name>`, and
    /// text as a Swift string literal.
    private func transcript(_ bytes: [UInt8], maximumDepth: Int = ExpatXMLReader.defaultMaximumDepth) throws -> [String] {
        var lines: [String] = []
        try ExpatXMLReader.read(bytes, maximumSize: 1 << 20, maximumDepth: maximumDepth) { event in
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

    /// The `XMLReaderError` reading `bytes` throws; nil, and a recorded issue, when there is none.
    private func failure(
        _ bytes: [UInt8], maximumSize: Int = 1 << 20, maximumDepth: Int = ExpatXMLReader.defaultMaximumDepth,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> XMLReaderError? {
        do {
            try ExpatXMLReader.read(bytes, maximumSize: maximumSize, maximumDepth: maximumDepth) { _ in }
            Issue.record("expected an XMLReaderError", sourceLocation: sourceLocation)
        } catch let error as XMLReaderError {
            return error
        } catch {
            Issue.record("expected an XMLReaderError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    private func failure(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> XMLReaderError? {
        failure(Array(text.utf8), sourceLocation: sourceLocation)
    }

    // MARK: - Elements, attributes, text, namespaces

    @Test func readsElementsAttributesAndText() throws {
        #expect(
            try transcript(#"<?xml version="1.0"?><a x="1" y='two'>hi<b/>there</a>"#) == [
                "<a x=1 y=two>", "\"hi\"", "<b>", "</b>", "\"there\"", "</a>",
            ])
    }

    @Test func prefixedAndDefaultNamespacesGiveTheSameNames() throws {
        let prefixed = try transcript(#"<e:Env xmlns:e="urn:env"><e:Item/></e:Env>"#)
        let defaulted = try transcript(#"<Env xmlns="urn:env"><Item/></Env>"#)
        #expect(prefixed == ["<{urn:env}Env>", "<{urn:env}Item>", "</{urn:env}Item>", "</{urn:env}Env>"])
        #expect(defaulted == prefixed)
    }

    @Test func attributesAreInTheirPrefixesNamespaceOrInNone() throws {
        // An unprefixed attribute is in no namespace, even under a default namespace; the
        // declarations themselves are not reported.
        let events = try transcript(
            #"<Env xmlns="urn:env" xmlns:oe="urn:oe" plain="p" oe:key="k"><x:In xmlns:x="urn:x" x:a="1"/></Env>"#)
        #expect(
            events == [
                "<{urn:env}Env plain=p {urn:oe}key=k>", "<{urn:x}In {urn:x}a=1>", "</{urn:x}In>", "</{urn:env}Env>",
            ])
        var tag: XMLStartTag?
        try ExpatXMLReader.read(Array(#"<E xmlns:oe="urn:oe" oe:key="k" key="plain"/>"#.utf8), maximumSize: 100) {
            if case .startElement(let start) = $0 { tag = start }
        }
        #expect(tag?.attribute("key", namespace: "urn:oe") == "k")
        #expect(tag?.attribute("key") == "plain")
        #expect(tag?.attribute("value") == nil)
    }

    @Test func theXMLPrefixIsBound() throws {
        #expect(
            try transcript(#"<a xml:lang="de"/>"#) == ["<a {http://www.w3.org/XML/1998/namespace}lang=de>", "</a>"])
    }

    @Test func decodesEntitiesAndCharacterReferences() throws {
        #expect(
            try transcript(#"<a v="&lt;&amp;&gt;&quot;&apos;&#65;&#x263A;">&amp; &lt;b&gt; &#x41;&#66;</a>"#) == [
                #"<a v=<&>"'A☺>"#, "\"& <b> AB\"", "</a>",
            ])
    }

    @Test func readsCDATALiterallyAsPartOfTheText() throws {
        #expect(
            try transcript("<a>one <![CDATA[<b>&amp;</b>]]> two</a>") == ["<a>", "\"one <b>&amp;</b> two\"", "</a>"])
    }

    @Test func normalizesLineEndsAndAttributeValues() throws {
        #expect(try transcript("<a v=\"x\ty\nz\">1\r\n2\r3</a>") == ["<a v=x y z>", "\"1\\n2\\n3\"", "</a>"])
    }

    @Test func skipsCommentsProcessingInstructionsAndTheDeclaration() throws {
        #expect(
            try transcript("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c --><?pi x?><a><!-- in -->t<?p?></a>\n<!-- end -->")
                == ["<a>", "\"t\"", "</a>"])
    }

    @Test func startTagsKnowTheirLineAndColumn() throws {
        var places: [String] = []
        try ExpatXMLReader.read(Array("<a>\n  <b/>\n\t<ü:c xmlns:ü=\"urn:u\"/></a>".utf8), maximumSize: 100) {
            if case .startElement(let tag) = $0 { places.append("\(tag.name.localName)@\(tag.line):\(tag.column)") }
        }
        #expect(places == ["a@1:1", "b@2:3", "c@3:2"])
    }

    @Test func aHandlerErrorStopsTheReadingAndIsRethrownUnchanged() {
        struct Enough: Error, Equatable {}
        var seen = 0
        #expect(throws: Enough()) {
            try ExpatXMLReader.read(Array("<a><b/><c/><d/></a>".utf8), maximumSize: 100) { event in
                seen += 1
                if case .startElement(let tag) = event, tag.name.localName == "b" { throw Enough() }
            }
        }
        #expect(seen == 2)
    }

    // MARK: - Hostile documents

    @Test func refusesAnExternalEntity() {
        var values: [String] = []
        let document = Array(
            (#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a v="&xxe;">&xxe;</a>"#)
                .utf8)
        do {
            try ExpatXMLReader.read(document, maximumSize: 1 << 20) { event in
                if case .text(let text) = event { values.append(text) }
                if case .startElement(let tag) = event { values += tag.attributes.map(\.value) }
            }
            Issue.record("an external entity was read")
        } catch let error as XMLReaderError {
            #expect(error.kind == .dtd)
            #expect(error.reason.contains("DTDs are not allowed"))
            #expect(error.line == 1)
        } catch {
            Issue.record("unexpected \(error)")
        }
        // Nothing of /etc/passwd (nor anything else) reached the caller.
        #expect(values.isEmpty)
    }

    @Test func refusesAnExternalDTD() {
        let error = failure("<!DOCTYPE a SYSTEM \"http://127.0.0.1:9/evil.dtd\">\n<a>&e;</a>")
        #expect(error?.kind == .dtd)
        #expect(error?.line == 1)
    }

    @Test func refusesABillionLaughsBomb() {
        var document = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            document += " <!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">\n"
        }
        document += "]>\n<lolz>&lol9;</lolz>"
        let error = failure(document)
        #expect(error?.kind == .dtd)
        #expect(error?.line == 2)
        #expect(error?.message.hasPrefix("DTDs are not allowed (external entities and entity expansion are rejected)") == true)
    }

    @Test func refusesEveryDOCTYPE() {
        for document in ["<!DOCTYPE a>\n<a/>", "<?xml version=\"1.0\"?>\n\n<!DOCTYPE a PUBLIC \"-//x//y\" \"y.dtd\"><a/>"] {
            let error = failure(document)
            #expect(error?.kind == .dtd, "\(document)")
        }
        // A DOCTYPE after the root is not well-formed; it is refused all the same.
        #expect(failure("<a/><!DOCTYPE a>")?.kind == .notWellFormed)
    }

    @Test func refusesADeepNestingBombWithoutOverflowingTheStack() {
        let count = 100_000
        let document = Array((String(repeating: "<a>", count: count) + String(repeating: "</a>", count: count)).utf8)
        let error = failure(document, maximumSize: document.count)
        #expect(error?.kind == .tooDeep)
        #expect(error?.line == 1)
        #expect(error?.column == 3 * 256 + 1)
        #expect(error?.message == "elements nest deeper than 256 levels, the limit of this reader at line 1, column 769")
        // Exactly at the limit is fine.
        #expect(throws: Never.self) {
            try transcript(Array((String(repeating: "<a>", count: 4) + String(repeating: "</a>", count: 4)).utf8), maximumDepth: 4)
        }
        #expect(failure(Array("<a><a><a></a></a></a>".utf8), maximumDepth: 2)?.kind == .tooDeep)
    }

    @Test func refusesADocumentLargerThanTheCallerAcceptsBeforeParsing() {
        // Not even well-formed: the size is checked first.
        let error = failure(Array(repeating: UInt8(ascii: "<"), count: 101), maximumSize: 100)
        #expect(error?.kind == .tooLarge)
        #expect(error?.message == "the document is 101 bytes, more than the 100 accepted")
    }

    // MARK: - Not well-formed

    @Test func notWellFormedNamesLineAndColumn() {
        let error = failure("<a>\n  <b>\n  </c>\n</a>")
        #expect(error?.kind == .notWellFormed)
        #expect(error?.line == 3)
        #expect(error?.column == 5)
        #expect(error?.message == "not well-formed XML at line 3, column 5: mismatched tag")
    }

    @Test func refusesWhatExpatFindsNotWellFormed() {
        let cases: [(String, String, Int, Int)] = [
            ("<a>&nbsp;</a>", "undefined entity", 1, 4),
            ("<a>a & b</a>", "not well-formed (invalid token)", 1, 7),
            ("<x:a/>", "unbound prefix", 1, 1),
            ("<a x='1' x='2'/>", "duplicate attribute", 1, 10),
            ("<a/><b/>", "junk after document element", 1, 5),
            ("<a>", "no element found", 1, 4),
            ("", "no element found", 1, 1),
            ("<a>&#1;</a>", "reference to invalid character number", 1, 4),
            ("<a>\u{C0}</a>", "not well-formed (invalid token)", 1, 4),
        ]
        for (document, reason, line, column) in cases {
            let bytes = document == "<a>\u{C0}</a>" ? [0x3C, 0x61, 0x3E, 0xC0, 0x3C, 0x2F, 0x61, 0x3E] : Array(document.utf8)
            let error = failure(bytes)
            #expect(error?.kind == .notWellFormed, "\(document)")
            #expect(error?.reason == reason, "\(document)")
            #expect(error?.line == line, "\(document)")
            #expect(error?.column == column, "\(document)")
        }
    }

    // MARK: - Encodings

    @Test func transcodesISO88591() throws {
        let document =
            Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a v=\"".utf8) + [0xE9] + Array("\">".utf8) + [0xFC]
            + Array("</a>".utf8)
        #expect(try transcript(document) == ["<a v=é>", "\"ü\"", "</a>"])
    }

    @Test func refusesNonASCIIBytesInAUSASCIIDocument() {
        let document = Array("<?xml version=\"1.0\" encoding=\"US-ASCII\"?>\n<a>".utf8) + [0xE9] + Array("</a>".utf8)
        let error = failure(document)
        #expect(error?.kind == .notWellFormed)
        #expect(error?.line == 2)
        #expect(error?.column == 4)
    }

    @Test func refusesOtherEncodingsByName() {
        let error = failure(#"<?xml version="1.0" encoding="UTF-7"?><a/>"#)
        #expect(error?.kind == .unsupportedEncoding)
        #expect(error?.message == #"the XML declaration names encoding "UTF-7"; only UTF-8, US-ASCII or ISO-8859-1 are accepted"#)
        #expect(failure(#"<?xml version="1.0" encoding="Shift_JIS"?><a/>"#)?.kind == .unsupportedEncoding)
    }

    @Test func refusesUTF16() {
        let littleEndian: [UInt8] = Array("<a/>".utf8).flatMap { byte -> [UInt8] in [byte, 0] }
        #expect(failure([0xFF, 0xFE] + littleEndian)?.kind == .unsupportedEncoding)
        let bigEndian: [UInt8] = Array("<a/>".utf8).flatMap { byte -> [UInt8] in [0, byte] }
        #expect(failure(bigEndian)?.kind == .unsupportedEncoding)
        // Declared but not written so: expat refuses the declaration.
        #expect(failure(#"<?xml version="1.0" encoding="UTF-16"?><a/>"#)?.kind == .notWellFormed)
    }
}
