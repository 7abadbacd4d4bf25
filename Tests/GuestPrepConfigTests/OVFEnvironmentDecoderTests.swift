import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct OVFEnvironmentDecoderTests {
    private func decode(_ text: String) throws -> OVFEnvironment {
        try OVFEnvironmentDecoder.decode(Array(text.utf8))
    }

    private func message(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        FixtureSupport.malformedMessage("ovf-env.xml", sourceLocation: sourceLocation) { try decode(text) }
            ?? ""
    }

    private static let header =
        #"<Environment xmlns="http://schemas.dmtf.org/ovf/environment/1" "#
        + #"xmlns:oe="http://schemas.dmtf.org/ovf/environment/1">"#

    @Test func decodesVMwareDefaultNamespaceDocument() throws {
        let environment = try OVFEnvironmentDecoder.decode(try FixtureSupport.bytes("ovf-env-vmware.xml"))
        #expect(environment.properties.count == 18)
        #expect(environment.properties.first?.key == "guestinfo.bitfusion.host.hostname")
        #expect(environment.properties.first?.value == "bf-server-01")
        let values = Dictionary(environment.properties.map { ($0.key, $0.value) }) { first, _ in first }
        #expect(values["guestinfo.bitfusion.host.net1.netmask"] == "24 (255.255.255.0)")
        #expect(values["guestinfo.bitfusion.host.net1.mtu"] == "")
        #expect(values["guestinfo.bitfusion.host.net2.mtu"] == "9000")
        #expect(values[PropertyKeys.vcenterPassword] == #"S3cret & <more> "quoted""#)
        #expect(environment.properties.last?.key == PropertyKeys.vcenterPassword)
        #expect(
            environment.adapters == [
                EthernetAdapter(mac: "00:50:56:8a:3b:01", network: "Management Network", unitNumber: 7),
                EthernetAdapter(mac: "00:50:56:8a:3b:02", network: "Bitfusion Data", unitNumber: 8),
                EthernetAdapter(mac: "00:50:56:8a:3b:03", network: "VM Network", unitNumber: 9),
            ])
    }

    @Test func ignoresPropertiesOfNestedEntities() throws {
        let environment = try OVFEnvironmentDecoder.decode(try FixtureSupport.bytes("ovf-env-vmware.xml"))
        #expect(!environment.properties.contains { $0.value == "bf-client-02" })
    }

    @Test func decodesPrefixedDocument() throws {
        let environment = try OVFEnvironmentDecoder.decode(try FixtureSupport.bytes("ovf-env-prefixed.xml"))
        #expect(
            environment.properties.map(\.key) == [
                "guestinfo.bitfusion.host.hostname", "guestinfo.bitfusion.host.net1.ipv4address",
                "guestinfo.bitfusion.host.net1.netmask", "guestinfo.bitfusion.host.net1.domain",
                "guestinfo.bitfusion.client.accesstoken", "guestinfo.bitfusion.host.hostname",
            ])
        #expect(
            environment.properties.map(\.value) == [
                "bf-client-01", "", "/24", "  lab example  ", "tok&en=abc", "bf-client-01b",
            ])
        #expect(
            environment.adapters == [
                EthernetAdapter(mac: "00:50:56:ab:00:01", network: "VM Network", unitNumber: 7),
                EthernetAdapter(mac: "00:50:56:ab:00:02", network: "Data Network", unitNumber: nil),
            ])
    }

    @Test func duplicateKeysKeepDocumentOrderAndTheLastWinsInAMerge() throws {
        let environment = try OVFEnvironmentDecoder.decode(try FixtureSupport.bytes("ovf-env-prefixed.xml"))
        let hostnames = environment.properties.filter { $0.key == PropertyKeys.hostname }.map(\.value)
        #expect(hostnames == ["bf-client-01", "bf-client-01b"])
        let merged = PropertySet(
            environment.properties.map { Property(key: $0.key, value: $0.value, source: "ovf") })
        #expect(merged[PropertyKeys.hostname] == "bf-client-01b")
    }

    @Test func acceptsUnqualifiedKeyAndValueAttributes() throws {
        let environment = try decode(
            #"<Environment xmlns="http://schemas.dmtf.org/ovf/environment/1"><PropertySection>"#
                + #"<Property key="a" value="1"/></PropertySection></Environment>"#)
        #expect(environment.properties.map(\.key) == ["a"])
        #expect(environment.properties.map(\.value) == ["1"])
    }

    @Test func ignoresKeyAttributesOfAnotherNamespace() throws {
        let environment = try decode(
            Self.header + #"<PropertySection xmlns:x="urn:other">"#
                + #"<Property x:key="wrong" oe:key="right" oe:value="v"/></PropertySection></Environment>"#)
        #expect(environment.properties.map(\.key) == ["right"])
    }

    @Test func keepsValuesExactlyAsWritten() throws {
        let environment = try decode(
            Self.header + "<PropertySection>"
                + #"<Property oe:key="amp" oe:value="a &amp; b"/>"#
                + #"<Property oe:key="spaces" oe:value="  two  spaces  "/>"#
                + #"<Property oe:key="empty" oe:value=""/>"#
                + #"<Property oe:key="newline" oe:value="line1&#10;line2"/>"#
                + #"<Property oe:key="unicode" oe:value="Grüße ✓"/>"#
                + "</PropertySection></Environment>")
        #expect(
            environment.properties.map(\.value) == [
                "a & b", "  two  spaces  ", "", "line1\nline2", "Grüße ✓",
            ])
    }

    @Test func documentWithoutSectionsIsEmpty() throws {
        #expect(try decode(Self.header + "</Environment>") == OVFEnvironment())
    }

    @Test func rejectsExternalEntities() {
        let text = message(
            #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>"#
                + Self.header
                + #"<PropertySection><Property oe:key="k" oe:value="&e;"/></PropertySection></Environment>"#)
        #expect(
            text.contains(
                "ovf-env.xml: DTDs are not allowed (external entities and entity expansion are rejected)"))
        #expect(text.contains("<!DOCTYPE at line 1"))
    }

    @Test func rejectsBillionLaughs() {
        var document = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            document += " <!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">\n"
        }
        document +=
            "]>\n" + Self.header + "<PropertySection><Property oe:key=\"k\" oe:value=\"&lol9;\"/>"
            + "</PropertySection></Environment>"
        let text = message(document)
        #expect(text.contains("DTDs are not allowed"))
        #expect(text.contains("<!DOCTYPE at line 2"))
    }

    @Test func rejectsLowerCaseAndEntityOnlyDeclarations() {
        // Neither is a declaration expat reads: both are not well-formed, and refused.
        #expect(
            message("<!doctype x>" + Self.header + "</Environment>")
                == "ovf-env.xml: not well-formed XML at line 1, column 1: syntax error")
        #expect(
            message(Self.header + "<!ENTITY e \"x\"></Environment>")
                == "ovf-env.xml: not well-formed XML at line 1, column \(Self.header.count + 3): not well-formed "
                + "(invalid token)")
    }

    @Test func rejectsEncodingsThatCouldHideADTD() throws {
        let text = message(#"<?xml version="1.0" encoding="UTF-7"?>"# + Self.header + "</Environment>")
        #expect(text.contains("encoding \"UTF-7\"; only UTF-8, US-ASCII or ISO-8859-1 are accepted"))
        let padded = message(
            "<?xml version=\"1.0\"" + String(repeating: " ", count: 300) + "encoding\r\n=\r\n'utf-7'?>"
                + Self.header + "</Environment>")
        #expect(padded.contains("encoding \"utf-7\""))
        // An encoding the reader cannot read for certain is refused, never guessed.
        #expect(
            message("<?xml version=\"1.0\" encoding=UTF-7?>" + Self.header + "</Environment>")
                .contains("not well-formed XML at line 1, column 30: XML declaration not well-formed"))
        #expect(
            try decode("<?xml version=\"1.0\" encoding=\"utf-8\"?>" + Self.header + "</Environment>")
                == OVFEnvironment())
        let utf16 = FixtureSupport.malformedMessage("ovf-env.xml") {
            try OVFEnvironmentDecoder.decode([0xFF, 0xFE] + Array("<E/>".utf8).flatMap { [$0, 0] })
        }
        #expect(utf16?.contains("an OVF environment must be UTF-8") == true)
    }

    @Test func malformedXMLNamesTheLine() {
        let text = message(
            Self.header
                + "\n<PropertySection>\n<Property oe:key=\"a\" oe:value=\"1\">\n</PropertySection>\n</Environment>"
        )
        #expect(text == "ovf-env.xml: not well-formed XML at line 4, column 3: mismatched tag")
    }

    @Test func malformedEntityReferenceIsExplained() {
        let text = message(
            Self.header
                + "<PropertySection><Property oe:key=\"a\" oe:value=\"a & b\"/></PropertySection></Environment>"
        )
        #expect(text.contains("not well-formed XML at line 1"))
    }

    @Test func rejectsEmptyAndNonXMLDocuments() {
        #expect(message("").contains("ovf-env.xml: the document is empty"))
        #expect(message("  \n ").contains("the document is empty"))
        #expect(message("guestinfo.x=1").contains("does not start with '<'"))
    }

    @Test func rejectsAnotherRootElement() {
        #expect(
            message(#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"/>"#).contains(
                "the root element is <Envelope> in namespace http://schemas.dmtf.org/ovf/envelope/1, "
                    + "not an OVF environment"))
        #expect(message("<Environment/>").contains("the root element is <Environment> (no namespace)"))
    }

    @Test func rejectsPropertyWithoutKeyOrValue() {
        #expect(
            message(
                Self.header + #"<PropertySection><Property oe:value="v"/></PropertySection></Environment>"#
            )
            .contains("Property #1 of the PropertySection (line 1) has no oe:key attribute"))
        #expect(
            message(Self.header + #"<PropertySection><Property oe:key="k"/></PropertySection></Environment>"#)
                .contains("Property k (line 1) has no oe:value attribute"))
    }

    @Test func rejectsBadAdapters() {
        let open =
            Self.header.dropLast()
            + #" xmlns:ve="http://www.vmware.com/schema/ovfenv"><ve:EthernetAdapterSection>"#
        let close = "</ve:EthernetAdapterSection></Environment>"
        #expect(
            message(open + #"<ve:Adapter ve:network="n"/>"# + close)
                .contains("Adapter #1 of the EthernetAdapterSection (line 1) has no ve:mac attribute"))
        #expect(
            message(open + #"<ve:Adapter ve:mac="00:50:56:zz:00:01"/>"# + close)
                .contains(#"has ve:mac "00:50:56:zz:00:01", which is not a MAC address"#))
        #expect(
            message(open + #"<ve:Adapter ve:mac="00:50:56:00:00:01" ve:unitNumber="seven"/>"# + close)
                .contains(
                    #"Adapter 00:50:56:00:00:01 (line 1) has ve:unitNumber "seven", which is not a number"#))
    }

    @Test func decodesISO88591Documents() throws {
        let document =
            Array(("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" + Self.header).utf8)
            + Array(#"<PropertySection><Property oe:key="greeting" oe:value="Gr"#.utf8) + [0xFC, 0xDF, 0x65]
            + Array(#" aus Z"#.utf8) + [0xFC] + Array(#"rich"/></PropertySection></Environment>"#.utf8)
        let environment = try OVFEnvironmentDecoder.decode(document)
        #expect(environment.properties.map(\.value) == ["Grüße aus Zürich"])
    }

    @Test func characterDataAndCDATADoNotDisturbTheProperties() throws {
        let environment = try decode(
            Self.header + "text before<PropertySection>\n  loose text &amp; more\n"
                + #"<![CDATA[<Property oe:key="fake" oe:value="x"/>]]>"#
                + #"<Property oe:key="a" oe:value="1">content <![CDATA[<b>]]> &#x263A;</Property>"#
                + #"<Property oe:key="b" oe:value="2"/></PropertySection></Environment>"#)
        #expect(environment.properties.map(\.key) == ["a", "b"])
        #expect(environment.properties.map(\.value) == ["1", "2"])
    }

    @Test func skipsCommentsAndProcessingInstructionsBetweenSections() throws {
        let document =
            "<?xml version=\"1.0\"?>\n<!-- generated -->\n<?vmware tool=\"ovftool\"?>\n"
            + Self.header.dropLast() + #" xmlns:ve="http://www.vmware.com/schema/ovfenv">"#
            + "<!-- properties --><?pi?><PropertySection><!-- one --><Property oe:key=\"k\" oe:value=\"v\"/>"
            + "<?pi x?></PropertySection><!-- adapters -->"
            + #"<ve:EthernetAdapterSection><!-- nic --><ve:Adapter ve:mac="00:50:56:00:00:01"/>"#
            + "</ve:EthernetAdapterSection></Environment>\n<!-- end -->\n<?done?>\n"
        let environment = try decode(document)
        #expect(environment.properties.map(\.key) == ["k"])
        #expect(environment.adapters == [EthernetAdapter(mac: "00:50:56:00:00:01")])
    }

    @Test func ignoresAdapterSectionsAndAdaptersOfOtherNamespaces() throws {
        let environment = try decode(
            Self.header.dropLast() + #" xmlns:ve="http://www.vmware.com/schema/ovfenv" xmlns:x="urn:other">"#
                + #"<EthernetAdapterSection><Adapter mac="00:50:56:00:00:01"/></EthernetAdapterSection>"#
                + #"<x:EthernetAdapterSection><ve:Adapter ve:mac="00:50:56:00:00:02"/></x:EthernetAdapterSection>"#
                + #"<ve:EthernetAdapterSection><x:Adapter ve:mac="00:50:56:00:00:03"/>"#
                + #"<ve:Adapter ve:mac="00:50:56:00:00:04"/></ve:EthernetAdapterSection></Environment>"#)
        #expect(environment.adapters.map(\.mac) == ["00:50:56:00:00:04"])
    }

    @Test func decodesTenThousandProperties() throws {
        let count = 10_000
        let properties = (0..<count).map { #"  <Property oe:key="guestinfo.key.\#($0)" oe:value="v\#($0)"/>"# }
        let environment = try decode(
            Self.header + "\n<PropertySection>\n" + properties.joined(separator: "\n")
                + "\n</PropertySection>\n</Environment>\n")
        #expect(environment.properties.count == count)
        #expect(environment.properties.last?.key == "guestinfo.key.9999")
        #expect(environment.properties.last?.value == "v9999")
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        let text = message(
            Self.header + "\n<PropertySection>\n  <Property oe:key=\"a\" oe:value=\"a&nbsp;b\"/>\n"
                + "</PropertySection></Environment>")
        // expat places an undefined entity of an attribute value at its start tag, and a
        // mismatched end tag at its name.
        #expect(text == "ovf-env.xml: not well-formed XML at line 3, column 3: undefined entity")
        #expect(
            message(Self.header + "<PropertySection></Environment>")
                == "ovf-env.xml: not well-formed XML at line 1, column \(Self.header.count + 20): mismatched tag")
        #expect(
            message(Self.header + "<PropertySection>")
                == "ovf-env.xml: not well-formed XML at line 1, column \(Self.header.count + 18): no element found")
    }

    @Test func missingAttributesNameTheLineOfTheirElement() {
        #expect(
            message(
                Self.header + "\n<PropertySection>\n<Property oe:key=\"a\" oe:value=\"1\"/>\n"
                    + "<Property\n oe:value=\"2\"/>\n</PropertySection></Environment>"
            )
            .contains("Property #2 of the PropertySection (line 4) has no oe:key attribute"))
    }

    @Test func limitsAndEncodingsReadInTheReasons() {
        let deep = String(repeating: "<e>", count: 300) + String(repeating: "</e>", count: 300)
        #expect(
            message(Self.header + deep + "</Environment>")
                == "ovf-env.xml: elements nest deeper than 256 levels, the limit of this reader at line 1, "
                + "column \(Self.header.count + 3 * 255 + 1)")
        #expect(
            message(#"<?xml version="1.0" encoding="Shift_JIS"?>"# + Self.header + "</Environment>")
                == #"ovf-env.xml: the XML declaration names encoding "Shift_JIS"; only UTF-8, US-ASCII or "#
                + "ISO-8859-1 are accepted")
        #expect(
            message("<?xml version=\"1.0\"?>\n<!DOCTYPE Environment>" + Self.header + "</Environment>")
                == "ovf-env.xml: DTDs are not allowed (external entities and entity expansion are rejected); "
                + "found <!DOCTYPE at line 2, column 22")
    }
}
