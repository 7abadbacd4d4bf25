import CYAML

/// One event of libyaml's parser, copied out of libyaml's memory: what ``YAMLReader`` composes
/// its nodes from.
struct YAMLEvent {
    /// What the event is, with what the composer needs of it.
    enum Kind {
        case streamStart
        case streamEnd
        /// `hasDirectives`: the document has a `%YAML` or `%TAG` directive.
        case documentStart(hasDirectives: Bool)
        case documentEnd
        case alias
        case scalar(value: [UInt8], style: YAMLNode.Style)
        case sequenceStart(style: YAMLNode.Style)
        case sequenceEnd
        case mappingStart(style: YAMLNode.Style)
        case mappingEnd
    }

    let kind: Kind
    /// The node has an anchor (`&name`).
    let hasAnchor: Bool
    /// The node has a tag (`!name`, `!!str`, `!`).
    let hasTag: Bool
    /// Where the event starts, 1-based.
    let line: Int
    let column: Int
    /// Where the event ends, 1-based.
    let endLine: Int
    let endColumn: Int
}

/// libyaml's event parser (`yaml_parser_parse`) over a copy of a document's bytes. Owns the
/// parser and the copy; each event is copied into a ``YAMLEvent`` and freed at once.
///
/// libyaml's marks are 0-based; everything here is 1-based, columns in characters as libyaml
/// counts them (a tab is one).
final class YAMLEventParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>
    /// Whether `yaml_parser_initialize` succeeded, so `deinit` knows whether to delete.
    private let initialized: Bool

    /// A parser over `bytes`, UTF-8 with or without a byte order mark.
    init(bytes: [UInt8]) throws(YAMLSyntaxError) {
        parser = .allocate(capacity: 1)
        // libyaml reads through the pointer until the last event: the copy lives as long as the parser.
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        initialized = yaml_parser_initialize(parser) == 1
        guard initialized else {
            throw YAMLSyntaxError(line: 1, column: 1, message: "libyaml could not start a parser (out of memory)")
        }
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
    }

    deinit {
        if initialized { yaml_parser_delete(parser) }
        parser.deallocate()
        input.deallocate()
    }

    /// The next event.
    ///
    /// - Throws: ``YAMLSyntaxError`` with libyaml's problem, its context and where it is.
    func next() throws(YAMLSyntaxError) -> YAMLEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw currentError() }
        defer { yaml_event_delete(&event) }

        let kind: YAMLEvent.Kind
        var anchor: UnsafeMutablePointer<yaml_char_t>?
        var tag: UnsafeMutablePointer<yaml_char_t>?
        switch event.type {
        case YAML_STREAM_START_EVENT:
            kind = .streamStart
        case YAML_STREAM_END_EVENT:
            kind = .streamEnd
        case YAML_DOCUMENT_START_EVENT:
            let start = event.data.document_start
            kind = .documentStart(
                hasDirectives: start.version_directive != nil || start.tag_directives.start != start.tag_directives.end)
        case YAML_DOCUMENT_END_EVENT:
            kind = .documentEnd
        case YAML_ALIAS_EVENT:
            kind = .alias
            anchor = event.data.alias.anchor
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let value =
                scalar.length == 0 || scalar.value == nil
                ? [] : Array(UnsafeBufferPointer(start: scalar.value, count: scalar.length))
            kind = .scalar(value: value, style: Self.style(of: scalar.style))
            anchor = scalar.anchor
            tag = scalar.tag
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            kind = .sequenceStart(style: start.style == YAML_FLOW_SEQUENCE_STYLE ? .flow : .block)
            anchor = start.anchor
            tag = start.tag
        case YAML_SEQUENCE_END_EVENT:
            kind = .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            kind = .mappingStart(style: start.style == YAML_FLOW_MAPPING_STYLE ? .flow : .block)
            anchor = start.anchor
            tag = start.tag
        case YAML_MAPPING_END_EVENT:
            kind = .mappingEnd
        default:
            // YAML_NO_EVENT: libyaml returns it only after the stream's end, which the reader never asks past.
            throw YAMLSyntaxError(
                line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1,
                message: "libyaml returned no event")
        }
        return YAMLEvent(
            kind: kind, hasAnchor: anchor != nil, hasTag: tag != nil,
            line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1,
            endLine: Int(event.end_mark.line) + 1, endColumn: Int(event.end_mark.column) + 1)
    }

    private static func style(of style: yaml_scalar_style_t) -> YAMLNode.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }

    /// libyaml's error as ours: its problem, then its context ("while scanning a quoted
    /// scalar") with the context's position, at the problem's position.
    private func currentError() -> YAMLSyntaxError {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? "libyaml failed without saying why"
        switch state.error {
        case YAML_READER_ERROR:
            // A reader error has a byte offset, not a mark: an invalid or disallowed character.
            let (line, column) = position(ofByte: state.problem_offset)
            let value = state.problem_value >= 0 ? " (U+\(hex(state.problem_value)))" : ""
            return YAMLSyntaxError(line: line, column: column, message: problem + value)
        case YAML_MEMORY_ERROR:
            return YAMLSyntaxError(line: 1, column: 1, message: "libyaml ran out of memory")
        default:
            var message = problem
            if let context = state.context.map({ String(cString: $0) }) {
                let mark = state.context_mark
                message += " (\(context) on line \(mark.line + 1), column \(mark.column + 1))"
            }
            return YAMLSyntaxError(
                line: Int(state.problem_mark.line) + 1, column: Int(state.problem_mark.column) + 1, message: message)
        }
    }

    /// The 1-based line and column (in characters) of byte `offset` of the input, counting line
    /// breaks as libyaml does: LF, CR, CR LF, NEL, LS and PS.
    private func position(ofByte offset: Int) -> (line: Int, column: Int) {
        let end = min(offset, input.count)
        var line = 1
        var column = 1
        var index = 0
        if end >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF { index = 3 }
        while index < end {
            let byte = input[index]
            let isContinuation = byte & 0xC0 == 0x80
            var isBreak = false
            switch byte {
            case 0x0A: isBreak = true
            case 0x0D: isBreak = index + 1 >= input.count || input[index + 1] != 0x0A
            case 0xC2: isBreak = index + 1 < input.count && input[index + 1] == 0x85
            case 0xE2:
                isBreak = index + 2 < input.count && input[index + 1] == 0x80 && (input[index + 2] == 0xA8 || input[index + 2] == 0xA9)
            default: break
            }
            if isBreak {
                line += 1
                column = 1
                // Skip the rest of a multi-byte break so its continuation bytes do not count.
                index += byte == 0xC2 ? 2 : byte == 0xE2 ? 3 : 1
                continue
            }
            if !isContinuation && byte != 0x0D { column += 1 }
            index += 1
        }
        return (line, column)
    }

    private func hex(_ value: Int32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
