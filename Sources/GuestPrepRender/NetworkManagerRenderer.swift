import GuestPrepModel

/// Renders NetworkManager keyfile connection profiles (nm-settings-keyfile(5)), one per NIC.
///
/// Each profile binds to its NIC by MAC (and driver, see `BoundNIC.matchDriver`), has a UUID
/// derived from netN and the MAC (a re-run writes the same file) and an autoconnect priority
/// above NM's default, so it wins over an automatic "Wired connection 1". net1 carries the
/// gateway (static only), DNS servers and search domains; data NICs never take the default
/// route and ignore DHCP's DNS servers. IPv6 stays link-local on every NIC (guestprep
/// configures IPv4). NM keyfiles have no NTP setting: see ``TimesyncRenderer``.
public enum NetworkManagerRenderer {
    /// Where the files go.
    public static let directory = "/etc/NetworkManager/system-connections"

    /// The connection id for netN, also the file's base name: `guestprep-netN`.
    public static func connectionID(index: Int) -> String { "guestprep-net\(index)" }

    /// The file name for netN: `guestprep-netN.nmconnection`.
    public static func fileName(index: Int) -> String { connectionID(index: index) + ".nmconnection" }

    /// Every file name this renderer can write.
    public static let fileNames: Set<String> = Set((1...PropertyKeys.nicCount).map(fileName(index:)))

    /// Whether the file named `fileName` in `directory` is one guestprep writes.
    public static func owns(fileName: String) -> Bool { fileNames.contains(fileName) }

    /// NM's default is 0 and its automatic "Wired connection N" profiles use -999 or 0; the
    /// highest priority among a device's candidates autoconnects.
    public static let autoconnectPriority = 100

    /// The profile's UUID: derived from `guestprep-netN|mac` (MAC lower-case), so it is the
    /// same on every run for the same NIC and differs between NICs.
    public static func connectionUUID(index: Int, mac: String) -> String {
        StableUUID.make(from: connectionID(index: index) + "|" + mac.lowercased())
    }

    /// One profile per NIC, mode 0600 (NM ignores keyfiles that others can read), in netN order.
    public static func render(_ nics: [BoundNIC]) -> [RenderedFile] {
        RenderSupport.ordered(nics).map { nic in
            RenderedFile(
                path: directory + "/" + fileName(index: nic.spec.index), text: text(for: nic), mode: 0o600)
        }
    }

    private static func text(for nic: BoundNIC) -> String {
        let spec = nic.spec
        var lines = RenderSupport.header("\(RenderSupport.propertySource(nic)) for \(nic.interfaceName)") + [
            "[connection]",
            "id=\(connectionID(index: spec.index))",
            "uuid=\(connectionUUID(index: spec.index, mac: nic.mac))",
            "type=ethernet",
            "autoconnect=true",
            "autoconnect-priority=\(autoconnectPriority)",
            "",
            "[ethernet]",
            "mac-address=\(nic.mac.uppercased())",
            "mtu=\(spec.mtu)",
            "",
        ]
        // [match] driver= needs NetworkManager 1.26 or later (RHEL 8.3 and later).
        if let driver = nic.matchDriver { lines += ["[match]", "driver=\(driver)", ""] }
        lines.append("[ipv4]")
        switch spec.addressing {
        case .staticIPv4(let interface):
            lines.append("method=manual")
            if nic.isManagement, let gateway = spec.gateway {
                lines.append("address1=\(interface),\(gateway)")
            } else {
                lines.append("address1=\(interface)")
            }
        case .dhcp:
            lines.append("method=auto")
        }
        if nic.isManagement {
            if !spec.dns.isEmpty { lines.append("dns=" + spec.dns.map { "\($0);" }.joined()) }
            if !spec.searchDomains.isEmpty { lines.append("dns-search=" + spec.searchDomains.map { $0 + ";" }.joined()) }
        } else {
            lines.append("never-default=true")
            if spec.addressing == .dhcp { lines.append("ignore-auto-dns=true") }
        }
        // IPv4 only: IPv6 stays link-local, as with the other renderers.
        lines += ["", "[ipv6]", "method=link-local"]
        return RenderSupport.text(lines)
    }
}
