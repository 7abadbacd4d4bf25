import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct KeyValueDecoderTests {
    private func decode(_ text: String) throws -> [(key: String, value: String)] {
        try KeyValueDecoder.decode(Array(text.utf8))
    }

    private func pairs(_ text: String) throws -> [String] {
        try decode(text).map { "\($0.key)=\($0.value)" }
    }

    private func message(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        FixtureSupport.malformedMessage("properties file", sourceLocation: sourceLocation) {
            try decode(text)
        } ?? ""
    }

    // MARK: key=value lines

    @Test func decodesTheEnvFixture() throws {
        let decoded = try KeyValueDecoder.decode(try FixtureSupport.bytes("properties.env"))
        #expect(
            decoded.map(\.key) == [
                "guestinfo.bitfusion.host.hostname", "guestinfo.bitfusion.host.net1.ipv4address",
                "guestinfo.bitfusion.host.net1.netmask", "guestinfo.bitfusion.host.net1.mtu",
                "guestinfo.bitfusion.host.net1.dns", "guestinfo.bitfusion.host.net1.domain",
                "guestinfo.bitfusion.server.vcenter-password", "guestinfo.bitfusion.server.vcenter-url",
            ])
        #expect(
            decoded.map(\.value) == [
                "bf-server-01", "10.20.30.41", "24 (255.255.255.0)", "", "10.20.0.53, 10.20.0.54",
                "lab.example.com", #"pa=ss "word" \ end"#, "https://vcenter.lab.example.com/sdk?a=b",
            ])
    }

    @Test func ignoresCommentsAndBlankLines() throws {
        #expect(try pairs("# comment\n\n   \n  # indented comment\na=1\n\t\n") == ["a=1"])
        #expect(try decode("").isEmpty)
        #expect(try decode("# only a comment").isEmpty)
    }

    @Test func trimsKeyAndValueAndSplitsAtTheFirstEquals() throws {
        #expect(try pairs("  a.b  =  x = y  \n") == ["a.b=x = y"])
        #expect(try pairs("a=#not a comment") == ["a=#not a comment"])
    }

    @Test func acceptsCRLFLinesAndAByteOrderMark() throws {
        #expect(
            try KeyValueDecoder.decode([0xEF, 0xBB, 0xBF] + Array("a=1\r\nb=2\r\n".utf8)).map(\.value) == [
                "1", "2",
            ])
    }

    @Test func stripsMatchingQuotes() throws {
        #expect(try pairs(#"a="  spaced  ""#) == ["a=  spaced  "])
        #expect(try pairs("a='  single  '") == ["a=  single  "])
        #expect(try pairs(#"a="""#) == ["a="])
        #expect(try pairs("a=''") == ["a="])
        #expect(try pairs(#"a=it's "fine""#) == [#"a=it's "fine""#])
    }

    @Test func interpretsOnlyQuoteAndBackslashEscapesInDoubleQuotes() throws {
        #expect(try pairs(#"a="say \"hi\" \\ \n \t""#) == [#"a=say "hi" \ \n \t"#])
        #expect(try pairs(#"a='no \"escapes\" \\ here'"#) == [#"a=no \"escapes\" \\ here"#])
        #expect(try pairs(#"a=plain \"text\""#) == [#"a=plain \"text\""#])
    }

    @Test func keepsDuplicateKeysInOrder() throws {
        let decoded = try decode("a=1\nb=2\na=3\n")
        #expect(decoded.map(\.key) == ["a", "b", "a"])
        let merged = PropertySet(decoded.map { Property(key: $0.key, value: $0.value, source: "file:x") })
        #expect(merged["a"] == "3")
    }

    @Test func rejectsALineWithoutEquals() {
        #expect(
            message("a=1\n\njust some words\n")
                == "properties file: line 3: expected KEY=VALUE but the line has no '='")
    }

    @Test func rejectsAnEmptyKey() {
        #expect(message("a=1\n  = value") == "properties file: line 2: the key before '=' is empty")
    }

    @Test func rejectsKeysThatAreNotPropertyKeys() {
        #expect(
            message("export a.b=1").contains(
                #"line 1: "export a.b" is not a property key (use only letters, digits, '.', '_' and '-'"#))
        #expect(
            message("ok=1\nkey/with/slash=1").contains(#"line 2: "key/with/slash" is not a property key"#))
        #expect(message("clé=1").contains(#"line 1: "clé" is not a property key"#))
    }

    @Test func rejectsUnterminatedQuotes() {
        #expect(
            message(#"a="open"# + "\n")
                == #"properties file: line 1: the value of a starts with " but does not end with a matching ""#
        )
        #expect(
            message("a='open\"")
                == #"properties file: line 1: the value of a starts with ' but does not end with a matching '"#
        )
        #expect(message(#"a="escaped end\""#).contains(#"the value of a starts with ""#))
        #expect(message("a=\"").contains("does not end with a matching"))
    }

    @Test func rejectsInvalidUTF8NamingTheLine() {
        let text = FixtureSupport.malformedMessage("properties file") {
            try KeyValueDecoder.decode(Array("a=1\nb=".utf8) + [0xFF])
        }
        #expect(text == "properties file: line 2: not valid UTF-8 text; save the file as UTF-8")
    }

    // MARK: JSON

    @Test func decodesTheJSONFixture() throws {
        let decoded = try KeyValueDecoder.decode(try FixtureSupport.bytes("properties.json"))
        // By key: JSONDecoder does not keep the document's order.
        #expect(
            decoded.map { "\($0.key)=\($0.value)" } == [
                "guestinfo.bitfusion.host.hostname=bf-server-01",
                "guestinfo.bitfusion.host.install_nvidia_packages=true",
                "guestinfo.bitfusion.host.net1.ipv4address=10.20.30.41",
                "guestinfo.bitfusion.host.net1.mtu=9000",
                "guestinfo.bitfusion.host.net1.netmask=24",
                "guestinfo.bitfusion.host.net2.configure=false",
                "guestinfo.bitfusion.server.vcenter-password=päss \"w\" \\ \n",
                "guestinfo.guestprep.ratio=1.5",
            ])
    }

    @Test func keepsIntegersAsWrittenAndOtherNumbersInShortestForm() throws {
        #expect(
            try pairs(#"{"a": -0.50, "b": 1E+3, "c": 0, "d": 12e-2, "e": 9000, "f": 99999999999999999999, "g": -7}"#) == [
                "a=-0.5", "b=1000", "c=0", "d=0.12", "e=9000", "f=99999999999999999999", "g=-7",
            ])
    }

    @Test func decodesStringEscapes() throws {
        #expect(try decode(#"{"a": "\u00e9\ud83d\ude00\/\t\b\f\r"}"#).map(\.value) == ["é😀/\t\u{8}\u{c}\r"])
    }

    @Test func jsonAllowsEmptyObjectsAndLeadingSpace() throws {
        #expect(try decode("  \n {}  \n").isEmpty)
        #expect(try pairs("\n{\"a\":\"\"}") == ["a="])
        #expect(try pairs("\u{FEFF}{\"a\": 1}") == ["a=1"])
    }

    /// JSONDecoder keeps the first of a key given twice and gives no way to tell: this pins
    /// what it does, so a change in FoundationEssentials shows here.
    @Test func jsonKeepsTheFirstOfADuplicateKey() throws {
        #expect(try pairs(#"{"a": "1", "b": "2", "a": "3"}"#) == ["a=1", "b=2"])
    }

    @Test func rejectsNestedValuesNamingTheKey() {
        #expect(
            message("{\n  \"a\": \"1\",\n  \"net\": {\"mtu\": 9000}\n}")
                == #"properties file: the value of "net" is an object; only strings, numbers and booleans are allowed"#
        )
        #expect(message(#"{"dns": ["10.0.0.1"]}"#).contains(#"the value of "dns" is an array"#))
    }

    @Test func rejectsNull() {
        #expect(
            message(#"{"a": null}"#).contains(
                #"the value of "a" is null; write "" for an empty value or leave the key out"#))
    }

    @Test(arguments: [
        "{\n\"a\": \"1\"\n\"b\": \"2\"}", #"{"a" "1"}"#, #"{a: "1"}"#, #"{"a": "1"} x"#, #"{"a": "1"#,
        #"{"a": yes}"#, #"{"a": "#, "{", #"{"a": 1,, "b": 2}"#,
    ])
    func rejectsTextThatIsNotJSON(_ text: String) {
        #expect(message(text).hasPrefix("properties file: not valid JSON"), "\(text)")
    }

    @Test func rejectsInvalidValuesNamingTheKey() {
        #expect(message(#"{"a": 01}"#).contains(#"the value of "a" is not a valid JSON number"#))
        #expect(message(#"{"a": 1.}"#).contains(#"the value of "a" is not a valid JSON number"#))
        #expect(message(#"{"big": 1e400}"#).contains(#"the value of "big" is not a valid JSON number, or one too large"#))
        #expect(message(#"{"a": "\q"}"#).contains(#"the value of "a" is not a valid JSON string"#))
        #expect(message(#"{"a": "\ud800"}"#).contains(#"the value of "a" is not a valid JSON string"#))
        #expect(message("{\"tab\": \"tab\there\"}").contains(#"the value of "tab" is not a valid JSON string"#))
    }

    /// JSONDecoder bounds its nesting before it recurses: a deep bomb is an error, not a stack
    /// overflow.
    @Test func deepNestingIsAnErrorNotACrash() {
        let depth = 100_000
        let text = #"{"a": "# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        #expect(message(text).hasPrefix("properties file: not valid JSON"))
        let shallow = #"{"a": "# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
        #expect(message(shallow).contains(#"the value of "a" is an array"#))
    }

    @Test func jsonKeysMustBePropertyKeys() {
        #expect(message("{\n\"a b\": \"1\"}") == #"properties file: "a b" is not a property key (use only letters, digits, '.', '_' and '-', e.g. guestinfo.bitfusion.host.hostname)"#)
    }
}
