/// A value that must never be shown. Its description, debug description and encoded form are
/// `<redacted>`; only `reveal()` gives the value, and only code that sends it to its one
/// rightful peer may call that.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, Encodable
{
    private let value: String

    public init(_ value: String) { self.value = value }

    public func reveal() -> String { value }

    public var description: String { PropertyKeys.redacted }
    public var debugDescription: String { PropertyKeys.redacted }
    /// No children: `dump()` and reflection show `<redacted>`, not the value.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(PropertyKeys.redacted)
    }
}
