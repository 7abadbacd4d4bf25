/// A node of a document read by ``YAMLReader``: a scalar resolved by the YAML 1.2 core schema,
/// a sequence or a mapping, with the line and column where it starts. Two nodes are equal when
/// their values, texts, styles and positions are.
public struct YAMLNode: Sendable, Equatable {
    /// What a node holds. Plain scalars are resolved by the core schema; quoted and block
    /// scalars are always strings.
    public enum Value: Sendable, Equatable {
        /// `~`, `null`, `Null`, `NULL`, or nothing at all.
        case null
        /// `true`, `True`, `TRUE`, `false`, `False` or `FALSE`.
        case bool(Bool)
        /// A decimal (`-12`), hexadecimal (`0x20b0`) or octal (`0o755`) integer.
        case int(Int)
        /// A decimal float (`1.5`, `2e3`), `.inf`, `-.inf` or `.nan`.
        case float(Double)
        /// Any other scalar.
        case string(String)
        /// The items of a sequence, in document order.
        case sequence([YAMLNode])
        /// The entries of a mapping, in document order; no two keys are equal.
        case mapping([Entry])
    }

    /// What kind of value a node holds, without the value: enough to say "the value 'true'"
    /// rather than "the string 'x'".
    public enum Kind: Sendable, Equatable {
        case null, bool, int, float, string, sequence, mapping
    }

    /// How a node is written in the text.
    public enum Style: Sendable, Equatable {
        /// An unquoted scalar, including an empty (null) one.
        case plain
        /// A scalar in `'…'`.
        case singleQuoted
        /// A scalar in `"…"`.
        case doubleQuoted
        /// A `|` block scalar.
        case literal
        /// A `>` block scalar.
        case folded
        /// A sequence or mapping written with indentation, `- ` and `key: `.
        case block
        /// A sequence or mapping written `[…]` or `{…}`.
        case flow
    }

    /// One `key: value` pair of a mapping. Keys are scalars.
    public struct Entry: Sendable, Equatable {
        /// The key: a scalar node.
        public let key: YAMLNode
        /// The value.
        public let value: YAMLNode

        init(key: YAMLNode, value: YAMLNode) {
            self.key = key
            self.value = value
        }
    }

    /// The resolved value.
    public let value: Value
    /// A scalar's text: as written for a plain scalar (`0x20b0`, `TRUE`, empty for a missing
    /// value), the content for a quoted or block scalar. Empty for a sequence or mapping.
    public let text: String
    /// How the node is written.
    public let style: Style
    /// The 1-based line where the node starts: a scalar's first character (or the place a
    /// missing value would be), a block collection's first `-` or key, a flow collection's
    /// bracket.
    public let line: Int
    /// The 1-based column where the node starts, counted in Unicode scalars.
    public let column: Int

    init(_ value: Value, text: String, style: Style, line: Int, column: Int) {
        self.value = value
        self.text = text
        self.style = style
        self.line = line
        self.column = column
    }

    /// The kind of ``value``.
    public var kind: Kind {
        switch value {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .float: .float
        case .string: .string
        case .sequence: .sequence
        case .mapping: .mapping
        }
    }

    /// Whether the node is a scalar (not a sequence or mapping).
    public var isScalar: Bool { kind != .sequence && kind != .mapping }

    /// Whether the value is null.
    public var isNull: Bool { value == .null }

    /// The string, when the value is a string.
    public var string: String? {
        if case .string(let string) = value { string } else { nil }
    }

    /// The integer, when the value is an integer.
    public var int: Int? {
        if case .int(let int) = value { int } else { nil }
    }

    /// The Boolean, when the value is a Boolean.
    public var bool: Bool? {
        if case .bool(let bool) = value { bool } else { nil }
    }

    /// The number, when the value is a float or an integer.
    public var double: Double? {
        switch value {
        case .float(let double): double
        case .int(let int): Double(int)
        default: nil
        }
    }

    /// The items, when the node is a sequence.
    public var items: [YAMLNode]? {
        if case .sequence(let items) = value { items } else { nil }
    }

    /// The entries, when the node is a mapping.
    public var entries: [Entry]? {
        if case .mapping(let entries) = value { entries } else { nil }
    }

    /// The value of the entry whose key is the string `key`, when the node is a mapping that
    /// has one. A linear search: mappings in configuration files are small.
    public subscript(key: String) -> YAMLNode? {
        entries?.first { $0.key.value == .string(key) }?.value
    }
}
