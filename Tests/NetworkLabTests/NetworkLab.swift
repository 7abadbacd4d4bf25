import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A real-kernel network for systemd-networkd: a guest network namespace whose NICs are veth
/// pairs, their peers in a "switch" namespace (with addresses, a DHCP server, IPv6 router
/// advertisements), and systemd-networkd run in the guest namespace on given .network files.
///
/// Use it with `defer { lab.shutdown() }`: shutdown kills every process the lab started and
/// deletes both namespaces, also after a failed test. Labs left by a killed test process are
/// removed by the next one (`removeLeftovers`).
final class NetworkLab {
    /// One guest NIC: a veth whose guest side has `name` and `mac`, its peer in the switch.
    struct NIC: Sendable {
        /// The kernel name in the guest (`ens192`).
        var name: String
        var mac: String
        /// An address for the peer (`10.1.0.1/24`): the gateway a static NIC points at.
        var peerAddress: String?
        /// An IPv6 address for the peer (`fd01::1/64`); with it the peer sends router
        /// advertisements for its prefix with a router lifetime of 0 (no default route).
        var peerIPv6Address: String?
        /// At least the largest MTU a test gives the guest side, so frames of that size fit.
        var peerMTU = 9000
    }

    /// A DHCPv4 server (dnsmasq) on the peer of the guest NIC `nic`.
    struct DHCPServer: Sendable {
        var nic: String
        var rangeStart: String
        var rangeEnd: String
        var netmask = "255.255.255.0"
        /// Offered as option 3 (router).
        var router: String?
    }

    /// The names of this lab's namespaces; the pid lets a later run tell leftovers from labs
    /// of a test process still running.
    let guestNamespace: String
    let switchNamespace: String
    /// Holds the .network files, the logs and dnsmasq's lease and pid files.
    let directory: URL
    /// The directory mounted over /etc/systemd/network in the guest's mount namespace.
    var networkDirectory: URL { directory.appendingPathComponent("network") }

    let nics: [NIC]
    // Set by the extensions in the other NetworkLab+ files, hence not private.
    var dnsmasq: BackgroundProcess?
    var networkd: BackgroundProcess?
    /// The host pid of the shell that is pid 1 of networkd's pid namespace.
    var namespaceInit: pid_t?
    var isShutDown = false
    /// When the lab was set up, for the timings `startNetworkd` prints.
    let createdAt = Date()
    var setupSeconds = 0.0

    static let prefix = "gplab-"
    /// Numbers the labs of this process (tests run in parallel), for unique names.
    private static let labsCreated = Atomic<Int>(0)
    static let ip = "/usr/sbin/ip"
    static let unshare = "/usr/bin/unshare"
    static let nsenter = "/usr/bin/nsenter"
    static let networkdPath = "/lib/systemd/systemd-networkd"
    static let waitOnline = "/lib/systemd/systemd-networkd-wait-online"
    static let networkctlPath = "/usr/bin/networkctl"
    static let dnsmasqPath = "/usr/sbin/dnsmasq"
    static let dbusDaemon = "/usr/bin/dbus-daemon"

    /// Creates the namespaces and NICs and starts dnsmasq if `dhcp` is given or a peer has an
    /// IPv6 address. Cleans up after itself if any step fails.
    init(nics: [NIC], dhcp: DHCPServer? = nil) throws {
        Self.removeLeftoversOnce()
        let tag = "\(getpid())-\(Self.labsCreated.add(1, ordering: .relaxed).newValue)"
        guestNamespace = Self.prefix + tag + "-g"
        switchNamespace = Self.prefix + tag + "-s"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(Self.prefix + tag)
        self.nics = nics
        do {
            try FileManager.default.createDirectory(at: networkDirectory, withIntermediateDirectories: true)
            try createNamespaces()
            if dhcp != nil || nics.contains(where: { $0.peerIPv6Address != nil }) {
                try startDnsmasq(dhcp)
            }
            setupSeconds = Date().timeIntervalSince(createdAt)
        } catch {
            shutdown()
            throw error
        }
    }

