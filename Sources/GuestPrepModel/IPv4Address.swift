/// An IPv4 address as a 32-bit number. Parses only the strict dotted-quad form (four decimal
/// octets, no leading zeros beyond a lone 0), because inet_aton's octal and short forms would
/// turn a typo into a different address.
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                !(part.count > 1 && part.first == "0"), let octet = UInt32(part), octet <= 255
            else { return nil }
            result = result << 8 | octet
        }
        value = result
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = IPv4Address(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not an IPv4 address: \(text)"))
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// An address with its prefix length: `192.168.1.10/24`.
public struct IPv4Interface: Sendable, Hashable, CustomStringConvertible {
    public let address: IPv4Address
    public let prefixLength: Int

    public init(address: IPv4Address, prefixLength: Int) {
        precondition((0...32).contains(prefixLength), "prefix length out of range")
        self.address = address
        self.prefixLength = prefixLength
    }

    public var mask: UInt32 { prefixLength == 0 ? 0 : UInt32.max << (32 - UInt32(prefixLength)) }
    public var network: IPv4Address { IPv4Address(address.value & mask) }
    public var broadcast: IPv4Address { IPv4Address(address.value | ~mask) }
    public var netmask: IPv4Address { IPv4Address(mask) }

    public func contains(_ other: IPv4Address) -> Bool { other.value & mask == network.value }

    /// Whether the two subnets share any address.
    public func overlaps(_ other: IPv4Interface) -> Bool {
        let common = min(prefixLength, other.prefixLength)
        let commonMask: UInt32 = common == 0 ? 0 : UInt32.max << (32 - UInt32(common))
        return address.value & commonMask == other.address.value & commonMask
    }

    public var description: String { "\(address)/\(prefixLength)" }
}
