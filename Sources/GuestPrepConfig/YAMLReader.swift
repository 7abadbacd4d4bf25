/// Reads a strict subset of YAML 1.2: what guestprep's role profiles and data catalogs need, in
/// pure Swift, so the agent links no YAML library and no Foundation.
///
/// Accepted:
/// - Block mappings (`key: value`, nested by indentation) and block sequences (`- item`),
///   including a mapping started on a `- ` line (`- name: x`), a list started on a `- ` line
///   (`- - x`), and a list at the same indentation as the key it belongs to.
/// - Flow sequences `[a, b, "c"]` and flow mappings `{a: 1, b: 2}`, nested, with a trailing
///   comma allowed; they may go on over further lines indented more than the block they are in.
/// - Plain scalars on one line; single-quoted scalars (`''` is a quote) and double-quoted
///   scalars with YAML's escapes (`\\ \" \/ \n \t \r \0 \a \b \e \f \v \N \_ \L \P \xXX \uXXXX
///   \UXXXXXXXX`, the space and tab escapes), each ending on the line it starts on; literal `|`
///   and folded `>` block scalars with `-`/`+` chomping and an indentation indicator `1`…`9`.
/// - Comments: `#` at the start of a line or after white space. An optional `---` first and
///   `...` last; a document with no node at all (`read` returns nil).
///
/// Plain scalars are resolved by the YAML 1.2 core schema: null (`~`, `null`, `Null`, `NULL`,
/// nothing), bool (`true`, `True`, `TRUE`, `false`, `False`, `FALSE`), int (`[-+]?[0-9]+`,
/// `0x[0-9a-fA-F]+`, `0o[0-7]+`; one that does not fit in an `Int` is an error), float
/// (`1.5`, `-.5`, `2e3`, `.inf`, `-.inf`, `.nan` and their capitalised forms), else string.
/// Quoted and block scalars are strings.
///
/// Rejected, with the line and column: tabs in indentation (and after a `- ` that starts a
/// nested list or mapping), anchors `&`, aliases `*`, tags `!`, directives `%`, complex keys
/// `? `, a list or mapping as a key, a second document, duplicate keys in one mapping (naming
/// both), indentation that matches no enclosing block, a plain scalar continued on the next
/// line, an unterminated quote or flow collection, a line where a key needs a `:`, ASCII
/// control characters other than tab, line feed and carriage return before a line feed.
///
/// Also rejected, though YAML 1.2 allows them, because YAML 1.1 tools (libyaml, PyYAML) read
/// them differently or not at all: a plain scalar starting with `:` or `?` in a flow
/// collection, a plain key whose `:` is not followed by a blank in a flow mapping (`{a:1}`,
/// `{a:}`), text at the first column of a top-level block scalar, and `...` with no document
/// before it. So every document accepted has the same structure and scalar text there; only
/// the resolution of plain scalars such as `yes` or `0o17` differs, as YAML 1.1 and 1.2 do.
///
/// Limits: a document of at most ``maximumSize`` bytes, collections nested at most
/// ``maximumDepth`` deep.
public enum YAMLReader {
    /// The largest document accepted, in bytes (1 MiB): far more than any profile or catalog.
    public static let maximumSize = 1 << 20

    /// The deepest nesting of sequences and mappings accepted; it bounds the reader's recursion.
    public static let maximumDepth = 64

    /// The root node of the document `text`, or nil when the document has no node (only
    /// comments, blank lines and document markers).
    ///
    /// - Throws: ``YAMLSyntaxError`` at the first construct outside the subset.
    public static func read(_ text: String) throws(YAMLSyntaxError) -> YAMLNode? {
        var parser = YAMLParser(bytes: Array(text.utf8))
        return try parser.document()
    }
}

/// A line and column (both 1-based) in the document.
private struct Mark {
    let line: Int
    let column: Int
}

/// `---` or `...` at the start of a line.
private enum DocumentMarker {
    case start, end
}

/// A line with a node on it (not blank, not only a comment), as the block parser sees it
/// before reading it.
private struct ContentLine {
    let indent: Int
    let marker: DocumentMarker?
}

/// What a node after an indicator belongs to; it decides which forms may follow on the same
/// line and whether a list may sit at the key's own indentation.
private enum Owner {
    case document
    case mappingValue(key: String)
    case sequenceItem
}

/// What makes two keys the same: their resolved values (`1` and `0x1` are one key; `1` and
/// `"1"` are two). The index of a large mapping's keys is keyed by it.
private enum KeyIdentity: Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)

    init(_ value: YAMLNode.Value) {
        switch value {
        case .null: self = .null
        case .bool(let bool): self = .bool(bool)
        case .int(let int): self = .int(int)
        case .float(let double): self = .float(double)
        case .string(let string): self = .string(string)
        // The parser only makes keys of scalars.
        case .sequence, .mapping: self = .null
        }
    }
}

private let tab = UInt8(ascii: "\t")
private let lineFeed = UInt8(ascii: "\n")
private let carriageReturn = UInt8(ascii: "\r")
private let space = UInt8(ascii: " ")
private let hash = UInt8(ascii: "#")
private let colon = UInt8(ascii: ":")
private let dash = UInt8(ascii: "-")
private let comma = UInt8(ascii: ",")
private let singleQuote = UInt8(ascii: "'")
private let doubleQuote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")

private func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }

private func isFlowIndicator(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"): true
    default: false
    }
}

