import GuestPrepConfig
import Testing

/// The document as one line without positions: strings in double quotes (Swift's escapes),
/// other scalars as their values, `[…]` for sequences and `{k: v}` for mappings.
private func canonical(_ node: YAMLNode?) -> String {
    guard let node else { return "<empty>" }
    switch node.value {
    case .null: return "null"
    case .bool(let bool): return "\(bool)"
    case .int(let int): return "\(int)"
    case .float(let double): return "\(double)"
    case .string(let string): return string.debugDescription
    case .sequence(let items): return "[" + items.map(canonical).joined(separator: ", ") + "]"
    case .mapping(let entries):
        return "{" + entries.map { "\(canonical($0.key)): \(canonical($0.value))" }.joined(separator: ", ") + "}"
    }
}

/// `yaml` read and made canonical.
private func read(_ yaml: String) throws -> String {
    canonical(try YAMLReader.read(yaml))
}

/// The error reading `yaml` throws, or nil when it reads.
private func rejection(_ yaml: String) -> YAMLSyntaxError? {
    do {
        _ = try YAMLReader.read(yaml)
        return nil
    } catch {
        return error
    }
}

@Suite struct YAMLReaderTests {
    // MARK: Block structure

    @Test func nestedBlockMappings() throws {
        let yaml = """
            name: test
            limits:
              memory: 512
              nested:
                deep: yes
            last: ~
            """
        #expect(try read(yaml) == #"{"name": "test", "limits": {"memory": 512, "nested": {"deep": "yes"}}, "last": null}"#)
    }

    @Test func blockSequences() throws {
        #expect(try read("- a\n- 2\n-\n- true\n") == #"["a", 2, null, true]"#)
        #expect(try read("items:\n  - a\n  -\n    - b\n    - c\n") == #"{"items": ["a", ["b", "c"]]}"#)
    }

    @Test func sequenceAtTheIndentationOfItsKey() throws {
        let yaml = """
            steps:
            - hostname
            - network
            after: 1
            """
        #expect(try read(yaml) == #"{"steps": ["hostname", "network"], "after": 1}"#)
    }

    @Test func mappingStartedOnAListItemLine() throws {
        let yaml = """
            -   name: a
                size: 1
            - name: b
              tags:
              - x
              - y
              more:
                deeper: true
            """
        #expect(
            try read(yaml)
                == #"[{"name": "a", "size": 1}, {"name": "b", "tags": ["x", "y"], "more": {"deeper": true}}]"#)
    }

    @Test func listStartedOnAListItemLine() throws {
        #expect(try read("- - a\n  - b\n- - c\n") == #"[["a", "b"], ["c"]]"#)
    }

    @Test func missingValuesAreNull() throws {
        #expect(try read("a:\nb:   # nothing\nc:\n") == #"{"a": null, "b": null, "c": null}"#)
        #expect(try read("a:\n- 1\n") == #"{"a": [1]}"#)
    }

    @Test func valueOnTheLineBelowItsKey() throws {
        #expect(try read("a:\n  text here\nb:\n  'quoted'\n") == #"{"a": "text here", "b": "quoted"}"#)
    }

    @Test func topLevelScalarsAndIndentedRoot() throws {
        #expect(try read("just text\n") == #""just text""#)
        #expect(try read("  a: 1\n  b: 2\n") == #"{"a": 1, "b": 2}"#)
    }

    @Test func plainScalarsKeepColonsAndHashesThatAreNotIndicators() throws {
        let yaml = "url: http://example.com:8080/x#frag\ntime: 12:30\nquote: it's \"fine\"\nkey:with: colon\n"
        #expect(
            try read(yaml)
                == ##"{"url": "http://example.com:8080/x#frag", "time": "12:30", "quote": "it\'s \"fine\"", "key:with": "colon"}"##)
    }

    @Test func quotedKeys() throws {
        #expect(try read("\"a b\": 1\n'c': 2\n\"d\" : 3\n") == #"{"a b": 1, "c": 2, "d": 3}"#)
    }

    // MARK: Flow collections

