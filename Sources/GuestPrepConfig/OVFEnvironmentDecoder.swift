import Foundation
import GuestPrepModel

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Decodes an OVF environment document (`ovf-env.xml`, or VMware's `guestinfo.ovfEnv`) into
/// its properties and Ethernet adapters.
///
/// Elements are matched by namespace URI and local name, so prefixed (`<oe:Property>`) and
/// default-namespace (`<Property>`) documents decode alike. Only the environment's own
/// sections are read: the `PropertySection` and VMware's `EthernetAdapterSection` that are
/// direct children of the root `Environment`; the sections of nested `Entity` elements
/// describe other virtual machines of a vApp and are ignored.
///
/// A document holding a DTD is refused before it reaches the parser, which blocks external
/// entities (XXE) and entity-expansion bombs; so is a document in an encoding other than
/// UTF-8, US-ASCII or ISO-8859-1, which could otherwise hide a DTD from that check.
public enum OVFEnvironmentDecoder {
    /// The OVF environment namespace of `Environment`, `PropertySection`, `Property` and the
    /// `oe:key` / `oe:value` attributes.
    public static let environmentNamespace = "http://schemas.dmtf.org/ovf/environment/1"
    /// VMware's namespace of `EthernetAdapterSection` and `Adapter`.
    public static let vmwareNamespace = "http://www.vmware.com/schema/ovfenv"

    /// What errors name as the malformed document.
    static let what = "ovf-env.xml"

    /// Decodes `bytes`, an OVF environment document.
    ///
    /// Properties and adapters keep document order; a key given twice appears twice, and a
    /// merge into a `PropertySet` lets the later one win. Values are exactly as the document
    /// gives them after XML decoding (entities such as `&amp;` decoded, spaces kept). MAC
    /// addresses are lower-cased.
    ///
    /// - Throws: `GuestPrepError.malformed(what: "ovf-env.xml", reason:)` when the document
    ///   holds a DTD, is not well-formed XML (the reason names the line), is not an OVF
    ///   environment, or has a property or adapter without its required attributes.
    public static func decode(_ bytes: [UInt8]) throws -> OVFEnvironment {
        try screen(bytes)
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = true
        parser.shouldResolveExternalEntities = false
        let handler = Handler()
        parser.delegate = handler
        let finished = parser.parse()
        if let failure = handler.failure { throw failure }
        if !finished || parser.parserError != nil {
            // The first error is the one to fix; libxml2 may report more after recovering.
            let first =
                handler.firstParseError
                ?? (
                    code: (parser.parserError as NSError?)?.code ?? 0, line: parser.lineNumber,
                    column: parser.columnNumber
                )
            throw GuestPrepError.malformed(
                what: what,
                reason: "not well-formed XML at line \(first.line), column \(first.column): "
                    + describe(parserErrorCode: first.code))
        }
        guard handler.sawRoot else {
            throw GuestPrepError.malformed(what: what, reason: "the document has no root element")
        }
        return OVFEnvironment(properties: handler.properties, adapters: handler.adapters)
    }

    // MARK: - Screening before the parser sees the bytes

    /// Refuses what must never reach the XML parser: empty or non-UTF-8-compatible input, a
    /// DTD or entity declaration, an encoding declaration that could hide one.
    private static func screen(_ bytes: [UInt8]) throws {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.contains(0) {
            throw GuestPrepError.malformed(
                what: what,
                reason:
                    "the document is UTF-16 or UTF-32 or holds NUL bytes; an OVF environment must be UTF-8")
        }
        guard let first = bytes[start...].firstIndex(where: { !isXMLSpace($0) }) else {
            throw GuestPrepError.malformed(what: what, reason: "the document is empty")
        }
        guard bytes[first] == UInt8(ascii: "<") else {
            throw GuestPrepError.malformed(
                what: what,
                reason:
                    "the document does not start with '<' (found byte 0x\(String(bytes[first], radix: 16))); "
                    + "it is not an XML document")
        }
        for marker in ["<!DOCTYPE", "<!ENTITY"] {
            if let offset = find(marker, in: bytes) {
                throw GuestPrepError.malformed(
                    what: what,
                    reason: "DTDs are not allowed (external entities and entity expansion are rejected); "
                        + "found \(marker) at line \(line(of: offset, in: bytes))")
            }
        }
        if let encoding = declaredEncoding(bytes[first...]) {
            let allowed = ["utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin1"]
            guard allowed.contains(encoding.lowercased()) else {
                throw GuestPrepError.malformed(
                    what: what,
                    reason: "the XML declaration names encoding \"\(encoding)\"; only UTF-8, US-ASCII or "
                        + "ISO-8859-1 are accepted")
            }
        }
    }

    private static func isXMLSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The byte offset of `marker` in `bytes`, compared ASCII-case-insensitively.
    private static func find(_ marker: String, in bytes: [UInt8]) -> Int? {
        let needle = Array(marker.utf8).map(lowerASCII)
        guard bytes.count >= needle.count else { return nil }
        outer: for offset in 0...(bytes.count - needle.count) {
            for index in 0..<needle.count where lowerASCII(bytes[offset + index]) != needle[index] {
                continue outer
            }
            return offset
        }
        return nil
    }

    private static func lowerASCII(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }

    /// The 1-based line on which `offset` lies.
    private static func line(of offset: Int, in bytes: [UInt8]) -> Int {
        bytes[..<offset].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    }

    /// The `encoding` of a leading `<?xml ... ?>` declaration, if there is one; an empty
    /// string when the declaration names an encoding in a form this reader does not follow.
    private static func declaredEncoding(_ bytes: ArraySlice<UInt8>) -> String? {
        guard bytes.starts(with: "<?xml".utf8) else { return nil }
        let end = bytes.firstRange(of: Array("?>".utf8))?.lowerBound ?? bytes.endIndex
        let declaration = bytes[..<end]
        guard let name = declaration.firstRange(of: Array("encoding".utf8)) else { return nil }
        let rest = declaration[name.upperBound...].drop { isXMLSpace($0) || $0 == UInt8(ascii: "=") }
        guard let quote = rest.first, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
            return ""
        }
        return String(decoding: rest.dropFirst().prefix { $0 != quote }, as: UTF8.self)
    }

    /// Words for the libxml2 error codes a damaged ovf-env.xml most often produces.
    private static func describe(parserErrorCode code: Int) -> String {
        switch code {
        case 4: "the document is empty"
        case 5: "extra content after the end of the root element"
        case 9: "invalid character"
        case 23, 24, 26, 27: "undefined or malformed entity reference (use &amp; for a literal &)"
        case 38, 39, 40: "malformed attribute value (unescaped < or missing quote)"
        case 41: "attribute without a value"
        case 42: "attribute value not opened with a quote"
        case 65: "missing space between attributes"
        case 68, 69: "malformed element name"
        case 73: "'>' expected"
        case 76: "closing tag does not match the opening tag"
        case 77: "premature end of the document (an element is not closed)"
        case 201, 202, 203, 204: "namespace error (an undeclared prefix?)"
        default: "XML parser error \(code)"
        }
    }

    // MARK: - The SAX handler

    /// Collects the environment's properties and adapters as the parser reports elements.
    private final class Handler: NSObject, XMLParserDelegate {
        var properties: [(key: String, value: String)] = []
        var adapters: [EthernetAdapter] = []
        var failure: GuestPrepError?
        var sawRoot = false
        /// The first error the parser reported, where it stood then.
        var firstParseError: (code: Int, line: Int, column: Int)?

        /// The open elements, outermost first, as (namespace, local name).
        private var path: [(namespace: String, name: String)] = []
        /// Prefix → namespace URI for each open element.
        private var scopes: [[String: String]] = [[:]]
        private var pendingPrefixes: [String: String] = [:]

        func parser(_ parser: XMLParser, didStartMappingPrefix prefix: String, toURI namespaceURI: String) {
            pendingPrefixes[prefix] = namespaceURI
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName: String?, attributes: [String: String] = [:]
        ) {
            guard failure == nil else { return }
            let scope = (scopes.last ?? [:]).merging(pendingPrefixes) { $1 }
            pendingPrefixes = [:]
            scopes.append(scope)
            let element = (namespace: namespaceURI ?? "", name: elementName)
            path.append(element)

            if path.count == 1 {
                sawRoot = true
                guard element.namespace == environmentNamespace, element.name == "Environment" else {
                    let found =
                        element.namespace.isEmpty
                        ? "<\(element.name)> (no namespace)"
                        : "<\(element.name)> in namespace \(element.namespace)"
                    fail(
                        parser,
                        "the root element is \(found), not an OVF environment "
                            + "(<Environment xmlns=\"\(environmentNamespace)\">)")
                    return
                }
            }
            guard path.count == 3 else { return }
            let section = path[1]
            if section == (environmentNamespace, "PropertySection"),
                element == (environmentNamespace, "Property")
            {
                addProperty(parser, attributes, scope)
            } else if section == (vmwareNamespace, "EthernetAdapterSection"),
                element == (vmwareNamespace, "Adapter")
            {
                addAdapter(parser, attributes, scope)
            }
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
            qualifiedName: String?
        ) {
            _ = path.popLast()
            if scopes.count > 1 { scopes.removeLast() }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            if firstParseError == nil {
                firstParseError = ((parseError as NSError).code, parser.lineNumber, parser.columnNumber)
            }
        }

        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?)
        {
            fail(
                parser,
                "DTDs are not allowed (external entities and entity expansion are rejected); found entity \(name)"
            )
        }

        func parser(
            _ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?,
            systemID: String?
        ) {
            fail(
                parser,
                "DTDs are not allowed (external entities and entity expansion are rejected); found entity \(name)"
            )
        }

        private func addProperty(
            _ parser: XMLParser, _ attributes: [String: String], _ scope: [String: String]
        ) {
            let number = properties.count + 1
            guard let key = attribute("key", in: environmentNamespace, attributes, scope) else {
                fail(
                    parser,
                    "Property #\(number) of the PropertySection (line \(parser.lineNumber)) has no oe:key attribute"
                )
                return
            }
            guard let value = attribute("value", in: environmentNamespace, attributes, scope) else {
                fail(parser, "Property \(key) (line \(parser.lineNumber)) has no oe:value attribute")
                return
            }
            properties.append((key: key, value: value))
        }

        private func addAdapter(
            _ parser: XMLParser, _ attributes: [String: String], _ scope: [String: String]
        ) {
            let number = adapters.count + 1
            let line = parser.lineNumber
            guard let rawMAC = attribute("mac", in: vmwareNamespace, attributes, scope) else {
                fail(
                    parser,
                    "Adapter #\(number) of the EthernetAdapterSection (line \(line)) has no ve:mac attribute")
                return
            }
            guard let mac = normalizedMAC(rawMAC) else {
                fail(
                    parser,
                    "Adapter #\(number) (line \(line)) has ve:mac \"\(rawMAC)\", which is not a MAC address "
                        + "(six hex pairs separated by ':')")
                return
            }
            var unitNumber: Int?
            if let text = attribute("unitNumber", in: vmwareNamespace, attributes, scope) {
                guard let number = Int(text) else {
                    fail(
                        parser,
                        "Adapter \(mac) (line \(line)) has ve:unitNumber \"\(text)\", which is not a number")
                    return
                }
                unitNumber = number
            }
            let network = attribute("network", in: vmwareNamespace, attributes, scope)
            adapters.append(EthernetAdapter(mac: mac, network: network, unitNumber: unitNumber))
        }

        /// The attribute `name` in `namespace`, or the unqualified `name` when the namespaced
        /// one is absent.
        private func attribute(
            _ name: String, in namespace: String, _ attributes: [String: String], _ scope: [String: String]
        ) -> String? {
            var unqualified: String?
            for (qualified, value) in attributes {
                if let colon = qualified.firstIndex(of: ":") {
                    let prefix = String(qualified[..<colon])
                    if qualified[qualified.index(after: colon)...] == name, scope[prefix] == namespace {
                        return value
                    }
                } else if qualified == name {
                    unqualified = value
                }
            }
            return unqualified
        }

        /// `00:50:56:AB:CD:EF` or `00-50-56-ab-cd-ef` → `00:50:56:ab:cd:ef`.
        private func normalizedMAC(_ text: String) -> String? {
            let parts = text.split(
                separator: text.contains("-") ? "-" : ":", omittingEmptySubsequences: false)
            guard parts.count == 6,
                parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isHexDigit } })
            else { return nil }
            return parts.joined(separator: ":").lowercased()
        }

        private func fail(_ parser: XMLParser, _ reason: String) {
            if failure == nil {
                failure = GuestPrepError.malformed(what: OVFEnvironmentDecoder.what, reason: reason)
            }
            parser.abortParsing()
        }
    }
}
