/// Reads one YAML document into a ``YAMLNode`` tree: libyaml parses (its event API,
/// `yaml_parser_parse`), and this composes the nodes, strictly.
///
/// libyaml (https://pyyaml.org/wiki/LibYAML) is the YAML parser of PyYAML and Ruby's Psych:
/// well kept, fuzzed by OSS-Fuzz, a small C library with no dependencies. It parses YAML 1.1
/// syntax, which for the documents we read (block and flow collections, plain, quoted and
/// block scalars, comments) is YAML 1.2's.
///
/// Rejected, with the line and column: anything libyaml rejects (its problem and context in
/// the message), anchors `&`, aliases `*`, tags `!`, directives `%`, a list or mapping as a
/// key, a second document, a key given twice in one mapping (naming both; keys are compared by
/// their resolved values, so `1` and `0x1` are the same key, `1` and `"1"` are not), a plain
/// integer that does not fit in an `Int`, and characters YAML does not allow (control
/// characters other than tab and line breaks).
///
/// Plain scalars are resolved by the YAML 1.2 core schema (``YAMLCoreSchema``): null (`~`,
/// `null`, `Null`, `NULL`, nothing), bool (`true`, `True`, `TRUE`, `false`, `False`, `FALSE`),
/// int (`[-+]?[0-9]+`, `0x[0-9a-fA-F]+`, `0o[0-7]+`), float (`1.5`, `-.5`, `2e3`, `.inf`,
/// `-.inf`, `.nan` and their capitalised forms), else string. Quoted and block scalars are
/// strings.
///
/// Limits: a document of at most ``maximumSize`` bytes, collections nested at most
/// ``maximumDepth`` deep.
public enum YAMLReader {
    /// The largest document accepted, in bytes (1 MiB): far more than any profile or catalog.
    public static let maximumSize = 1 << 20

    /// The deepest nesting of sequences and mappings accepted; it bounds the composer's recursion.
    public static let maximumDepth = 64

    /// The root node of the document `text`, or nil when the document has no node (only
    /// comments, blank lines and document markers).
    ///
    /// - Throws: ``YAMLSyntaxError`` at the first problem.
    public static func read(_ text: String) throws(YAMLSyntaxError) -> YAMLNode? {
        let bytes = Array(text.utf8)
        guard bytes.count <= maximumSize else {
            throw YAMLSyntaxError(
                line: 1, column: 1,
                message: "the document is \(bytes.count) bytes; at most \(maximumSize) are accepted")
        }
        var composer = YAMLComposer(events: try YAMLEventParser(bytes: bytes))
        return try composer.document()
    }
}

/// What makes two keys the same: their resolved values (`1` and `0x1` are one key; `1` and
/// `"1"` are two).
private enum KeyIdentity: Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)

    /// The identity of a scalar's value; nil for a collection, which is never a key.
    init?(_ value: YAMLNode.Value) {
        switch value {
        case .null: self = .null
        case .bool(let bool): self = .bool(bool)
        case .int(let int): self = .int(int)
        case .float(let double): self = .float(double)
        case .string(let string): self = .string(string)
        case .sequence, .mapping: return nil
        }
    }
}

/// Builds nodes from libyaml's events, one document, refusing what ``YAMLReader`` refuses.
private struct YAMLComposer {
    let events: YAMLEventParser
    /// The end of the last event.
    var lastEnd = (line: 1, column: 1)

    init(events: YAMLEventParser) {
        self.events = events
    }

    mutating func next() throws(YAMLSyntaxError) -> YAMLEvent {
        let event = try events.next()
        lastEnd = (event.endLine, event.endColumn)
        return event
    }