    deinit { shutdown() }

    static func peerName(_ nic: NIC) -> String { "sw-" + nic.name }

    private func createNamespaces() throws {
        for namespace in [guestNamespace, switchNamespace] {
            try Command.check([Self.ip, "netns", "add", namespace])
            // No IPv6 duplicate address detection on either side (set before the veths exist,
            // which inherit it): on a private wire it only delays link-local addresses by a
            // second or more. The guest's hold up networkd's "configured"; without the peer's,
            // dnsmasq sends its first router advertisement from fd01::1 and networkd ignores it.
            try Command.check([
                Self.ip, "netns", "exec", namespace, "/bin/sh", "-c",
                "echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad",
            ])
        }
        // One `ip -batch` for the veths and one for their peers, not a process per command.
        let veths = nics.map {
            "link add \($0.name) address \($0.mac) netns \(guestNamespace) type veth"
                + " peer name \(Self.peerName($0)) netns \(switchNamespace)\n"
        }
        try Command.check([Self.ip, "-batch", "-"], input: veths.joined())
        var peers = ""
        for nic in nics {
            let peer = Self.peerName(nic)
            peers += "link set \(peer) mtu \(nic.peerMTU) up\n"
            if let address = nic.peerAddress { peers += "address add \(address) dev \(peer)\n" }
            if let address = nic.peerIPv6Address { peers += "address add \(address) dev \(peer)\n" }
        }
        try Command.check([Self.ip, "-n", switchNamespace, "-batch", "-"], input: peers)
    }

    private func startDnsmasq(_ dhcp: DHCPServer?) throws {
        let pidFile = directory.appendingPathComponent("dnsmasq.pid")
        var arguments = [
            Self.ip, "netns", "exec", switchNamespace, Self.dnsmasqPath,
            "--keep-in-foreground", "--conf-file=/dev/null", "--port=0", "--user=root",
            // Without it dnsmasq pings an address before offering it and answers a DISCOVER
            // only when the client repeats it, about 3 s later.
            "--no-ping",
            "--bind-interfaces", "--log-facility=-",
            "--dhcp-leasefile=" + directory.appendingPathComponent("dnsmasq.leases").path,
            "--pid-file=" + pidFile.path,
        ]
        if let dhcp {
            guard let nic = nics.first(where: { $0.name == dhcp.nic }) else {
                throw CommandError(description: "NetworkLab: no NIC \(dhcp.nic) for the DHCP server")
            }
            arguments += [
                "--interface=" + Self.peerName(nic),
                "--dhcp-range=\(dhcp.rangeStart),\(dhcp.rangeEnd),\(dhcp.netmask),1h",
            ]
            if let router = dhcp.router { arguments.append("--dhcp-option=3,\(router)") }
        }
        let advertising = nics.filter { $0.peerIPv6Address != nil }
        if !advertising.isEmpty { arguments.append("--enable-ra") }
        for nic in advertising {
            let peer = Self.peerName(nic)
            // Router advertisements only (no DHCPv6), every 60 s, router lifetime 0.
            arguments += [
                "--interface=" + peer, "--dhcp-range=::,constructor:\(peer),ra-only,64",
                "--ra-param=\(peer),60,0",
            ]
        }
        let server = try BackgroundProcess(
            name: "dnsmasq", arguments, logPath: directory.appendingPathComponent("dnsmasq.log").path)
        dnsmasq = server
        // dnsmasq writes its pid file once its sockets are bound.
        let ready = Command.poll(timeout: 5) {
            !server.isRunning || !((try? String(contentsOf: pidFile, encoding: .utf8)) ?? "").isEmpty
        }
        guard ready, server.isRunning else {
            throw CommandError(description: "NetworkLab: dnsmasq did not start\n\(server.report())")
        }
    }
}