    @Test func flowCollections() throws {
        #expect(try read("a: [x, 'y', \"z\", 1, true, ~]\n") == #"{"a": ["x", "y", "z", 1, true, null]}"#)
        #expect(try read("a: {b: 1, c: [2, 3], d: {e: f}}\n") == #"{"a": {"b": 1, "c": [2, 3], "d": {"e": "f"}}}"#)
        #expect(try read("a: []\nb: {}\nc: [ ]\n") == #"{"a": [], "b": {}, "c": []}"#)
        #expect(try read("[a, b,]\n") == #"["a", "b"]"#)
        #expect(try read("{a: , b: 2}\n") == #"{"a": null, "b": 2}"#)
        #expect(try read("{\"a\":, 'b':}\n") == #"{"a": null, "b": null}"#)
        #expect(try read(#"{"a":1, "b": x y}"#) == #"{"a": 1, "b": "x y"}"#)
        #expect(try read("- [a, b]\n- {c: d}\n") == #"[["a", "b"], {"c": "d"}]"#)
        #expect(try read("[a:b, http://x/y]\n") == #"["a:b", "http://x/y"]"#)
    }

    @Test func flowCollectionsOverSeveralLines() throws {
        let yaml = """
            ids: [0x20b0,  # A100
                  0x20b2,

                  0x20b5]
            map: {
              a: 1,
              b: [x,
                y],
              }
            """
        #expect(try read(yaml) == #"{"ids": [8368, 8370, 8373], "map": {"a": 1, "b": ["x", "y"]}}"#)
    }

    // MARK: Scalars

    @Test func singleQuotedScalars() throws {
        #expect(try read("a: 'it''s # not a comment'\nb: ''\nc: '\\n stays'\n") == ##"{"a": "it\'s # not a comment", "b": "", "c": "\\n stays"}"##)
    }

    @Test func doubleQuotedEscapes() throws {
        let node = try #require(try YAMLReader.read(#"a: "q\" b\\ n\n t\t u\u00e9 U\U0001F600 x\x41 \/ \0 \e \N \_ \L \P \ ""#))
        #expect(node["a"]?.string == "q\" b\\ n\n t\t u\u{E9} U\u{1F600} xA / \u{0} \u{1B} \u{85} \u{A0} \u{2028} \u{2029}  ")
        #expect(try read("a: \"tab\\\tx\"\n") == #"{"a": "tab\tx"}"#)
        #expect(try read("a: \"# not a comment\" # a comment\n") == ##"{"a": "# not a comment"}"##)
    }

    @Test func literalBlockScalars() throws {
        let yaml = """
            clip: |
              line 1
                indented
              # not a comment

              line 3


            strip: |-
              text

            keep: |+
              text


            after: x
            """
        #expect(
            try read(yaml)
                == ##"{"clip": "line 1\n  indented\n# not a comment\n\nline 3\n", "strip": "text", "keep": "text\n\n\n", "after": "x"}"##)
    }

    @Test func foldedBlockScalars() throws {
        let yaml = """
            a: >
              folded
              line

              next
              line
                * bullet

                * list
              last
            b: >-
              one
              two
            """
        #expect(
            try read(yaml)
                == #"{"a": "folded line\nnext line\n  * bullet\n\n  * list\nlast\n", "b": "one two"}"#)
    }

    @Test func blockScalarEdges() throws {
        // An indentation indicator allows text starting with spaces.
        #expect(try read("a: |2\n    two more\n  base\n") == #"{"a": "  two more\nbase\n"}"#)
        // Leading empty lines are kept; the last line without a line break gets none.
        #expect(try read("a: |\n\n  x\n  y") == #"{"a": "\nx\ny"}"#)
        // Empty content.
        #expect(try read("a: |\nb: 1\n") == #"{"a": "", "b": 1}"#)
        #expect(try read("a: |+\n\nb: 1\n") == #"{"a": "\n", "b": 1}"#)
        // In a list item, with a header comment, and chomping and indicator in either order.
        #expect(try read("- |  # comment\n  x\n- >-1\n  y\n- |2-\n   z\n") == #"["x\n", " y", " z"]"#)
        // At the top level, indented like any other.
        #expect(try read("--- |\n  text\n...\n") == #""text\n""#)
        #expect(try read("--- >1\n  text\n") == #"" text\n""#)
    }

