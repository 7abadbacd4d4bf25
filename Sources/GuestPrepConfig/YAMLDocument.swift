import GuestPrepModel

/// What the strict YAML decoders (profiles, the GPU catalog) share: reading a document whose
/// root must be a mapping, and wording nodes in messages.
enum YAMLDocument {
    /// The root mapping of `yaml` and its entries. Every failure is `.malformed(what: source)`:
    /// invalid YAML, an empty document (`emptyMessage`), a root that is not a mapping
    /// (`notMapping` gets the root's kind in words; the root's line is put before it).
    static func rootMapping(
        _ yaml: String, source: String, emptyMessage: String, notMapping: (String) -> String
    ) throws(GuestPrepError) -> (root: YAMLNode, entries: [YAMLNode.Entry]) {
        let document: YAMLNode?
        do {
            document = try YAMLReader.read(yaml)
        } catch {
            throw .malformed(what: source, reason: "invalid YAML: \(error)")
        }
        guard let root = document else { throw .malformed(what: source, reason: emptyMessage) }
        guard let entries = root.entries else {
            throw .malformed(what: source, reason: at(root) + notMapping(kind(of: root)))
        }
        return (root, entries)
    }

    /// "line N: " for a node, or "" for none.
    static func at(_ node: YAMLNode?) -> String {
        node.map { "line \($0.line): " } ?? ""
    }

    /// What a node is, in words, for messages.
    static func kind(of node: YAMLNode) -> String {
        switch node.kind {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .null: "null"
        case .string: "the string '\(node.text)'"
        case .bool, .int, .float: "the value '\(node.text)'"
        }
    }
}
