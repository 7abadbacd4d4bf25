import GuestPrepModel

/// Reading IPv4 addresses from property values, and the addresses a NIC may not have.
enum AddressRule {
    /// Parses a strict dotted-quad IPv4 address. On failure the message quotes the value and
    /// says what is allowed; an IPv6 address is told so by name.
    static func parse(_ text: String, what: String = "an IPv4 address") -> Result<IPv4Address, Message> {
        if let address = IPv4Address(text) { return .success(address) }
        let shown = Quoting.quote(text)
        if text.contains(":") {
            return .failure(Message("IPv6 is not supported: \(shown); give \(what) such as 192.168.1.10"))
        }
        if let slash = text.firstIndex(of: "/"), IPv4Address(String(text[..<slash])) != nil {
            return .failure(Message(
                "\(shown) is not a plain IPv4 address: give the address alone (such as 192.168.1.10) and the prefix in the netmask property"))
        }
        return .failure(Message(
            "\(shown) is not \(what): use four decimal numbers 0–255 separated by dots, without leading zeros (such as 192.168.1.10)"))
    }

    /// Why `address` cannot be a NIC's own address, or nil when it can: 0.0.0.0/8 ("this
    /// network"), loopback 127.0.0.0/8, multicast 224.0.0.0/4 and 255.255.255.255.
    static func reservedUse(_ address: IPv4Address) -> String? {
        let value = address.value
        if value == UInt32.max { return "the limited broadcast address" }
        switch value >> 24 {
        case 0: return "in 0.0.0.0/8 (\"this network\"), not a host address"
        case 127: return "a loopback address (127.0.0.0/8)"
        case 224...239: return "a multicast address (224.0.0.0/4)"
        default: return nil
        }
    }

    /// Why `address` cannot be a host in `subnet` (its network or broadcast address), or nil.
    /// Prefixes 31 and 32 have no network or broadcast address (RFC 3021).
    static func subnetEdge(_ address: IPv4Address, in subnet: IPv4Interface) -> String? {
        guard subnet.prefixLength <= 30 else { return nil }
        if address == subnet.network { return "the network address of \(subnet.network)/\(subnet.prefixLength)" }
        if address == subnet.broadcast { return "the broadcast address of \(subnet.network)/\(subnet.prefixLength)" }
        return nil
    }
}

/// A diagnostic's text before it is given a key and a severity.
struct Message: Error, Equatable {
    var text: String
    init(_ text: String) { self.text = text }
}
