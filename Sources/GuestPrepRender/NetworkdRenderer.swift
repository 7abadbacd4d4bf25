import GuestPrepModel

/// Renders systemd-networkd `.network` files (systemd.network(5)), one per NIC.
///
/// Every NIC matches on its MAC (and on its driver where `BoundNIC.matchDriver` says) and always
/// states its MTU. net1 carries management: its gateway (static only), DNS servers, search
/// domains and NTP servers. No NIC accepts IPv6
/// router advertisements (guestprep configures IPv4; links keep their IPv6 link-local address).
/// Data NICs (net2–4) never hold up `network-online.target` and, on DHCP, take only an address
/// from the lease: no default route, resolver, NTP server, search domain or hostname.
public enum NetworkdRenderer {
    /// Where the files go.
    public static let directory = "/etc/systemd/network"

    /// The file name for netN: `10-guestprep-netN.network`.
    public static func fileName(index: Int) -> String { "10-guestprep-net\(index).network" }

    /// Every file name this renderer can write.
    public static let fileNames: Set<String> = Set((1...PropertyKeys.nicCount).map(fileName(index:)))

    /// Whether the file named `fileName` in `directory` is one guestprep writes.
    public static func owns(fileName: String) -> Bool { fileNames.contains(fileName) }

    /// One file per NIC, mode 0644, in netN order.
    public static func render(_ nics: [BoundNIC]) -> [RenderedFile] {
        RenderSupport.ordered(nics).map { nic in
            RenderedFile(
                path: directory + "/" + fileName(index: nic.spec.index), text: text(for: nic), mode: 0o644)
        }
    }

    private static func text(for nic: BoundNIC) -> String {
        let spec = nic.spec
        var lines = RenderSupport.header("\(RenderSupport.propertySource(nic)) for \(nic.interfaceName)") + [
            "[Match]",
            "MACAddress=\(nic.mac)",
        ]
        if let driver = nic.matchDriver { lines.append("Driver=\(driver)") }
        lines += [
            "",
            "[Link]",
            "MTUBytes=\(spec.mtu)",
        ]
        if !nic.isManagement { lines.append("RequiredForOnline=no") }
        lines += ["", "[Network]"]
        switch spec.addressing {
        case .staticIPv4(let interface):
            lines.append("Address=\(interface)")
            if nic.isManagement, let gateway = spec.gateway { lines.append("Gateway=\(gateway)") }
        case .dhcp:
            lines.append("DHCP=ipv4")
        }
        if nic.isManagement {
            lines += spec.dns.map { "DNS=\($0)" }
            if !spec.searchDomains.isEmpty { lines.append("Domains=" + spec.searchDomains.joined(separator: " ")) }
            if !spec.ntp.isEmpty { lines.append("NTP=" + spec.ntp.joined(separator: " ")) }
        }
        // IPv4 only. With router advertisements accepted, a static link on a network without
        // an IPv6 router stays "configuring" for about 10 s at every boot before networkd
        // gives up waiting for one, and network-online.target waits with it.
        lines.append("IPv6AcceptRA=no")
        if !nic.isManagement {
            if spec.addressing == .dhcp {
                lines += ["", "[DHCPv4]", "UseGateway=no", "UseDNS=no", "UseNTP=no", "UseDomains=no", "UseHostname=no"]
            }
        }
        return RenderSupport.text(lines)
    }
}