    @Test(arguments: [
        ("~", YAMLNode.Value.null), ("null", .null), ("Null", .null), ("NULL", .null), ("", .null),
        ("true", .bool(true)), ("True", .bool(true)), ("TRUE", .bool(true)),
        ("false", .bool(false)), ("False", .bool(false)), ("FALSE", .bool(false)),
        ("0", .int(0)), ("42", .int(42)), ("-17", .int(-17)), ("+5", .int(5)), ("007", .int(7)),
        ("0x20b0", .int(0x20b0)), ("0xFF", .int(255)), ("0o755", .int(0o755)),
        ("9223372036854775807", .int(Int.max)), ("-9223372036854775808", .int(Int.min)),
        ("1.5", .float(1.5)), ("-0.25", .float(-0.25)), (".5", .float(0.5)), ("+.5", .float(0.5)),
        ("1.", .float(1)), ("2e3", .float(2000)), ("1.5E-2", .float(0.015)), ("-1e+2", .float(-100)),
        (".inf", .float(.infinity)), (".Inf", .float(.infinity)), ("+.INF", .float(.infinity)),
        ("-.inf", .float(-.infinity)),
        // Not in the core schema: strings.
        ("yes", .string("yes")), ("no", .string("no")), ("on", .string("on")), ("tRUE", .string("tRUE")),
        ("nULL", .string("nULL")), ("n", .string("n")), ("N", .string("N")), ("~~", .string("~~")), ("0X1F", .string("0X1F")), ("0x", .string("0x")), ("0xg", .string("0xg")),
        ("0o8", .string("0o8")), ("-0x1", .string("-0x1")), ("1_000", .string("1_000")), ("1e", .string("1e")),
        (".", .string(".")), ("+", .string("+")), ("1.2.3", .string("1.2.3")), ("inf", .string("inf")),
        ("nan", .string("nan")), ("0b101", .string("0b101")), ("1 2", .string("1 2")),
    ])
    func plainScalarsResolveByTheCoreSchema(_ text: String, _ value: YAMLNode.Value) throws {
        let node = try #require(try YAMLReader.read("v: \(text)\n")?["v"])
        #expect(node.value == value)
        #expect(node.text == text)
        #expect(node.style == .plain)
    }

    @Test(arguments: [".nan", ".NaN", ".NAN"])
    func notANumber(_ text: String) throws {
        let node = try #require(try YAMLReader.read("v: \(text)\n")?["v"])
        #expect(node.kind == .float)
        #expect(node.double?.isNaN == true)
    }

    @Test(arguments: ["'true'", "\"0x10\"", "'~'", "\"\"", "'1.5'", "|\n  null\n"])
    func quotedAndBlockScalarsAreStrings(_ text: String) throws {
        let node = try #require(try YAMLReader.read("v: \(text)\n")?["v"])
        #expect(node.kind == .string)
    }

    @Test func keysAreResolvedToo() throws {
        #expect(try read("1: a\n'1': b\ntrue: c\n~: d\n") == #"{1: "a", "1": "b", true: "c", null: "d"}"#)
    }

    // MARK: Comments and documents

    @Test func comments() throws {
        let yaml = """
            # leading comment
            a: 1 # after a value
              # indented comment line
            b:   # after a key
              - x  # after an item
            # between
              - y
            c: "#x" #c
            """
        #expect(try read(yaml) == ##"{"a": 1, "b": ["x", "y"], "c": "#x"}"##)
    }

    @Test func documentMarkers() throws {
        #expect(try read("---\na: 1\n...\n") == #"{"a": 1}"#)
        #expect(try read("--- # start\na: 1\n... # end\n# trailing comment\n") == #"{"a": 1}"#)
        #expect(try read("--- text\n") == #""text""#)
        #expect(try read("--- [a, b]\n") == #"["a", "b"]"#)
        #expect(try read("--- ~\n") == "null")
        #expect(try read("a: ---\nb: ...x\n") == #"{"a": "---", "b": "...x"}"#)
    }

    @Test(arguments: ["", "\n\n", "# only a comment\n", "---\n", "--- # nothing\n", "---\n...\n", "  \n \n"])
    func emptyDocuments(_ yaml: String) throws {
        #expect(try YAMLReader.read(yaml) == nil)
    }

