import GuestPrepModel
import GuestPrepRender

/// The NIC sets the network renderer tests render, by name; each is a golden case.
enum NetworkFixtures {
    static func address(_ text: String) -> IPv4Address {
        guard let address = IPv4Address(text) else { fatalError("bad fixture address \(text)") }
        return address
    }

    static func interface(_ text: String, _ prefixLength: Int) -> IPv4Interface {
        IPv4Interface(address: address(text), prefixLength: prefixLength)
    }

    static func nic(_ index: Int, _ spec: NICSpec, mac: String? = nil, name: String? = nil) -> BoundNIC {
        let names = ["ens192", "ens224", "ens256", "ens161"]
        return BoundNIC(
            spec: spec, mac: mac ?? "00:50:56:AA:00:0\(index)", interfaceName: name ?? names[index - 1])
    }

    /// A Bitfusion server with all four NICs: net1 static with everything, net2 static jumbo,
    /// net3 DHCP, net4 static.
    static let bitfusionServer: [BoundNIC] = [
        nic(1, NICSpec(
            index: 1, addressing: .staticIPv4(interface("10.1.0.21", 24)), mtu: 1500,
            gateway: address("10.1.0.1"), dns: [address("10.1.0.2"), address("10.1.0.3")],
            searchDomains: ["bitfusion.example.com", "lab.example.com"],
            ntp: ["ntp1.example.com", "10.1.0.5"])),
        nic(2, NICSpec(index: 2, configure: true, addressing: .staticIPv4(interface("10.2.0.21", 24)), mtu: 9000)),
        nic(3, NICSpec(index: 3, configure: true, addressing: .dhcp, mtu: 4096)),
        nic(4, NICSpec(index: 4, configure: true, addressing: .staticIPv4(interface("10.4.0.21", 16)), mtu: 1500)),
    ]

    /// net1 on DHCP and nothing else.
    static let net1DHCP: [BoundNIC] = [nic(1, NICSpec(index: 1))]

    /// net1 on DHCP with static DNS servers and a search domain added to the lease's.
    static let net1DHCPWithDNS: [BoundNIC] = [
        nic(1, NICSpec(
            index: 1, dns: [address("192.168.10.53"), address("192.168.20.53")],
            searchDomains: ["corp.example.org"]))
    ]

    /// net1 static with no gateway, DNS or NTP, and one data NIC on DHCP.
    static let net1StaticNoGateway: [BoundNIC] = [
        nic(1, NICSpec(index: 1, addressing: .staticIPv4(interface("172.16.5.10", 22)), mtu: 1400)),
        nic(2, NICSpec(index: 2, configure: true, addressing: .dhcp, mtu: 9000)),
    ]

    /// Hyper-V: two synthetic NICs, matched on their driver too (their SR-IOV VFs share the
    /// MACs); net1 on DHCP, net2 static.
    static let hyperVSynthetic: [BoundNIC] = [
        BoundNIC(spec: NICSpec(index: 1), mac: "00:15:5D:00:00:01", interfaceName: "eth0", matchDriver: "hv_netvsc"),
        BoundNIC(
            spec: NICSpec(index: 2, configure: true, addressing: .staticIPv4(interface("10.2.0.21", 24)), mtu: 4096),
            mac: "00:15:5D:00:00:02", interfaceName: "eth1", matchDriver: "hv_netvsc"),
    ]

    static let cases: [(name: String, nics: [BoundNIC])] = [
        ("bitfusion-server", bitfusionServer),
        ("net1-dhcp", net1DHCP),
        ("net1-dhcp-dns", net1DHCPWithDNS),
        ("net1-static-no-gateway-data-dhcp", net1StaticNoGateway),
        ("hyperv-synthetic", hyperVSynthetic),
    ]
}
