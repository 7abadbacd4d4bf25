/// What an OVF environment document (ovf-env.xml) holds that guestprep uses.
public struct OVFEnvironment: Sendable, Equatable {
    /// PropertySection/Property oe:key → oe:value, in document order.
    public var properties: [(key: String, value: String)]
    /// ve:EthernetAdapterSection adapters, in document order.
    public var adapters: [EthernetAdapter]

    public init(properties: [(key: String, value: String)] = [], adapters: [EthernetAdapter] = []) {
        self.properties = properties
        self.adapters = adapters
    }

    public static func == (lhs: OVFEnvironment, rhs: OVFEnvironment) -> Bool {
        lhs.adapters == rhs.adapters && lhs.properties.map(\.key) == rhs.properties.map(\.key)
            && lhs.properties.map(\.value) == rhs.properties.map(\.value)
    }
}

/// One ve:Adapter of the OVF environment's EthernetAdapterSection.
public struct EthernetAdapter: Sendable, Equatable, Codable {
    /// Lower-case, colon-separated MAC address.
    public var mac: String
    public var network: String?
    public var unitNumber: Int?

    public init(mac: String, network: String? = nil, unitNumber: Int? = nil) {
        self.mac = mac
        self.network = network
        self.unitNumber = unitNumber
    }
}
