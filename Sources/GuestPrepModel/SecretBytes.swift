/// Bytes that must never be shown, such as a Bitfusion client's client.yaml (its credential).
/// Like ``Secret``: the description, debug description and encoded form are `<redacted>`, and
/// reflection (`dump`, a containing value's default description) shows no children; only
/// `reveal()` gives the bytes, for the code that installs them.
public struct SecretBytes: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, Encodable
{
    private let value: [UInt8]

    public init(_ value: [UInt8]) { self.value = value }

    public func reveal() -> [UInt8] { value }

    public var description: String { PropertyKeys.redacted }
    public var debugDescription: String { PropertyKeys.redacted }
    // Without this, dump() would list every byte.
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(PropertyKeys.redacted)
    }
}
