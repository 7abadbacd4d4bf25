/// An IPv4 address as a 32-bit number. Parses only the strict dotted-quad form (four decimal
/// octets, no leading zeros beyond a lone 0), because inet_aton's octal and short forms would
/// turn a typo into a different address.
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init?(_ text: String) {
        // On bytes, in one pass: every address property is parsed on the boot path, and
        // Character splitting and Int parsing cost several times more (callgrind).
        var result: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        var leadingZero = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                result = result << 8 | octet
                (octet, digits, dots, leadingZero) = (0, 0, dots + 1, false)
                continue
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), digits < 3, !leadingZero else { return nil }
            if digits == 0 && byte == UInt8(ascii: "0") { leadingZero = true }
            octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
            digits += 1
            guard octet <= 255 else { return nil }
        }
        guard dots == 3, digits > 0 else { return nil }
        value = result << 8 | octet
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
