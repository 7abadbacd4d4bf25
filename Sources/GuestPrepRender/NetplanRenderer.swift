import GuestPrepModel

/// Renders one netplan YAML file for all NICs (netplan's `network: version: 2`).
///
/// The file leaves `renderer` unset, so netplan keeps the system's own (networkd on a server,
/// NetworkManager on a desktop). Each NIC is keyed `netN` and matched by MAC (and driver, see
/// `BoundNIC.matchDriver`) without renaming the device. net1 carries the default route (static
/// only), DNS servers and search domains; no NIC accepts IPv6 router advertisements; data NICs
/// are optional at boot and, on DHCP, take only an address from the lease. Netplan has no NTP
/// setting: see ``TimesyncRenderer``.
public enum NetplanRenderer {
    /// Where the file goes.
    public static let directory = "/etc/netplan"

    /// The one file name this renderer writes.
    public static let fileName = "90-guestprep.yaml"

    /// Whether the file named `fileName` in `directory` is the one guestprep writes.
    public static func owns(fileName: String) -> Bool { fileName == Self.fileName }

    /// One file, mode 0600 (netplan warns about files others can read), or none without NICs.
    public static func render(_ nics: [BoundNIC]) -> [RenderedFile] {
        let nics = RenderSupport.ordered(nics)
        guard !nics.isEmpty else { return [] }
        var lines = RenderSupport.header("guestinfo.bitfusion.host.net[1-4].*") + [
            "network:",
            "  version: 2",
            "  ethernets:",
        ]
        for nic in nics { lines += entry(for: nic).map { "    " + $0 } }
        return [RenderedFile(path: directory + "/" + fileName, text: RenderSupport.text(lines), mode: 0o600)]
    }

    /// The lines of one `ethernets` entry, indented relative to the entry's key.
    private static func entry(for nic: BoundNIC) -> [String] {
        let spec = nic.spec
        var lines = [
            "net\(spec.index):",
            "  # \(nic.interfaceName) when rendered",
            "  match:",
            "    macaddress: \(quoted(nic.mac))",
        ]
        if let driver = nic.matchDriver { lines.append("    driver: \(quoted(driver))") }
        lines.append("  mtu: \(spec.mtu)")
        switch spec.addressing {
        case .staticIPv4(let interface):
            lines += ["  addresses:", "    - \(interface)"]
            if nic.isManagement, let gateway = spec.gateway {
                lines += ["  routes:", "    - to: default", "      via: \(gateway)"]
            }
        case .dhcp:
            lines.append("  dhcp4: true")
            if !nic.isManagement {
                lines += [
                    "  dhcp4-overrides:",
                    "    use-routes: false",
                    "    use-dns: false",
                    "    use-ntp: false",
                    "    use-domains: false",
                    "    use-hostname: false",
                ]
            }
        }
        if nic.isManagement, !spec.dns.isEmpty || !spec.searchDomains.isEmpty {
            lines.append("  nameservers:")
            if !spec.dns.isEmpty { lines += ["    addresses:"] + spec.dns.map { "      - \($0)" } }
            if !spec.searchDomains.isEmpty {
                lines += ["    search:"] + spec.searchDomains.map { "      - \(quoted($0))" }
            }
        }
        if !nic.isManagement { lines.append("  optional: true") }
        // IPv4 only; see NetworkdRenderer for the boot delay router advertisements cause.
        lines.append("  accept-ra: false")
        return lines
    }

    /// A YAML double-quoted scalar. A MAC must be quoted (YAML 1.1 reads `00:50:56` as a
    /// sexagesimal number); domains are quoted so that no name can read as a boolean or null.
    private static func quoted(_ text: String) -> String {
        var result = "\""
        for character in text {
            switch character {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            default: result.append(character)
            }
        }
        return result + "\""
    }
}