/// A recursive-descent parser over the UTF-8 bytes. Block structure is read line by line from
/// the indentation; flow collections and scalars byte by byte. After each block node the cursor
/// is at the start of a line (or at the end of the text).
private struct YAMLParser {
    let bytes: [UInt8]
    /// The cursor.
    var pos = 0
    /// The 1-based number of the line the cursor is on.
    var line = 1
    /// Where the cursor's line starts.
    var lineStart = 0
    /// Where the cursor's line's content ends: at its `\n`, or its `\r\n`, or the end of text.
    var lineEnd = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        lineEnd = endOfLine(from: 0)
    }

    // MARK: Document

    mutating func document() throws(YAMLSyntaxError) -> YAMLNode? {
        guard bytes.count <= YAMLReader.maximumSize else {
            throw YAMLSyntaxError(
                line: 1, column: 1,
                message: "the document is \(bytes.count) bytes; at most \(YAMLReader.maximumSize) are accepted")
        }
        try checkCharacters()
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            pos = 3
            lineStart = 3
        }

        guard let first = try nextContentLine() else { return nil }
        var root: YAMLNode?
        switch first.marker {
        case .start:
            pos = lineStart + 3
            let node = try blockValue(owner: .document, ownerIndent: -1, depth: 0)
            // "---" and nothing else is an empty document, like no text at all.
            root = node.isNull && node.text.isEmpty && node.style == .plain ? nil : node
        case .end:
            // YAML 1.2 allows an end marker with no document, but YAML 1.1 tools do not.
            throw error("a document end marker '...' with no document before it", at: here)
        case nil:
            pos = lineStart + first.indent
            root = try blockNode(ownerIndent: -1, depth: 0)
        }

        guard let next = try nextContentLine() else { return root }
        switch next.marker {
        case .end:
            let endMark = here
            pos = lineStart + 3
            try finishLine(after: "the document end marker '...'")
            if let more = try nextContentLine() {
                throw error(
                    more.marker == .start
                        ? "a second document: only one document is supported"
                        : "content after the document end marker '...' on line \(endMark.line): only one document is supported",
                    at: mark(of: lineStart + more.indent))
            }
            return root
        case .start:
            throw error("a second document ('---'): only one document is supported", at: here)
        case nil:
            throw strayContent(indent: next.indent, root: root)
        }
    }

    /// The error for a content line no block above took.
    func strayContent(indent: Int, root: YAMLNode?) -> YAMLSyntaxError {
        let at = mark(of: lineStart + indent)
        guard let root else {
            return error("content after an empty document", at: at)
        }
        if root.style == .block && indent < root.column - 1 {
            return error(
                "inconsistent indentation: indented by \(indent), less than the top-level node on line \(root.line) (\(root.column - 1))",
                at: at)
        }
        if root.kind == .sequence && root.style == .block {
            return error(
                "expected a '-' item of the top-level list on line \(root.line), or the end of the document", at: at)
        }
        return error(
            "unexpected content after the top-level value on line \(root.line): a document has one node, and a plain scalar cannot go on over several lines (use a block scalar, '|' or '>')",
            at: at)
    }

    // MARK: Block structure

    /// The node after a `key:`, `-` or `---` indicator: on the rest of the cursor's line, else on
    /// the following lines indented more than `ownerIndent`, else (for a mapping value) a list at
    /// the key's own indentation, else null.
    mutating func blockValue(owner: Owner, ownerIndent: Int, depth: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let emptyMark = here
        let sawTab = skipBlanks()
        if pos == lineEnd || bytes[pos] == hash {
            pos = lineEnd
            advanceLine()
            return try nodeOnFollowingLines(owner: owner, ownerIndent: ownerIndent, depth: depth, emptyMark: emptyMark)
        }
        let startsList = isSequenceIndicator(at: pos)
        let startsMapping = !startsList && isImplicitKey(at: pos)
        switch owner {
        case .sequenceItem:
            if startsList || startsMapping {
                if sawTab {
                    throw error(
                        "a tab after '-' cannot indent a nested \(startsList ? "list" : "mapping"): use spaces",
                        at: here)
                }
                // Everything before the cursor on this line is spaces and '-': its offset is the
                // nested block's indentation.
                let indent = pos - lineStart
                return startsList
                    ? try blockSequence(indent: indent, depth: depth)
                    : try blockMapping(indent: indent, depth: depth)
            }
        case .mappingValue(let key):
            if startsList {
                throw error(
                    "a list cannot start on the same line as its key '\(key)': put its items on the following lines",
                    at: here)
            }
            if startsMapping {
                throw error(
                    "a mapping cannot start on the same line as its key '\(key)': put it on the following lines, indented",
                    at: here)
            }
        case .document:
            if startsList || startsMapping {
                throw error(
                    "a \(startsList ? "list" : "mapping") cannot start on the same line as '---': put it on the following lines",
                    at: here)
            }
        }
        return try inlineNode(ownerIndent: ownerIndent, depth: depth)
    }

    /// The node on the lines after an indicator that ended its line (see ``blockValue``).
    mutating func nodeOnFollowingLines(owner: Owner, ownerIndent: Int, depth: Int, emptyMark: Mark)
        throws(YAMLSyntaxError) -> YAMLNode
    {
        guard let next = try nextContentLine(), next.marker == nil else { return null(at: emptyMark) }
        if next.indent > ownerIndent {
            pos = lineStart + next.indent
            return try blockNode(ownerIndent: ownerIndent, depth: depth)
        }
        // YAML lets a mapping's value be a list at the key's own indentation:
        // "steps:\n- hostname".
        if case .mappingValue = owner, next.indent == ownerIndent, isSequenceIndicator(at: lineStart + next.indent) {
            pos = lineStart + next.indent
            return try blockSequence(indent: next.indent, depth: depth)
        }
        return null(at: emptyMark)
    }

    /// The node starting at the cursor, the first thing on its line.
    mutating func blockNode(ownerIndent: Int, depth: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let indent = pos - lineStart
        if isSequenceIndicator(at: pos) { return try blockSequence(indent: indent, depth: depth) }
        if isImplicitKey(at: pos) { return try blockMapping(indent: indent, depth: depth) }
        return try inlineNode(ownerIndent: ownerIndent, depth: depth)
    }

    /// The block sequence whose first `-` is at the cursor, `indent` from its line's start.
    mutating func blockSequence(indent: Int, depth: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = here
        try checkDepth(depth + 1, at: start)
        var items: [YAMLNode] = []
        while true {
            let itemLine = line
            pos += 1
            let item = try blockValue(owner: .sequenceItem, ownerIndent: indent, depth: depth + 1)
            items.append(item)
            guard let next = try nextContentLine(), next.marker == nil, next.indent >= indent else { break }
            if next.indent > indent {
                throw inconsistentIndentation(
                    next.indent, block: "list", start: start, blockIndent: indent, after: item, onLine: itemLine)
            }
            // A line at this indentation that is not an item ends the list: it is the next key
            // of a mapping the list is the value of, or an error the enclosing block reports.
            guard isSequenceIndicator(at: lineStart + indent) else { break }
            pos = lineStart + indent
        }
        return YAMLNode(.sequence(items), text: "", style: .block, line: start.line, column: start.column)
    }

    /// The block mapping whose first key is at the cursor, `indent` from its line's start.
    mutating func blockMapping(indent: Int, depth: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = here
        try checkDepth(depth + 1, at: start)
        var entries: [YAMLNode.Entry] = []
        var keyIndex: [KeyIdentity: Int]?
        while true {
            let keyLine = line
            let key = try blockKey(mappingStart: start)
            try checkUnique(key, among: entries, index: &keyIndex)
            let value = try blockValue(owner: .mappingValue(key: key.text), ownerIndent: indent, depth: depth + 1)
            entries.append(YAMLNode.Entry(key: key, value: value))
            guard let next = try nextContentLine(), next.marker == nil, next.indent >= indent else { break }
            if next.indent > indent {
                throw inconsistentIndentation(
                    next.indent, block: "mapping", start: start, blockIndent: indent, after: value, onLine: keyLine)
            }
            pos = lineStart + indent
        }
        return YAMLNode(.mapping(entries), text: "", style: .block, line: start.line, column: start.column)
    }

    /// A block mapping's key at the cursor, with the cursor left after its `:`.
    mutating func blockKey(mappingStart: Mark) throws(YAMLSyntaxError) -> YAMLNode {
        let keyMark = here
        let key: YAMLNode
        switch bytes[pos] {
        case singleQuote, doubleQuote:
            key = try quotedScalar()
            skipBlanks()
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            throw error(
                "expected a key of the mapping on line \(mappingStart.line), found a flow collection (a list or mapping cannot be a key)",
                at: keyMark)
        case UInt8(ascii: "|"), UInt8(ascii: ">"):
            throw error("expected a key of the mapping on line \(mappingStart.line), found a block scalar", at: keyMark)
        default:
            if isSequenceIndicator(at: pos) {
                throw error(
                    "a '-' list item where a key of the mapping on line \(mappingStart.line) was expected", at: keyMark)
            }
            try checkPlainStart(inFlow: false)
            guard let colonOffset = implicitKeyColon(from: pos) else {
                let text = String(decoding: bytes[pos..<plainEnd(from: pos, inFlow: false)], as: UTF8.self)
                let hint = text.contains(":") ? " (a ':' after a key must be followed by a space)" : ""
                throw error(
                    "expected 'key: value' in the mapping on line \(mappingStart.line), found '\(text)' without ':'\(hint)",
                    at: keyMark)
            }
            var end = colonOffset
            while end > pos && isBlank(bytes[end - 1]) { end -= 1 }
            key = try plainScalar(pos..<end, at: keyMark)
            pos = colonOffset
        }
        guard pos < lineEnd, bytes[pos] == colon, pos + 1 == lineEnd || isBlank(bytes[pos + 1]) else {
            throw error("expected ':' after the key '\(key.text)'", at: here)
        }
        pos += 1
        return key
    }

    /// A node that is not a block collection, at the cursor: a scalar, a block scalar or a flow
    /// collection. The rest of its line must be blank or a comment; the cursor is left at the
    /// start of the next line.
    mutating func inlineNode(ownerIndent: Int, depth: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = here
        let node: YAMLNode
        switch bytes[pos] {
        case UInt8(ascii: "|"), UInt8(ascii: ">"):
            return try blockScalar(ownerIndent: ownerIndent)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            node = try flowCollection(ownerIndent: ownerIndent, depth: depth)
            skipBlanks()
            if pos < lineEnd && bytes[pos] == colon {
                throw error("a flow collection cannot be a key (complex keys are not supported)", at: start)
            }
            try finishLine(after: node.kind == .sequence ? "the flow sequence" : "the flow mapping")
        case singleQuote, doubleQuote:
            node = try quotedScalar()
            try finishLine(after: "the quoted scalar")
        default:
            try checkPlainStart(inFlow: false)
            let end = plainEnd(from: pos, inFlow: false)
            node = try plainScalar(pos..<end, at: start)
            pos = end
            try finishLine(after: "the scalar")
        }
        return node
    }

    // MARK: Block scalars

    /// The `|` or `>` block scalar whose header is at the cursor; its content is the following
    /// lines indented more than `ownerIndent`. The cursor is left at the start of the first line
    /// after it.
    mutating func blockScalar(ownerIndent: Int) throws(YAMLSyntaxError) -> YAMLNode {
        enum Chomping { case strip, clip, keep }
        let start = here
        let folded = bytes[pos] == UInt8(ascii: ">")
        let header = folded ? ">" : "|"
        pos += 1
        var chomping = Chomping.clip
        var chompingGiven = false
        var indentIndicator: Int?
        while pos < lineEnd {
            let byte = bytes[pos]
            if !chompingGiven && (byte == dash || byte == UInt8(ascii: "+")) {
                chomping = byte == dash ? .strip : .keep
                chompingGiven = true
            } else if indentIndicator == nil && byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9") {
                indentIndicator = Int(byte - UInt8(ascii: "0"))
            } else if byte == UInt8(ascii: "0") {
                throw error("a block scalar's indentation indicator must be 1 to 9", at: here)
            } else {
                break
            }
            pos += 1
        }
        try finishLine(after: "the block scalar header '\(header)'")

        // Text at the first column ends even a top-level block scalar: YAML 1.2 would allow it
        // there, but YAML 1.1 tools do not, and it would hide a following "key:" line.
        let contentIndent: Int
        if let indentIndicator {
            contentIndent = max(ownerIndent, 0) + indentIndicator
        } else {
            contentIndent = try detectBlockIndent(ownerIndent: max(ownerIndent, 0))
        }

        // Each line of the scalar: a text line's range after the indentation, or nil for an
        // empty line (spaces only, no more than the indentation).
        var lines: [Range<Int>?] = []
        var lastTextHasLineBreak = false
        while pos < bytes.count {
            let limit = min(lineStart + contentIndent, lineEnd)
            var textStart = lineStart
            while textStart < limit && bytes[textStart] == space { textStart += 1 }
            if textStart == lineEnd {
                // An empty last line with no line break adds nothing.
                if lineEnd < bytes.count { lines.append(nil) }
                advanceLine()
                continue
            }
            if textStart - lineStart < contentIndent { break }
            lines.append(textStart..<lineEnd)
            lastTextHasLineBreak = lineEnd < bytes.count
            advanceLine()
        }

        let lastText = lines.lastIndex { $0 != nil }
        let body = lastText.map { lines[...$0] } ?? []
        let trailingEmptyLines = lines.count - body.count
        var content: [UInt8] = []
        if folded {
            // A line break between two lines of text becomes a space, unless empty lines
            // stand for it; lines that start with white space keep their line breaks.
            var previousWasSpaced: Bool?
            var emptyLines = 0
            for range in body {
                guard let range else {
                    emptyLines += 1
                    continue
                }
                let spaced = isBlank(bytes[range.lowerBound])
                switch previousWasSpaced {
                case nil: content.append(contentsOf: repeatElement(lineFeed, count: emptyLines))
                case false? where !spaced:
                    if emptyLines == 0 {
                        content.append(space)
                    } else {
                        content.append(contentsOf: repeatElement(lineFeed, count: emptyLines))
                    }
                default: content.append(contentsOf: repeatElement(lineFeed, count: emptyLines + 1))
                }
                content.append(contentsOf: bytes[range])
                previousWasSpaced = spaced
                emptyLines = 0
            }
        } else {
            for (index, range) in body.enumerated() {
                if index > 0 { content.append(lineFeed) }
                if let range { content.append(contentsOf: bytes[range]) }
            }
        }
        switch chomping {
        case .strip: break
        case .clip: if lastText != nil && lastTextHasLineBreak { content.append(lineFeed) }
        case .keep:
            if lastText != nil && lastTextHasLineBreak { content.append(lineFeed) }
            content.append(contentsOf: repeatElement(lineFeed, count: trailingEmptyLines))
        }
        let text = String(decoding: content, as: UTF8.self)
        return YAMLNode(
            .string(text), text: text, style: folded ? .folded : .literal, line: start.line, column: start.column)
    }

    /// A block scalar's content indentation when its header gives none: that of its first line
    /// with text. The cursor is at the start of the line after the header and stays there.
    func detectBlockIndent(ownerIndent: Int) throws(YAMLSyntaxError) -> Int {
        var start = pos
        var lineNumber = line
        var widestEmpty = (spaces: 0, line: 0)
        while start < bytes.count {
            let end = endOfLine(from: start)
            var textStart = start
            while textStart < end && bytes[textStart] == space { textStart += 1 }
            let spaces = textStart - start
            if textStart < end {
                // A line indented no more than the owner ends the (then empty) scalar.
                guard spaces > ownerIndent else { break }
                if widestEmpty.spaces > spaces {
                    throw YAMLSyntaxError(
                        line: widestEmpty.line, column: 1,
                        message: "this empty line of the block scalar has \(widestEmpty.spaces) spaces, more than its first line of text on line \(lineNumber) (\(spaces))")
                }
                return spaces
            }
            if spaces > widestEmpty.spaces { widestEmpty = (spaces, lineNumber) }
            start = nextLineStart(after: end)
            lineNumber += 1
        }
        // No text: every line up to the end of the scalar is empty.
        return max(ownerIndent + 1, widestEmpty.spaces)
    }

    // MARK: Flow collections

    /// The `[…]` or `{…}` collection at the cursor; lines it goes on over must be indented more
    /// than `ownerIndent`. The cursor is left after its closing bracket.
    mutating func flowCollection(ownerIndent: Int, depth: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = here
        try checkDepth(depth + 1, at: start)
        let isMapping = bytes[pos] == UInt8(ascii: "{")
        let opener = FlowOpener(
            mark: start, name: isMapping ? "flow mapping" : "flow sequence",
            open: isMapping ? "{" : "[", close: isMapping ? UInt8(ascii: "}") : UInt8(ascii: "]"),
            ownerIndent: ownerIndent)
        pos += 1
        var items: [YAMLNode] = []
        var entries: [YAMLNode.Entry] = []
        var keyIndex: [KeyIdentity: Int]?
        while true {
            try skipFlowSeparation(in: opener)
            if bytes[pos] == opener.close {
                pos += 1
                break
            }
            if isMapping {
                let key = try flowNode(in: opener, depth: depth + 1, isKey: true)
                try checkUnique(key, among: entries, index: &keyIndex)
                try skipFlowSeparation(in: opener)
                guard bytes[pos] == colon else {
                    let hint =
                        key.style == .plain && key.text.contains(":")
                        ? " (a ':' after a key must be followed by a space)" : ""
                    throw error(
                        "expected ':' after the key '\(key.text)' in the flow mapping on line \(start.line), found '\(character(at: pos))'\(hint)",
                        at: here)
                }
                let emptyMark = here
                pos += 1
                // Only a quoted key may have its value, or the entry's end, right after the ':'
                // ({"a":1}, as in JSON): "{a:1}" is not valid YAML, and libyaml rejects "{a:}".
                if key.style == .plain, pos < lineEnd, !isBlank(bytes[pos]) {
                    throw error("a ':' after a key must be followed by a space", at: emptyMark)
                }
                try skipFlowSeparation(in: opener)
                let value =
                    bytes[pos] == comma || bytes[pos] == opener.close
                    ? null(at: emptyMark) : try flowNode(in: opener, depth: depth + 1, isKey: false)
                entries.append(YAMLNode.Entry(key: key, value: value))
            } else {
                items.append(try flowNode(in: opener, depth: depth + 1, isKey: false))
            }
            try skipFlowSeparation(in: opener)
            if bytes[pos] == comma {
                pos += 1
                continue
            }
            if bytes[pos] == opener.close {
                pos += 1
                break
            }
            if !isMapping && bytes[pos] == colon {
                throw error(
                    "a 'key: value' pair in a flow sequence must be written as a mapping: [{key: value}]", at: here)
            }
            if bytes[pos] == UInt8(ascii: "]") || bytes[pos] == UInt8(ascii: "}") { throw wrongClose(opener) }
            throw error(
                "expected ',' or '\(character(of: opener.close))' in the \(opener.name) on line \(start.line), column \(start.column), found '\(character(at: pos))'",
                at: here)
        }
        let value: YAMLNode.Value = isMapping ? .mapping(entries) : .sequence(items)
        return YAMLNode(value, text: "", style: .flow, line: start.line, column: start.column)
    }

    /// Where a flow collection starts and how it is closed, for its parts and its errors.
    struct FlowOpener {
        let mark: Mark
        let name: String
        let open: String
        let close: UInt8
        let ownerIndent: Int
    }

    /// A scalar or nested collection inside a flow collection, at the cursor.
    mutating func flowNode(in opener: FlowOpener, depth: Int, isKey: Bool) throws(YAMLSyntaxError) -> YAMLNode {
        let start = here
        switch bytes[pos] {
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            if isKey { throw error("a flow collection cannot be a key (complex keys are not supported)", at: start) }
            return try flowCollection(ownerIndent: opener.ownerIndent, depth: depth)
        case singleQuote, doubleQuote:
            return try quotedScalar()
        case comma:
            throw error("an empty entry in the \(opener.name): expected a value before ','", at: start)
        case UInt8(ascii: "]"), UInt8(ascii: "}"):
            throw wrongClose(opener)
        case UInt8(ascii: "|"), UInt8(ascii: ">"):
            throw error("a block scalar ('|' or '>') cannot be inside a flow collection", at: start)
        case hash:
            throw error("a comment needs white space before '#'", at: start)
        default:
            if bytes[pos] == dash && (pos + 1 == lineEnd || isBlank(bytes[pos + 1])) {
                throw error("a block list item ('- ') cannot be inside a flow collection", at: start)
            }
            try checkPlainStart(inFlow: true)
            let end = plainEnd(from: pos, inFlow: true)
            let node = try plainScalar(pos..<end, at: start)
            pos = end
            return node
        }
    }

    /// Skips white space, comments and line breaks inside a flow collection, leaving the cursor
    /// on its next character. A line it goes on to must be indented more than the block the
    /// collection is in.
    mutating func skipFlowSeparation(in opener: FlowOpener) throws(YAMLSyntaxError) {
        while true {
            skipBlanks()
            if pos < lineEnd {
                // A '#' right after a character is not a comment; the caller reports it.
                guard bytes[pos] == hash, pos == lineStart || isBlank(bytes[pos - 1]) else { return }
                pos = lineEnd
            }
            guard lineEnd < bytes.count else {
                throw unterminated(opener, "reached the end of the document")
            }
            advanceLine()
            let textStart = try indentationEnd()
            if textStart == lineEnd || bytes[textStart] == hash {
                pos = textStart
                continue
            }
            if textStart == lineStart && documentMarker != nil {
                throw unterminated(opener, "reached the document marker on line \(line)")
            }
            if textStart - lineStart <= opener.ownerIndent {
                throw unterminated(
                    opener,
                    "line \(line) is not indented more than the block the collection is in, as the lines of a flow collection must be")
            }
            pos = textStart
        }
    }

    /// The error for a `]` or `}` at the cursor that does not match `opener`.
    func wrongClose(_ opener: FlowOpener) -> YAMLSyntaxError {
        error(
            "'\(character(at: pos))' does not close the \(opener.name) on line \(opener.mark.line), column \(opener.mark.column), which needs '\(character(of: opener.close))'",
            at: here)
    }

    func unterminated(_ opener: FlowOpener, _ reason: String) -> YAMLSyntaxError {
        error(
            "unterminated \(opener.name): no '\(character(of: opener.close))' closes this '\(opener.open)' (\(reason))",
            at: opener.mark)
    }

    // MARK: Scalars

    /// Where the plain scalar starting at `start` ends: at the end of the line or a comment, and
    /// in a flow collection at a flow indicator or a `:` followed by a blank or one; trailing
    /// blanks are not part of it.
    func plainEnd(from start: Int, inFlow: Bool) -> Int {
        var end = start
        while end < lineEnd {
            let byte = bytes[end]
            if byte == hash && end > start && isBlank(bytes[end - 1]) { break }
            if inFlow {
                if isFlowIndicator(byte) { break }
                if byte == colon && (end + 1 == lineEnd || isBlank(bytes[end + 1]) || isFlowIndicator(bytes[end + 1])) {
                    break
                }
            }
            end += 1
        }
        while end > start && isBlank(bytes[end - 1]) { end -= 1 }
        return end
    }

    /// Throws for a character at the cursor that starts something outside the subset, or that
    /// cannot start a plain scalar.
    func checkPlainStart(inFlow: Bool) throws(YAMLSyntaxError) {
        let byte = bytes[pos]
        let next: UInt8? = pos + 1 < lineEnd ? bytes[pos + 1] : nil
        let endsIndicator = next.map { isBlank($0) || (inFlow && isFlowIndicator($0)) } ?? true
        switch byte {
        case UInt8(ascii: "&"): throw error("anchors ('&name') are not supported", at: here)
        case UInt8(ascii: "*"): throw error("aliases ('*name') are not supported", at: here)
        case UInt8(ascii: "!"): throw error("tags ('!name') are not supported", at: here)
        case UInt8(ascii: "%"):
            throw error(
                "directives ('%YAML', '%TAG') are not supported, and '%' cannot start a plain scalar: quote it", at: here)
        case UInt8(ascii: "@"), UInt8(ascii: "`"):
            throw error("'\(character(at: pos))' is reserved and cannot start a plain scalar: quote it", at: here)
        case comma, UInt8(ascii: "]"), UInt8(ascii: "}"):
            // Inside a flow collection the flow parser handles these before a scalar.
            throw error("unexpected '\(character(at: pos))' outside a flow collection", at: here)
        case UInt8(ascii: "?") where endsIndicator:
            throw error("complex keys ('? ') are not supported", at: here)
        case colon where endsIndicator:
            throw error("a key is missing before ':'", at: here)
        case dash where endsIndicator:
            throw error("a '-' on its own cannot be a plain scalar here: quote it", at: here)
        // YAML 1.2 reads ":x" and "?x" in a flow collection as strings; YAML 1.1 tools (PyYAML,
        // libyaml) reject ":x" and read "?x" as a complex key. Accepting only what all of them
        // read alike keeps files portable.
        case colon where inFlow, UInt8(ascii: "?") where inFlow:
            throw error(
                "a plain scalar in a flow collection cannot start with '\(character(at: pos))': quote it", at: here)
        default: return
        }
    }

    /// The plain scalar `range`, resolved by the YAML 1.2 core schema.
    func plainScalar(_ range: Range<Int>, at mark: Mark) throws(YAMLSyntaxError) -> YAMLNode {
        let text = String(decoding: bytes[range], as: UTF8.self)
        guard let value = CoreSchema.resolve(bytes[range]) else {
            throw error("the integer '\(text)' does not fit in 64 bits", at: mark)
        }
        return YAMLNode(value, text: text, style: .plain, line: mark.line, column: mark.column)
    }

    /// The single- or double-quoted scalar at the cursor, which must end on its line. The cursor
    /// is left after the closing quote.
    mutating func quotedScalar() throws(YAMLSyntaxError) -> YAMLNode {
        let start = here
        let quote = bytes[pos]
        pos += 1
        var content: [UInt8] = []
        var runStart = pos
        while true {
            guard pos < lineEnd else {
                let (kind, closing) = quote == doubleQuote ? ("double", "'\"'") : ("single", "\"'\"")
                throw error(
                    "unterminated \(kind)-quoted scalar: no closing \(closing) on its line (a quoted scalar must end on the line it starts on; use a block scalar, '|' or '>', for several lines)",
                    at: start)
            }
            let byte = bytes[pos]
            if byte == quote {
                if quote == singleQuote && pos + 1 < lineEnd && bytes[pos + 1] == singleQuote {
                    content.append(contentsOf: bytes[runStart...pos])
                    pos += 2
                    runStart = pos
                    continue
                }
                content.append(contentsOf: bytes[runStart..<pos])
                pos += 1
                break
            }
            if quote == doubleQuote && byte == backslash {
                content.append(contentsOf: bytes[runStart..<pos])
                try appendEscape(to: &content)
                runStart = pos
                continue
            }
            pos += 1
        }
        let text = String(decoding: content, as: UTF8.self)
        return YAMLNode(
            .string(text), text: text, style: quote == doubleQuote ? .doubleQuoted : .singleQuoted,
            line: start.line, column: start.column)
    }

    /// Appends the character of the escape sequence at the cursor (at its `\`) and moves the
    /// cursor past it.
    mutating func appendEscape(to content: inout [UInt8]) throws(YAMLSyntaxError) {
        let start = here
        pos += 1
        guard pos < lineEnd else {
            throw error("a '\\' at the end of the line: escaped line breaks are not supported", at: start)
        }
        let letter = bytes[pos]
        pos += 1
        let simple: UInt8?
        switch letter {
        case UInt8(ascii: "0"): simple = 0x00
        case UInt8(ascii: "a"): simple = 0x07
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "t"), tab: simple = 0x09
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "v"): simple = 0x0B
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "e"): simple = 0x1B
        case space, doubleQuote, UInt8(ascii: "/"), backslash: simple = letter
        default: simple = nil
        }
        if let simple {
            content.append(simple)
            return
        }
        let scalarValue: UInt32
        switch letter {
        case UInt8(ascii: "N"): scalarValue = 0x85
        case UInt8(ascii: "_"): scalarValue = 0xA0
        case UInt8(ascii: "L"): scalarValue = 0x2028
        case UInt8(ascii: "P"): scalarValue = 0x2029
        case UInt8(ascii: "x"): scalarValue = try hexDigits(2, escape: "x", at: start)
        case UInt8(ascii: "u"): scalarValue = try hexDigits(4, escape: "u", at: start)
        case UInt8(ascii: "U"): scalarValue = try hexDigits(8, escape: "U", at: start)
        default:
            throw error("unknown escape '\\\(character(at: pos - 1))' in a double-quoted scalar", at: start)
        }
        var value = scalarValue
        // A JSON-style surrogate pair, "\uD83D\uDE00", stands for one character.
        if (0xD800...0xDBFF).contains(value), letter == UInt8(ascii: "u"), pos + 1 < lineEnd,
            bytes[pos] == backslash, bytes[pos + 1] == UInt8(ascii: "u")
        {
            let lowStart = here
            pos += 2
            let low = try hexDigits(4, escape: "u", at: lowStart)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error("'\\u\(hex(value))' is a high surrogate not followed by a low one", at: start)
            }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value), let encoded = UTF8.encode(scalar) else {
            throw error("'\\\(character(of: letter))\(hex(value))' is not a Unicode character", at: start)
        }
        content.append(contentsOf: encoded)
    }

    /// The value of `count` hex digits at the cursor, which is moved past them.
    mutating func hexDigits(_ count: Int, escape: String, at start: Mark) throws(YAMLSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<count {
            guard pos < lineEnd, let digit = CoreSchema.hexValue(bytes[pos]) else {
                throw error("'\\\(escape)' needs \(count) hex digits", at: start)
            }
            value = value << 4 | UInt32(digit)
            pos += 1
        }
        return value
    }

    func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    // MARK: Lines

    /// The next line with a node on it, from the cursor at a line's start; blank and comment
    /// lines are skipped. The cursor is left at the start of that line. Nil at the end of text.
    mutating func nextContentLine() throws(YAMLSyntaxError) -> ContentLine? {
        while lineStart < bytes.count {
            let textStart = try indentationEnd()
            if textStart == lineEnd || bytes[textStart] == hash {
                advanceLine()
                continue
            }
            let indent = textStart - lineStart
            return ContentLine(indent: indent, marker: indent == 0 ? documentMarker : nil)
        }
        return nil
    }

    /// Where the current line's text starts, after its indentation of spaces. A tab in the
    /// indentation is refused unless only blanks and a comment follow it; such a line counts as
    /// blank, and its end is returned.
    func indentationEnd() throws(YAMLSyntaxError) -> Int {
        var textStart = lineStart
        while textStart < lineEnd && bytes[textStart] == space { textStart += 1 }
        guard textStart < lineEnd && bytes[textStart] == tab else { return textStart }
        var afterBlanks = textStart
        while afterBlanks < lineEnd && isBlank(bytes[afterBlanks]) { afterBlanks += 1 }
        if afterBlanks < lineEnd && bytes[afterBlanks] != hash {
            throw error("a tab in the indentation: indent with spaces", at: mark(of: textStart))
        }
        return lineEnd
    }

    /// Requires the rest of the cursor's line to be blank or a comment, then moves to the next
    /// line.
    mutating func finishLine(after what: String) throws(YAMLSyntaxError) {
        skipBlanks()
        if pos < lineEnd {
            guard bytes[pos] == hash else {
                let rest = String(decoding: bytes[pos..<lineEnd], as: UTF8.self)
                throw error("unexpected '\(rest)' after \(what)", at: here)
            }
            guard pos == lineStart || isBlank(bytes[pos - 1]) else {
                throw error("unexpected '#' after \(what): a comment needs white space before '#'", at: here)
            }
        }
        pos = lineEnd
        advanceLine()
    }

    /// Moves the cursor to the start of the next line (or the end of the text).
    mutating func advanceLine() {
        let next = nextLineStart(after: lineEnd)
        if next > lineEnd { line += 1 }
        pos = next
        lineStart = next
        lineEnd = endOfLine(from: next)
    }

    /// Skips spaces and tabs on the cursor's line; says whether there was a tab among them.
    @discardableResult
    mutating func skipBlanks() -> Bool {
        var sawTab = false
        while pos < lineEnd && isBlank(bytes[pos]) {
            sawTab = sawTab || bytes[pos] == tab
            pos += 1
        }
        return sawTab
    }

    func endOfLine(from start: Int) -> Int {
        var end = start
        while end < bytes.count && bytes[end] != lineFeed { end += 1 }
        if end < bytes.count && end > start && bytes[end - 1] == carriageReturn { end -= 1 }
        return end
    }

    func nextLineStart(after end: Int) -> Int {
        var next = end
        if next < bytes.count && bytes[next] == carriageReturn { next += 1 }
        if next < bytes.count && bytes[next] == lineFeed { next += 1 }
        return next
    }

    /// `---` or `...` at the start of the cursor's line, followed by a blank or the line's end.
    var documentMarker: DocumentMarker? {
        guard lineEnd - lineStart >= 3, lineEnd - lineStart == 3 || isBlank(bytes[lineStart + 3]) else { return nil }
        let first = bytes[lineStart]
        guard first == dash || first == UInt8(ascii: "."), bytes[lineStart + 1] == first, bytes[lineStart + 2] == first
        else { return nil }
        return first == dash ? .start : .end
    }

    /// Whether `offset` is at a block sequence's `-` (followed by a blank or the line's end).
    func isSequenceIndicator(at offset: Int) -> Bool {
        bytes[offset] == dash && (offset + 1 == lineEnd || isBlank(bytes[offset + 1]))
    }

    /// Whether the text at `offset` on the cursor's line is a block mapping key followed by `:`.
    func isImplicitKey(at offset: Int) -> Bool {
        switch bytes[offset] {
        case singleQuote, doubleQuote:
            let quote = bytes[offset]
            var end = offset + 1
            while end < lineEnd {
                if bytes[end] == quote {
                    if quote == singleQuote && end + 1 < lineEnd && bytes[end + 1] == singleQuote {
                        end += 2
                        continue
                    }
                    break
                }
                end += quote == doubleQuote && bytes[end] == backslash ? 2 : 1
            }
            guard end < lineEnd else { return false }
            end += 1
            while end < lineEnd && isBlank(bytes[end]) { end += 1 }
            return end < lineEnd && bytes[end] == colon && (end + 1 == lineEnd || isBlank(bytes[end + 1]))
        case UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "]"), UInt8(ascii: "}"), comma, hash,
            UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"),
            UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"):
            return false
        case dash, UInt8(ascii: "?"), colon:
            if offset + 1 == lineEnd || isBlank(bytes[offset + 1]) { return false }
            return implicitKeyColon(from: offset) != nil
        default:
            return implicitKeyColon(from: offset) != nil
        }
    }

    /// The offset of the `:` (followed by a blank or the line's end) that ends a plain key
    /// starting at `start`, if the line has one before any comment.
    func implicitKeyColon(from start: Int) -> Int? {
        var offset = start
        while offset < lineEnd {
            let byte = bytes[offset]
            if byte == colon && (offset + 1 == lineEnd || isBlank(bytes[offset + 1])) { return offset }
            if byte == hash && offset > start && isBlank(bytes[offset - 1]) { return nil }
            offset += 1
        }
        return nil
    }

    // MARK: Checks and positions

    /// Throws for ASCII control characters other than tab, line feed, and carriage return before
    /// a line feed: YAML does not allow them, and they are not in any text file of ours.
    func checkCharacters() throws(YAMLSyntaxError) {
        var lineNumber = 1
        var start = 0
        for (offset, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x7F {
            switch byte {
            case lineFeed:
                lineNumber += 1
                start = offset + 1
            case tab: continue
            case carriageReturn where offset + 1 < bytes.count && bytes[offset + 1] == lineFeed: continue
            default:
                throw YAMLSyntaxError(
                    line: lineNumber, column: column(of: offset, lineStart: start),
                    message: "control character U+\(hex(UInt32(byte))) is not allowed")
            }
        }
    }

    func checkDepth(_ depth: Int, at mark: Mark) throws(YAMLSyntaxError) {
        if depth > YAMLReader.maximumDepth {
            throw error("lists and mappings are nested more than \(YAMLReader.maximumDepth) deep", at: mark)
        }
    }

    /// Up to this many keys a mapping is searched linearly for a duplicate: no hashing and no
    /// dictionary whose type metadata the runtime must build on the agent's start-up path.
    static let linearKeySearchLimit = 16

    /// Throws if `key` equals the key of one of `entries`, the mapping's entries so far. `index`
    /// (entry positions by key) is built once the mapping outgrows a linear search.
    func checkUnique(_ key: YAMLNode, among entries: [YAMLNode.Entry], index: inout [KeyIdentity: Int]?)
        throws(YAMLSyntaxError)
    {
        let first: YAMLNode?
        if entries.count < Self.linearKeySearchLimit {
            first = entries.first { $0.key.value == key.value }?.key
        } else {
            var positions = index ?? [:]
            if index == nil {
                for (position, entry) in entries.enumerated() { positions[KeyIdentity(entry.key.value)] = position }
            }
            let identity = KeyIdentity(key.value)
            first = positions[identity].map { entries[$0].key }
            if first == nil { positions[identity] = entries.count }
            index = positions
        }
        if let first {
            throw error(
                "duplicate key '\(key.text)' (first on line \(first.line), column \(first.column))",
                at: Mark(line: key.line, column: key.column))
        }
    }

    /// The error for a line indented more than the block it follows, yet not inside it.
    func inconsistentIndentation(
        _ indent: Int, block: String, start: Mark, blockIndent: Int, after value: YAMLNode, onLine valueLine: Int
    ) -> YAMLSyntaxError {
        let hint =
            value.isScalar && (value.style == .plain || value.style == .singleQuoted || value.style == .doubleQuoted)
                && !value.text.isEmpty && value.line == valueLine
            ? "; a scalar cannot go on over several lines (use a block scalar, '|' or '>')" : ""
        return error(
            "inconsistent indentation: indented by \(indent), which matches no enclosing block (the \(block) on line \(start.line) is indented by \(blockIndent))\(hint)",
            at: mark(of: lineStart + indent))
    }

    func null(at mark: Mark) -> YAMLNode {
        YAMLNode(.null, text: "", style: .plain, line: mark.line, column: mark.column)
    }

    /// The cursor's position.
    var here: Mark { mark(of: pos) }

    /// The position of `offset` on the cursor's line.
    func mark(of offset: Int) -> Mark {
        Mark(line: line, column: column(of: offset, lineStart: lineStart))
    }

    /// The 1-based column of `offset` on the line starting at `lineStart`, in Unicode scalars.
    func column(of offset: Int, lineStart: Int) -> Int {
        var column = 1
        for byte in bytes[lineStart..<offset] where byte & 0xC0 != 0x80 { column += 1 }
        return column
    }

    func error(_ message: String, at mark: Mark) -> YAMLSyntaxError {
        YAMLSyntaxError(line: mark.line, column: mark.column, message: message)
    }

    /// The character starting at `offset`, for messages.
    func character(at offset: Int) -> String {
        var end = offset + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        return String(decoding: bytes[offset..<end], as: UTF8.self)
    }

    func character(of byte: UInt8) -> String { String(UnicodeScalar(byte)) }
}

