import Foundation
import GuestPrepModel
import GuestPrepRender
import Testing

/// The .network files under test: guestprep's networkd renderer on the four NICs the lab
/// builds (net1 static with gateway, DNS and domain at MTU 9000; net2 static at 4096; net3
/// DHCP; net4 static), so the kernel checks exactly what guestprep writes.
func renderedFiles() -> [(name: String, text: String)] {
    func address(_ text: String, _ prefix: Int) -> NICSpec.Addressing {
        .staticIPv4(IPv4Interface(address: IPv4Address(text)!, prefixLength: prefix))
    }
    let nics = [
        BoundNIC(
            spec: NICSpec(
                index: 1, addressing: address("10.1.0.21", 24), mtu: 9000, gateway: IPv4Address("10.1.0.1"),
                dns: [IPv4Address("10.1.0.2")!], searchDomains: ["lab.example"]),
            mac: "00:50:56:aa:00:01", interfaceName: "ens192"),
        BoundNIC(
            spec: NICSpec(index: 2, configure: true, addressing: address("10.2.0.21", 24), mtu: 4096),
            mac: "00:50:56:aa:00:02", interfaceName: "ens224"),
        BoundNIC(spec: NICSpec(index: 3, configure: true), mac: "00:50:56:aa:00:03", interfaceName: "ens256"),
        BoundNIC(
            spec: NICSpec(index: 4, configure: true, addressing: address("10.4.0.21", 24)),
            mac: "00:50:56:aa:00:04", interfaceName: "ens161"),
    ]
    return NetworkdRenderer.render(nics).map { (name: String($0.path.split(separator: "/").last!), text: $0.text) }
}

/// systemd-networkd on real veth NICs in network namespaces (NetworkLab), on the files of
/// `renderedFiles()`.
@Suite struct NetworkdLabTests {
    static let net1 = "00:50:56:aa:00:01"
    static let net2 = "00:50:56:aa:00:02"
    static let net3 = "00:50:56:aa:00:03"
    static let net4 = "00:50:56:aa:00:04"

    /// The guest's four NICs, named as a VMware guest's kernel names them. net1's peer is the
    /// gateway and also advertises an IPv6 prefix for SLAAC (fd01::/64), which net1 must ignore:
    /// guestprep configures IPv4 only and its files turn router advertisements off.
    static let nics: [NetworkLab.NIC] = [
        .init(name: "ens192", mac: net1, peerAddress: "10.1.0.1/24", peerIPv6Address: "fd01::1/64"),
        .init(name: "ens224", mac: net2, peerAddress: "10.2.0.1/24"),
        .init(name: "ens256", mac: net3, peerAddress: "10.3.0.1/24"),
        .init(name: "ens161", mac: net4, peerAddress: "10.4.0.1/24"),
    ]

    /// DHCP on net3 that also offers a router, which UseGateway=no must ignore.
    static let dhcp = NetworkLab.DHCPServer(
        nic: "ens256", rangeStart: "10.3.0.100", rangeEnd: "10.3.0.150", router: "10.3.0.1")

    @Test(.enabled(if: NetworkLab.available, NetworkLab.skipReason))
    func networkdAppliesTheRenderedFiles() throws {
        let lab = try NetworkLab(nics: Self.nics, dhcp: Self.dhcp)
        defer { lab.shutdown() }
        // ens192 is the one link required for online; ens256 is named too, so that its DHCP
        // lease is there when we look.
        try lab.startNetworkd(files: renderedFiles(), waitingFor: ["ens192", "ens256"])
        let state = try lab.snapshot()
        let context = Comment(rawValue: state.summary + "\n" + lab.logs())

        #expect(state.link(mac: Self.net1)?.mtu == 9000, context)
        #expect(state.link(mac: Self.net2)?.mtu == 4096, context)
        #expect(state.link(mac: Self.net3)?.mtu == 1500, context)
        #expect(state.link(mac: Self.net4)?.mtu == 1500, context)

        #expect(state.addresses(mac: Self.net1).map(\.cidr) == ["10.1.0.21/24"], context)
        #expect(state.addresses(mac: Self.net2).map(\.cidr) == ["10.2.0.21/24"], context)
        #expect(state.addresses(mac: Self.net4).map(\.cidr) == ["10.4.0.21/24"], context)
        #expect(state.addresses(mac: Self.net1).allSatisfy { !$0.isDynamic }, context)
        // The peer advertised fd01::/64 (it is sent at once when the link comes up, before
        // wait-online returns); net1 keeps only its link-local IPv6 address.
        let net1IPv6 = state.addresses(mac: Self.net1, family: "inet6").map(\.local)
        #expect(!net1IPv6.isEmpty && net1IPv6.allSatisfy { $0.hasPrefix("fe80:") }, context)

        let leases = state.addresses(mac: Self.net3)
        #expect(leases.count == 1, context)
        if let lease = leases.first {
            #expect(lease.isDynamic, context)
            #expect(lease.prefixlen == 24, context)
            let last = lease.local.hasPrefix("10.3.0.") ? Int(lease.local.dropFirst("10.3.0.".count)) : nil
            #expect(last.map { (100...150).contains($0) } == true, "\(lease.local) is not in 10.3.0.100-150")
        }

        // The only default route, of either family in any table, is net1's gateway: net3's
        // DHCP server offered 10.3.0.1 as a router, and UseGateway=no must have ignored it.
        let defaults = state.defaultRoutes
        #expect(defaults.count == 1, context)
        #expect(defaults.first?.gateway == "10.1.0.1", context)
        #expect(defaults.first?.dev == "ens192", context)
        #expect(!state.routes.contains { $0.gateway == "10.3.0.1" }, context)
    }

    @Test(.enabled(if: NetworkLab.networkctlAvailable, NetworkLab.networkctlSkipReason))
    func networkctlReloadAndReconfigureApplyAChangedMTU() throws {
        let lab = try NetworkLab(nics: Self.nics, dhcp: Self.dhcp)
        defer { lab.shutdown() }
        let files = renderedFiles()
        try lab.startNetworkd(files: files, dbus: true, waitingFor: ["ens192", "ens224"])
        let before = try lab.snapshot()
        #expect(before.link(mac: Self.net2)?.mtu == 4096, Comment(rawValue: before.summary + "\n" + lab.logs()))

        // What guestprep does when net2's settings change: rewrite its file, reload, reconfigure.
        let net2 = try #require(files.first { $0.text.contains(Self.net2) })
        let changed = net2.text.replacingOccurrences(of: "MTUBytes=4096", with: "MTUBytes=2000")
        #expect(changed != net2.text)
        try Data(changed.utf8).write(to: lab.networkDirectory.appendingPathComponent(net2.name))
        try lab.networkctl(["reload"])
        try lab.networkctl(["reconfigure", "ens224"])

        // Reconfiguring drops the link's addresses and sets them again, so the MTU can change
        // before the address is back: wait for both.
        let state = try lab.waitForState("ens224 has MTU 2000 and 10.2.0.21/24") {
            $0.link(mac: Self.net2)?.mtu == 2000 && $0.addresses(mac: Self.net2).map(\.cidr) == ["10.2.0.21/24"]
        }
        #expect(state.link(mac: Self.net1)?.mtu == 9000, Comment(rawValue: state.summary + "\n" + lab.logs()))
    }
}
