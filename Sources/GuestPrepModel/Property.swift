/// One property value and where it came from.
public struct Property: Sendable, Equatable, Codable {
    public var key: String
    public var value: String
    /// The source that gave it, as written on the command line (`vmware`, `ovf:/dev/sr0`,
    /// `kvp:/var/lib/hyperv`, `fwcfg`, `file:/etc/guestprep.env`), with a detail where a
    /// source has two channels (`vmware (ovfEnv)`).
    public var source: String

    public init(key: String, value: String, source: String) {
        self.key = key
        self.value = value
        self.source = source
    }

    /// The value as it may be shown: `<redacted>` for a secret, and a URL's `user:password@`
    /// part replaced whatever the key (a runfile or archive URL may carry credentials).
    public var displayValue: String {
        PropertyKeys.isSecret(key) && !value.isEmpty ? PropertyKeys.redacted : URLRedaction.redacted(value)
    }
}

/// Properties merged from several sources; a later source overrides an earlier one.
public struct PropertySet: Sendable, Equatable {
    private var byKey: [String: Property] = [:]

    public init() {}

    public init(_ properties: [Property]) {
        merge(properties)
    }

    /// Adds `properties`, each replacing any earlier value of the same key.
    public mutating func merge(_ properties: [Property]) {
        for property in properties { byKey[property.key] = property }
    }

    /// The value of `key`, or nil when no source gave it.
    public subscript(key: String) -> String? { byKey[key]?.value }

    /// The full record of `key`, with its source.
    public func property(_ key: String) -> Property? { byKey[key] }

    /// Every property, sorted by key.
    public var all: [Property] { byKey.values.sorted { $0.key < $1.key } }

    public var isEmpty: Bool { byKey.isEmpty }
}