/// The YAML 1.2 core schema's resolution of plain scalars.
private enum CoreSchema {
    /// The value of the plain scalar `text`; nil for an integer too large for `Int`.
    static func resolve(_ text: ArraySlice<UInt8>) -> YAMLNode.Value? {
        if text.isEmpty { return .null }
        switch text.first! {
        case UInt8(ascii: "~"):
            if text.count == 1 { return .null }
        case UInt8(ascii: "n"), UInt8(ascii: "N"):
            if isOneOf(text, "null", "Null", "NULL") { return .null }
        case UInt8(ascii: "t"), UInt8(ascii: "T"):
            if isOneOf(text, "true", "True", "TRUE") { return .bool(true) }
        case UInt8(ascii: "f"), UInt8(ascii: "F"):
            if isOneOf(text, "false", "False", "FALSE") { return .bool(false) }
        case UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"):
            let unsigned = text.first == UInt8(ascii: ".") ? text : text.dropFirst()
            if isOneOf(unsigned, ".inf", ".Inf", ".INF") {
                return .float(text.first == UInt8(ascii: "-") ? -.infinity : .infinity)
            }
            if isOneOf(text, ".nan", ".NaN", ".NAN") { return .float(.nan) }
        default: break
        }
        if let (digits, radix) = integerDigits(text) {
            return Int(String(decoding: digits, as: UTF8.self), radix: radix).map(YAMLNode.Value.int)
        }
        if isFloat(text), let double = Double(String(decoding: text, as: UTF8.self)) { return .float(double) }
        return .string(String(decoding: text, as: UTF8.self))
    }