    @Test func windowsLineEndingsAndByteOrderMark() throws {
        #expect(try read("\u{FEFF}a: 1\r\nb:\r\n  - x\r\nc: |\r\n  t\r\n") == #"{"a": 1, "b": ["x"], "c": "t\n"}"#)
        let error = try #require(rejection("\u{FEFF}a: [1\r\n"))
        #expect((error.line, error.column) == (2, 1))
        #expect(error.message.contains("while parsing a flow sequence on line 1, column 4"), "\(error)")
    }

    // MARK: Positions and the node API

    @Test func nodesCarryLineAndColumn() throws {
        let yaml = """
            a:
              - b: 'x'
                é: [1, {k: v}]
            """
        let root = try #require(try YAMLReader.read(yaml))
        #expect((root.line, root.column, root.style) == (1, 1, .block))
        let list = try #require(root["a"])
        #expect((list.line, list.column) == (2, 3))
        let item = try #require(list.items?.first)
        #expect((item.line, item.column) == (2, 5))
        let x = try #require(item["b"])
        #expect((x.line, x.column, x.style) == (2, 8, .singleQuoted))
        let keyé = try #require(item.entries?.last?.key)
        #expect((keyé.line, keyé.column) == (3, 5))
        let flow = try #require(item["é"])
        #expect((flow.line, flow.column, flow.style) == (3, 8, .flow))
        // Columns count characters, not bytes: 'é' is two bytes.
        let inner = try #require(flow.items?.last?["k"])
        #expect((inner.line, inner.column) == (3, 16))
        // A missing value is where it would be.
        let empty = try #require(try YAMLReader.read("key:\nother: 1\n")?["key"])
        #expect((empty.line, empty.column, empty.isNull) == (1, 5, true))
    }

    @Test func nodeAccessors() throws {
        let root = try #require(try YAMLReader.read("s: x\ni: 0x10\nb: TRUE\nf: 2.5\nl: [1]\nm: {k: v}\nn:\n"))
        #expect(root.kind == .mapping)
        #expect(root["s"]?.string == "x" && root["s"]?.int == nil)
        #expect(root["i"]?.int == 16 && root["i"]?.text == "0x10" && root["i"]?.double == 16)
        #expect(root["b"]?.bool == true && root["b"]?.text == "TRUE" && root["b"]?.kind == .bool)
        #expect(root["f"]?.double == 2.5 && root["f"]?.kind == .float)
        #expect(root["l"]?.items?.count == 1 && root["l"]?.kind == .sequence && root["l"]?.isScalar == false)
        #expect(root["m"]?["k"]?.string == "v")
        #expect(root["n"]?.isNull == true && root["n"]?.isScalar == true)
        #expect(root["missing"] == nil && root["s"]?["x"] == nil)
    }

    @Test func gpuCatalogLikeDocument() throws {
        let yaml = """
            # GPUs guestprep knows, by PCI vendor and device id.
            ---
            vendor: 0x10de
            gpus:
              - name: "NVIDIA A100-PCIE-40GB"
                architecture: ampere
                memory_gib: 40
                devices:
                  - id: 0x20f1
                    subsystem: 0x145f
                  - {id: 0x20b0, subsystem: 0x134f}
                mig: true
              - name: 'NVIDIA H100 PCIe'
                architecture: hopper
                memory_gib: 80
                devices:
                - id: 0x2331
                  subsystem: 0x1626
                mig: true
                notes: >
                  Needs the open kernel
                  modules.
            ...
            """
        let root = try #require(try YAMLReader.read(yaml))
        #expect(root["vendor"]?.int == 0x10de)
        let gpus = try #require(root["gpus"]?.items)
        #expect(gpus.count == 2)
        #expect(gpus.map { $0["name"]?.string } == ["NVIDIA A100-PCIE-40GB", "NVIDIA H100 PCIe"])
        #expect(gpus.map { $0["memory_gib"]?.int } == [40, 80])
        #expect(gpus[0]["devices"]?.items?.map { $0["id"]?.int } == [0x20f1, 0x20b0])
        #expect(gpus[0]["devices"]?.items?.map { $0["subsystem"]?.int } == [0x145f, 0x134f])
        #expect(gpus[1]["devices"]?.items?.first?["id"]?.int == 0x2331)
        #expect(gpus.allSatisfy { $0["mig"]?.bool == true })
        #expect(gpus[1]["notes"]?.string == "Needs the open kernel modules.\n")
        #expect(gpus[1]["devices"]?.line == 17)
    }