    mutating func document() throws(YAMLSyntaxError) -> YAMLNode? {
        guard case .streamStart = try next().kind else {
            throw YAMLSyntaxError(line: 1, column: 1, message: "libyaml did not start a stream")
        }
        let start = try next()
        switch start.kind {
        case .streamEnd:
            return nil
        case .documentStart(let hasDirectives):
            if hasDirectives {
                throw error("directives ('%YAML', '%TAG') are not supported", at: start)
            }
        default:
            throw error("libyaml did not start a document", at: start)
        }
        let root = try node(try next(), depth: 0)
        guard case .documentEnd = try next().kind else {
            throw YAMLSyntaxError(line: lastEnd.line, column: lastEnd.column, message: "libyaml did not end the document")
        }
        let after = try next()
        switch after.kind {
        case .streamEnd: break
        case .documentStart: throw error("a second document: only one document is supported", at: after)
        default: throw error("libyaml did not end the stream", at: after)
        }
        // "---" and nothing else is an empty document, like no text at all.
        return root.isNull && root.text.isEmpty && root.style == .plain ? nil : root
    }

    /// The node that `event` starts, `depth` collections deep.
    mutating func node(_ event: YAMLEvent, depth: Int) throws(YAMLSyntaxError) -> YAMLNode {
        if case .alias = event.kind { throw error("aliases ('*name') are not supported", at: event) }
        if event.hasAnchor { throw error("anchors ('&name') are not supported", at: event) }
        if event.hasTag { throw error("tags ('!name') are not supported", at: event) }
        switch event.kind {
        case .alias:
            throw error("aliases ('*name') are not supported", at: event)
        case .scalar(let value, let style):
            return try scalar(value, style: style, at: event)
        case .sequenceStart(let style):
            try checkDepth(depth + 1, at: event)
            var items: [YAMLNode] = []
            while true {
                let item = try next()
                if case .sequenceEnd = item.kind { break }
                items.append(try node(item, depth: depth + 1))
            }
            return YAMLNode(.sequence(items), text: "", style: style, line: event.line, column: event.column)
        case .mappingStart(let style):
            try checkDepth(depth + 1, at: event)
            var entries: [YAMLNode.Entry] = []
            var firstKeys: [KeyIdentity: YAMLNode] = [:]
            while true {
                let keyEvent = try next()
                if case .mappingEnd = keyEvent.kind { break }
                if case .sequenceStart = keyEvent.kind { throw complexKey(at: keyEvent) }
                if case .mappingStart = keyEvent.kind { throw complexKey(at: keyEvent) }
                let key = try node(keyEvent, depth: depth + 1)
                if let identity = KeyIdentity(key.value) {
                    if let first = firstKeys[identity] {
                        throw error(
                            "duplicate key '\(key.text)' (first on line \(first.line), column \(first.column))", at: keyEvent)
                    }
                    firstKeys[identity] = key
                }
                let value = try node(try next(), depth: depth + 1)
                entries.append(YAMLNode.Entry(key: key, value: value))
            }
            return YAMLNode(.mapping(entries), text: "", style: style, line: event.line, column: event.column)
        case .streamStart, .streamEnd, .documentStart, .documentEnd, .sequenceEnd, .mappingEnd:
            throw error("libyaml sent an event where a node belongs", at: event)
        }
    }

    /// A scalar node: plain ones resolved by the core schema, the others strings.
    func scalar(_ value: [UInt8], style: YAMLNode.Style, at event: YAMLEvent) throws(YAMLSyntaxError) -> YAMLNode {
        let text = String(decoding: value, as: UTF8.self)
        guard style == .plain else {
            return YAMLNode(.string(text), text: text, style: style, line: event.line, column: event.column)
        }
        guard let resolved = YAMLCoreSchema.resolve(value[...]) else {
            throw error("the integer '\(text)' does not fit in 64 bits", at: event)
        }
        return YAMLNode(resolved, text: text, style: style, line: event.line, column: event.column)
    }

    func checkDepth(_ depth: Int, at event: YAMLEvent) throws(YAMLSyntaxError) {
        if depth > YAMLReader.maximumDepth {
            throw error("lists and mappings are nested more than \(YAMLReader.maximumDepth) deep", at: event)
        }
    }

    func complexKey(at event: YAMLEvent) -> YAMLSyntaxError {
        error("a list or mapping cannot be a key (complex keys are not supported)", at: event)
    }

    func error(_ message: String, at event: YAMLEvent) -> YAMLSyntaxError {
        YAMLSyntaxError(line: event.line, column: event.column, message: message)
    }
}
