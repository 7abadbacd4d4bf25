import Foundation

/// One entry of `ip -j link`.
struct IPLink: Codable, Equatable {
    var ifname: String
    var mtu: Int
    /// The MAC address; absent for some link types.
    var address: String?
    var operstate: String?
}

/// One entry of `ip -j addr`: a link and its addresses.
struct IPAddressList: Codable, Equatable {
    var ifname: String
    var address: String?
    var addressInfo: [IPAddressInfo]

    enum CodingKeys: String, CodingKey {
        case ifname, address
        case addressInfo = "addr_info"
    }
}

/// One address of `ip -j addr`'s `addr_info`.
struct IPAddressInfo: Codable, Equatable {
    /// `inet` or `inet6`.
    var family: String
    var local: String
    var prefixlen: Int
    /// Set (true) for addresses with a lifetime, such as DHCP leases; absent for static ones.
    var dynamic: Bool?

    var isDynamic: Bool { dynamic ?? false }
    var cidr: String { "\(local)/\(prefixlen)" }
}

/// One entry of `ip -j route`.
struct IPRoute: Codable, Equatable {
    /// `default` or a prefix such as `10.1.0.0/24`.
    var dst: String
    var gateway: String?
    var dev: String?
    /// Absent for the main table.
    var table: String?
    var `protocol`: String?
    var type: String?

    var isDefault: Bool { dst == "default" }
}

/// The guest namespace's links, addresses and routes, as the kernel has them.
struct IPSnapshot: Equatable {
    var links: [IPLink]
    var addresses: [IPAddressList]
    /// IPv4 routes of all tables (`ip -j -4 route show table all`).
    var routes: [IPRoute]
    /// IPv6 routes of all tables (`ip -j -6 route show table all`).
    var routes6: [IPRoute]

    /// The link with this MAC address (any case).
    func link(mac: String) -> IPLink? {
        links.first { $0.address?.lowercased() == mac.lowercased() }
    }

    /// The addresses of the link with this MAC address, of `family` (`inet` or `inet6`).
    func addresses(mac: String, family: String = "inet") -> [IPAddressInfo] {
        let entry = addresses.first { $0.address?.lowercased() == mac.lowercased() }
        return (entry?.addressInfo ?? []).filter { $0.family == family }
    }

    /// Default routes of both families and all tables.
    var defaultRoutes: [IPRoute] { (routes + routes6).filter(\.isDefault) }

    /// A few readable lines, for failure messages.
    var summary: String {
        var lines: [String] = []
        for link in links {
            let addresses = addresses.first { $0.ifname == link.ifname }?.addressInfo ?? []
            let shown = addresses.map { $0.cidr + ($0.isDynamic ? " (dynamic)" : "") }
            lines.append(
                "\(link.ifname) \(link.address ?? "-") mtu \(link.mtu) \(link.operstate ?? ""): "
                    + shown.joined(separator: ", "))
        }
        for route in routes + routes6 where route.table == nil {
            lines.append(
                "route \(route.dst)" + (route.gateway.map { " via \($0)" } ?? "")
                    + (route.dev.map { " dev \($0)" } ?? "") + (route.protocol.map { " proto \($0)" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}