    // MARK: Rejections

    /// What guestprep refuses on top of YAML: its own checks, with its own words.
    @Test(arguments: [
        // Anchors, aliases, tags, directives, complex keys.
        ("a: &x 1\n", 1, 4, "anchors ('&name') are not supported"),
        ("a: *x\n", 1, 4, "aliases ('*name') are not supported"),
        ("a: !!str 1\n", 1, 4, "tags ('!name') are not supported"),
        ("- !x a: 1\n", 1, 3, "tags ('!name') are not supported"),
        ("a: [&x 1]\n", 1, 5, "anchors ('&name') are not supported"),
        ("a: &x\n  b: 1\n", 1, 4, "anchors ('&name') are not supported"),
        ("%YAML 1.1\n---\na: 1\n", 1, 1, "directives ('%YAML', '%TAG') are not supported"),
        ("[a, b]: c\n", 1, 1, "a list or mapping cannot be a key (complex keys are not supported)"),
        ("{[a]: b}\n", 1, 2, "a list or mapping cannot be a key"),
        ("a: 1\n[b]: 2\n", 2, 1, "a list or mapping cannot be a key"),
        ("? - a\n: b\n", 1, 3, "a list or mapping cannot be a key"),
        // Documents.
        ("a: 1\n---\nb: 2\n", 2, 1, "a second document: only one document is supported"),
        ("---\n---\n", 2, 1, "a second document"),
        ("a: 1\n...\n---\nb: 2\n", 3, 1, "a second document"),
        // Duplicate keys, naming both.
        ("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a' (first on line 1, column 1)"),
        ("x:\n  - k: 1\n    k: 2\n", 3, 5, "duplicate key 'k' (first on line 2, column 5)"),
        ("{a: 1, b: 2, a: 3}\n", 1, 14, "duplicate key 'a' (first on line 1, column 2)"),
        ("1: a\n0x1: b\n", 2, 1, "duplicate key '0x1' (first on line 1, column 1)"),
        ("'a': 1\na: 2\n", 2, 1, "duplicate key 'a' (first on line 1, column 1)"),
        ("a:\n~: 1\nnull: 2\n", 3, 1, "duplicate key 'null' (first on line 2, column 1)"),
        // Integers too large for 64 bits.
        ("a: 99999999999999999999\n", 1, 4, "the integer '99999999999999999999' does not fit in 64 bits"),
        ("a: 0x10000000000000000\n", 1, 4, "the integer '0x10000000000000000' does not fit in 64 bits"),
    ] as [(String, Int, Int, String)])
    func rejects(_ yaml: String, _ line: Int, _ column: Int, _ problem: String) throws {
        let error = try #require(rejection(yaml))
        #expect((error.line, error.column) == (line, column), "\(error)")
        #expect(error.message.contains(problem), "\(error)")
        #expect(error.description == "line \(line), column \(column): \(error.message)")
    }