    /// The digits (with any sign) and radix of the core schema's integer forms: `[-+]?[0-9]+`,
    /// `0x[0-9a-fA-F]+`, `0o[0-7]+`; nil for any other text.
    private static func integerDigits(_ text: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, Int)? {
        if text.count > 2 && text.first == UInt8(ascii: "0") {
            let digits = text.dropFirst(2)
            switch text[text.startIndex + 1] {
            case UInt8(ascii: "x") where digits.allSatisfy({ hexValue($0) != nil }): return (digits, 16)
            case UInt8(ascii: "o") where digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }):
                return (digits, 8)
            default: break
            }
        }
        let unsigned = text.first == UInt8(ascii: "-") || text.first == UInt8(ascii: "+") ? text.dropFirst() : text
        guard !unsigned.isEmpty, unsigned.allSatisfy(isDigit) else { return nil }
        return (text, 10)
    }

    /// Whether `text` is `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`.
    private static func isFloat(_ text: ArraySlice<UInt8>) -> Bool {
        var rest = text
        if rest.first == UInt8(ascii: "-") || rest.first == UInt8(ascii: "+") { rest = rest.dropFirst() }
        let integerDigits = rest.prefix(while: isDigit).count
        rest = rest.dropFirst(integerDigits)
        var fractionDigits = 0
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            fractionDigits = rest.prefix(while: isDigit).count
            rest = rest.dropFirst(fractionDigits)
        }
        guard integerDigits > 0 || fractionDigits > 0 else { return false }
        if rest.first == UInt8(ascii: "e") || rest.first == UInt8(ascii: "E") {
            rest = rest.dropFirst()
            if rest.first == UInt8(ascii: "-") || rest.first == UInt8(ascii: "+") { rest = rest.dropFirst() }
            let exponentDigits = rest.prefix(while: isDigit).count
            guard exponentDigits > 0 else { return false }
            rest = rest.dropFirst(exponentDigits)
        }
        return rest.isEmpty
    }

    /// Whether `text` is one of the three spellings the core schema allows for a word.
    private static func isOneOf(_ text: ArraySlice<UInt8>, _ a: StaticString, _ b: StaticString, _ c: StaticString)
        -> Bool
    {
        func equals(_ word: StaticString) -> Bool { word.withUTF8Buffer { text.elementsEqual($0) } }
        return equals(a) || equals(b) || equals(c)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
