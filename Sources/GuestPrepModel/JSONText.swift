/// A JSON value to write, with object members in the order given. For files guestprep writes
/// on the boot path (state.json): building the text by hand costs a fraction of a generic
/// `JSONEncoder` run, whose reflection and sorting showed up in every start (callgrind).
public indirect enum JSONText: Sendable, Equatable {
    case object([(key: String, value: JSONText)])
    case array([JSONText])
    case string(String)
    case int(Int)
    case bool(Bool)
    case null

    /// An object from its members, leaving out those whose value is nil.
    public static func object(_ members: [(String, JSONText?)]) -> JSONText {
        .object(members.compactMap { key, value in value.map { (key: key, value: $0) } })
    }

    /// The value as pretty-printed JSON: two-space indentation, `"key" : value`, `{}` and `[]`
    /// when empty, no trailing newline. Strings are escaped as RFC 8259 requires (quote, backslash, control characters).
    public var pretty: String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(into: &out, indent: 0)
        return String(decoding: out, as: UTF8.self)
    }

    private func write(into out: inout [UInt8], indent: Int) {
        switch self {
        case .object(let members):
            guard !members.isEmpty else { return out.append(contentsOf: "{}".utf8) }
            out.append(UInt8(ascii: "{"))
            for (offset, member) in members.enumerated() {
                out.append(contentsOf: offset == 0 ? "\n".utf8 : ",\n".utf8)
                Self.pad(&out, indent + 2)
                Self.writeString(member.key, into: &out)
                out.append(contentsOf: " : ".utf8)
                member.value.write(into: &out, indent: indent + 2)
            }
            out.append(UInt8(ascii: "\n"))
            Self.pad(&out, indent)
            out.append(UInt8(ascii: "}"))
        case .array(let elements):
            guard !elements.isEmpty else { return out.append(contentsOf: "[]".utf8) }
            out.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                out.append(contentsOf: offset == 0 ? "\n".utf8 : ",\n".utf8)
                Self.pad(&out, indent + 2)
                element.write(into: &out, indent: indent + 2)
            }
            out.append(UInt8(ascii: "\n"))
            Self.pad(&out, indent)
            out.append(UInt8(ascii: "]"))
        case .string(let text): Self.writeString(text, into: &out)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        }
    }

    private static func pad(_ out: inout [UInt8], _ count: Int) {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count))
    }

    private static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    public static func == (lhs: JSONText, rhs: JSONText) -> Bool {
        switch (lhs, rhs) {
        case (.object(let l), .object(let r)):
            l.count == r.count && zip(l, r).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.array(let l), .array(let r)): l == r
        case (.string(let l), .string(let r)): l == r
        case (.int(let l), .int(let r)): l == r
        case (.bool(let l), .bool(let r)): l == r
        case (.null, .null): true
        default: false
        }
    }
}