    /// What libyaml refuses: its problem where it found it, and its context ("while parsing a
    /// flow sequence") with where that started.
    @Test(arguments: [
        // Tabs cannot indent.
        ("a:\n\tb: 1\n", 2, 1, "found character that cannot start any token (while scanning for the next token on line 2, column 1)"),
        ("a:\n  \t- b\n", 2, 3, "found character that cannot start any token"),
        ("-\tb: 1\n", 1, 2, "found character that cannot start any token"),
        ("a: 1\n\t\n", 2, 1, "found a tab character that violates indentation (while scanning a plain scalar on line 1, column 4)"),
        ("  \n\t\n", 2, 1, "found character that cannot start any token"),
        // Indentation.
        ("a:\n    b: 1\n  c: 2\n", 3, 3, "did not find expected key (while parsing a block mapping on line 1, column 1)"),
        ("  a: 1\nb: 2\n", 2, 1, "did not find expected <document start>"),
        ("- a\nb: 1\n", 2, 1, "did not find expected '-' indicator (while parsing a block collection on line 1, column 1)"),
        ("a: |\n    \n  x\n", 3, 3, "did not find expected key (while parsing a block mapping on line 1, column 1)"),
        ("--- |\ntext\n", 2, 1, "did not find expected <document start>"),
        ("a: 1\n...\nb: 2\n", 3, 1, "did not find expected <document start>"),
        ("# c\n...\n", 2, 1, "did not find expected node content (while parsing a block node on line 2, column 1)"),
        // Unterminated quotes and flow collections: the context names where they start.
        ("a: \"abc\nb: 1\n", 3, 1, "found unexpected end of stream (while scanning a quoted scalar on line 1, column 4)"),
        ("a: 'it''s\n", 2, 1, "found unexpected end of stream (while scanning a quoted scalar on line 1, column 4)"),
        ("a: [1, 2\n", 2, 1, "did not find expected ',' or ']' (while parsing a flow sequence on line 1, column 4)"),
        ("a: {b: 1\n", 2, 1, "did not find expected ',' or '}' (while parsing a flow mapping on line 1, column 4)"),
        ("[1,\n---\n", 2, 1, "did not find expected node content (while parsing a flow node on line 2, column 1)"),
        // Keys without ':' and values where they cannot be.
        ("a: 1\nb\n", 3, 1, "could not find expected ':' (while scanning a simple key on line 2, column 1)"),
        ("a: 1\nb:2\n", 3, 1, "could not find expected ':' (while scanning a simple key on line 2, column 1)"),
        ("a: 1\n- b\n", 2, 1, "did not find expected key (while parsing a block mapping on line 1, column 1)"),
        ("a: b: c\n", 1, 5, "mapping values are not allowed in this context"),
        ("a: - b\n", 1, 4, "block sequence entries are not allowed in this context"),
        ("--- a: 1\n", 1, 6, "mapping values are not allowed in this context"),
        (": a\n", 1, 1, "did not find expected key"),
        ("{a:[1]}\n", 1, 3, "found unexpected ':' (while scanning a plain scalar on line 1, column 2)"),
        ("\"a\" b: 1\n", 1, 5, "did not find expected key"),
        // Flow collection syntax.
        ("[a}\n", 1, 3, "did not find expected ',' or ']' (while parsing a flow sequence on line 1, column 1)"),
        ("{a: [b}}\n", 1, 7, "did not find expected ',' or ']' (while parsing a flow sequence on line 1, column 5)"),
        ("[a,,b]\n", 1, 4, "did not find expected node content"),
        ("[\"a\" \"b\"]\n", 1, 6, "did not find expected ',' or ']'"),
        ("[|]\n", 1, 2, "found character that cannot start any token"),
        ("[- a]\n", 1, 2, "did not find expected node content"),
        ("[a] b\n", 1, 5, "did not find expected <document start>"),
        ("a: ]\n", 1, 4, "did not find expected node content"),
        ("a: 1\n, b: 2\n", 2, 1, "did not find expected key"),
        ("{:a: 1}\n", 1, 2, "did not find expected node content"),
        // Scalars.
        ("a: \"\\q\"\n", 1, 5, "found unknown escape character (while parsing a quoted scalar on line 1, column 4)"),
        ("a: \"\\u12\"\n", 1, 7, "did not find expected hexdecimal number"),
        ("a: \"\\uD800\"\n", 1, 7, "found invalid Unicode character escape code"),
        // A surrogate pair is not a character for libyaml: write \U0001F600.
        ("a: \"\\uD83D\\uDE00\"\n", 1, 7, "found invalid Unicode character escape code"),
        ("a: \"x\\\n", 2, 1, "found unexpected end of stream"),
        ("a: @x\n", 1, 4, "found character that cannot start any token"),
        ("a: |0\n  x\n", 1, 5, "found an indentation indicator equal to 0 (while scanning a block scalar on line 1, column 4)"),
        ("a: |x\n", 1, 5, "did not find expected comment or line break"),
        // Characters: the position is counted in characters ('é' is two bytes, one column).
        ("a: 1\nb: \u{1}\n", 2, 4, "control characters are not allowed (U+0001)"),
        ("é: \u{7F}\n", 1, 4, "control characters are not allowed (U+007F)"),
        ("a: 1\r\nb: \u{1B}\n", 2, 4, "control characters are not allowed (U+001B)"),
    ] as [(String, Int, Int, String)])
    func libyamlRejects(_ yaml: String, _ line: Int, _ column: Int, _ problem: String) throws {
        let error = try #require(rejection(yaml))
        #expect((error.line, error.column) == (line, column), "\(error)")
        #expect(error.message.contains(problem), "\(error)")
    }

    /// What the reader before libyaml refused and YAML (so libyaml) allows: accepted now, as
    /// YAML reads it.
    @Test(arguments: [
        // Plain scalars over several lines are folded into one line.
        ("a: text\n  more text\n", #"{"a": "text more text"}"#),
        ("text\nmore\n", #""text more""#),
        ("- a\n  - b\n", #"["a - b"]"#),
        ("a:\n  - b\n   - c\n", #"{"a": ["b - c"]}"#),
        // Tabs that separate rather than indent.
        ("a:\tb\n", #"{"a": "b"}"#),
        ("a: [1,\n\t2]\n", #"{"a": [1, 2]}"#),
        // An explicit key with a scalar.
        ("? a\n: b\n", #"{"a": "b"}"#),
        ("a: 1\n? b\n", #"{"a": 1, "b": null}"#),
        // Flow forms YAML 1.1 reads its own way.
        ("{a}\n", #"{"a": null}"#),
        ("{a:1}\n", #"{"a:1": null}"#),
        ("[a: b]\n", #"[{"a": "b"}]"#),
        ("[?a]\n", #"[{"a": null}]"#),
        ("[-]\n", #"["-"]"#),
        ("[a,#c\n b]\n", #"["a", "b"]"#),
        ("a: \"x\"#c\n", #"{"a": "x"}"#),
        // A carriage return alone, and NEL, end a line.
        ("a: 1\rb: 2\n", #"{"a": 1, "b": 2}"#),
        ("a: x\u{85}b: y\n", #"{"a": "x", "b": "y"}"#),
    ])
    func acceptsWhatYAMLAllows(_ yaml: String, _ expected: String) throws {
        #expect(try read(yaml) == expected)
    }

    @Test func emptyValuesAreWhereTheyWouldBe() throws {
        let root = try #require(try YAMLReader.read("key:\nother: 1\nlist:\n- a\n-\n- c\n"))
        let empty = try #require(root["key"])
        #expect((empty.line, empty.column, empty.isNull) == (1, 5, true))
        let item = try #require(root["list"]?.items?[1])
        #expect((item.line, item.isNull) == (5, true))
    }

    @Test func duplicateKeysInLargeMappings() throws {
        // Past linear search, keys are found through an index; both paths must agree.
        let keys = (0..<40).map { "key\($0)" }
        let block = keys.map { "\($0): 1\n" }.joined()
        #expect(try YAMLReader.read(block)?.entries?.count == 40)
        let error = try #require(rejection(block + "key3: 2\n"))
        #expect(error.description == "line 41, column 1: duplicate key 'key3' (first on line 4, column 1)")
        let flow = "{" + keys.map { "\($0): 1" }.joined(separator: ", ") + ", 0x10: a, 16: b}"
        #expect(try #require(rejection(flow)).message.contains("duplicate key '16' (first on line 1"))
    }

    // MARK: Limits

    @Test func depthLimit() throws {
        let depth = YAMLReader.maximumDepth
        let deepest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: Never.self) { try YAMLReader.read(deepest) }
        let tooDeep = "[" + deepest + "]"
        let error = try #require(rejection(tooDeep))
        #expect((error.line, error.column) == (1, depth + 1))
        #expect(error.message == "lists and mappings are nested more than \(depth) deep")

        var block = ""
        for level in 0...depth { block += String(repeating: " ", count: level) + "k:\n" }
        #expect(try #require(rejection(block)).message.contains("nested more than \(depth) deep"))
    }

    @Test func sizeLimit() throws {
        let largest = "a: " + String(repeating: "x", count: YAMLReader.maximumSize - 3)
        #expect(try YAMLReader.read(largest)?["a"]?.string?.count == YAMLReader.maximumSize - 3)
        let error = try #require(rejection(largest + "x"))
        #expect((error.line, error.column) == (1, 1))
        #expect(error.message == "the document is \(YAMLReader.maximumSize + 1) bytes; at most \(YAMLReader.maximumSize) are accepted")
    }
}
