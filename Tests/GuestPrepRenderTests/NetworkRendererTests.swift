import Foundation
import GuestPrepModel
import GuestPrepRender
import Testing

@Suite struct NetworkRendererTests {
    typealias F = NetworkFixtures

    // MARK: paths and modes

    @Test func networkdWritesOneWorldReadableFilePerNIC() {
        let files = NetworkdRenderer.render(F.bitfusionServer)
        #expect(files.map(\.path) == (1...4).map { "/etc/systemd/network/10-guestprep-net\($0).network" })
        #expect(files.allSatisfy { $0.mode == 0o644 })
    }

    @Test func netplanWritesOneFileOnlyRootCanRead() {
        let files = NetplanRenderer.render(F.bitfusionServer)
        #expect(files.map(\.path) == ["/etc/netplan/90-guestprep.yaml"])
        #expect(files.map(\.mode) == [0o600])
    }

    @Test func networkManagerWritesOneFileOnlyRootCanReadPerNIC() {
        let files = NetworkManagerRenderer.render(F.bitfusionServer)
        #expect(
            files.map(\.path)
                == (1...4).map { "/etc/NetworkManager/system-connections/guestprep-net\($0).nmconnection" })
        #expect(files.allSatisfy { $0.mode == 0o600 })
    }

    @Test(arguments: NetworkRendererKind.allCases)
    func noNICsGiveNoFiles(_ kind: NetworkRendererKind) {
        #expect(NetworkRenderer.render([], kind: kind) == [])
    }

    @Test func emptyInputGivesNoFilesFromAnyRenderer() {
        #expect(NetworkdRenderer.render([]) == [])
        #expect(NetplanRenderer.render([]) == [])
        #expect(NetworkManagerRenderer.render([]) == [])
        #expect(TimesyncRenderer.render([]) == nil)
    }

    // MARK: order and determinism

    @Test(arguments: NetworkRendererKind.allCases)
    func inputOrderDoesNotMatter(_ kind: NetworkRendererKind) {
        let expected = NetworkRenderer.render(F.bitfusionServer, kind: kind)
        let shuffled = [F.bitfusionServer[2], F.bitfusionServer[0], F.bitfusionServer[3], F.bitfusionServer[1]]
        #expect(NetworkRenderer.render(shuffled, kind: kind) == expected)
        #expect(NetworkRenderer.render(F.bitfusionServer.reversed(), kind: kind) == expected)
    }

    @Test func netplanListsNICsInNetNOrder() throws {
        let text = try #require(NetplanRenderer.render(F.bitfusionServer.reversed()).first).text
        let positions = (1...4).compactMap { text.range(of: "    net\($0):\n")?.lowerBound }
        #expect(positions.count == 4)
        #expect(positions == positions.sorted())
    }

    @Test(arguments: NetworkRendererKind.allCases)
    func everyFileEndsInOneNewlineWithoutTrailingBlanks(_ kind: NetworkRendererKind) {
        for (_, nics) in F.cases {
            for file in NetworkRenderer.render(nics, kind: kind) {
                #expect(file.text.hasSuffix("\n") && !file.text.hasSuffix("\n\n"), "\(file.path)")
                for line in file.text.split(separator: "\n", omittingEmptySubsequences: false) {
                    #expect(line.last != " " && line.last != "\t", "\(file.path): '\(line)'")
                }
                #expect(!file.text.contains("\t"), "\(file.path) has a tab")
            }
        }
    }

    // MARK: content rules the goldens show, asserted where they matter

    @Test func networkdPutsManagementSettingsOnNet1Only() {
        let files = NetworkdRenderer.render(F.bitfusionServer)
        #expect(files[0].text.contains("\nGateway=10.1.0.1\nDNS=10.1.0.2\nDNS=10.1.0.3\n"))
        #expect(files[0].text.contains("\nDomains=bitfusion.example.com lab.example.com\nNTP=ntp1.example.com 10.1.0.5\n"))
        #expect(!files[0].text.contains("RequiredForOnline"))
        for file in files.dropFirst() {
            #expect(file.text.contains("\nRequiredForOnline=no\n"))
            #expect(file.text.contains("\nIPv6AcceptRA=no\n"))
            for key in ["Gateway=", "DNS=", "Domains=", "NTP="] { #expect(!file.text.contains("\n" + key), "\(key)") }
        }
        #expect(files[2].text.hasSuffix("[DHCPv4]\nUseGateway=no\nUseDNS=no\nUseNTP=no\nUseDomains=no\nUseHostname=no\n"))
        #expect(!files[1].text.contains("[DHCPv4]"))
    }

    @Test func networkdWritesTheMTUEvenWhenItIsTheDefault() {
        #expect(NetworkdRenderer.render(F.net1DHCP)[0].text.contains("\n[Link]\nMTUBytes=1500\n"))
    }

    @Test func networkdNamesTheInterfaceAndItsPropertiesInTheHeader() {
        let text = NetworkdRenderer.render(F.bitfusionServer)[1].text
        #expect(text.hasPrefix("# Written by guestprep from guestinfo.bitfusion.host.net2.* for ens224;\n"))
    }

    @Test func gatewayIsIgnoredOnDHCP() {
        var nic = F.net1DHCP[0]
        nic.spec.gateway = F.address("192.168.1.1")
        for kind in NetworkRendererKind.allCases {
            for file in NetworkRenderer.render([nic], kind: kind) {
                #expect(!file.text.contains("192.168.1.1"), "\(kind): \(file.path)")
            }
        }
    }

    @Test func netplanNeverSetsTheRendererNorNTP() throws {
        let text = try #require(NetplanRenderer.render(F.bitfusionServer).first).text
        #expect(!text.contains("renderer"))
        #expect(!text.contains("ntp1.example.com"))
        #expect(text.contains("\n      routes:\n        - to: default\n          via: 10.1.0.1\n"))
    }

    @Test func networkManagerKeyfileRules() {
        let files = NetworkManagerRenderer.render(F.bitfusionServer)
        #expect(files[0].text.contains("\n[ipv4]\nmethod=manual\naddress1=10.1.0.21/24,10.1.0.1\ndns=10.1.0.2;10.1.0.3;\n"))
        #expect(files[0].text.contains("\nmac-address=00:50:56:AA:00:01\n"))
        #expect(files[0].text.contains("\nautoconnect-priority=100\n"))
        #expect(!files[0].text.contains("ntp"))
        #expect(files[2].text.contains("\nmethod=auto\nnever-default=true\nignore-auto-dns=true\n"))
        #expect(files[1].text.contains("\naddress1=10.2.0.21/24\nnever-default=true\n"))
        #expect(!files[1].text.contains("ignore-auto-dns"))
        for file in files { #expect(file.text.hasSuffix("\n[ipv6]\nmethod=link-local\n")) }
    }

    /// guestprep configures IPv4 only: no NIC, net1 included, takes IPv6 router advertisements
    /// (with them, networkd holds a static link on an IPv4-only network "configuring" for
    /// about 10 s at every boot).
    @Test func noNICAcceptsRouterAdvertisements() throws {
        for name in ["bitfusion-server", "net1-dhcp"] {
            let nics = try #require(F.cases.first { $0.name == name }).nics
            let networkd = NetworkdRenderer.render(nics)
            #expect(networkd.count == nics.count)
            for file in networkd { #expect(file.text.contains("\n[Network]\n") && file.text.contains("\nIPv6AcceptRA=no\n"), "\(file.path)") }
            let netplan = try #require(NetplanRenderer.render(nics).first).text
            #expect(netplan.components(separatedBy: "\n      accept-ra: false\n").count - 1 == nics.count)
            for file in NetworkManagerRenderer.render(nics) { #expect(file.text.hasSuffix("\n[ipv6]\nmethod=link-local\n")) }
        }
    }

    // MARK: deterministic UUIDs

    @Test func connectionUUIDIsStableVersion8AndRFCVariant() {
        let uuid = NetworkManagerRenderer.connectionUUID(index: 1, mac: "00:50:56:aa:00:01")
        #expect(uuid == NetworkManagerRenderer.connectionUUID(index: 1, mac: "00:50:56:AA:00:01"))
        #expect(uuid == "424d77ad-d6c1-85be-8090-737900b815b1")
        let groups = uuid.split(separator: "-", omittingEmptySubsequences: false)
        #expect(groups.map { $0.count } == [8, 4, 4, 4, 12])
        #expect(uuid.allSatisfy { $0 == "-" || ("0"..."9").contains($0) || ("a"..."f").contains($0) })
        #expect(groups[2].first == "8", "version 8")
        #expect(groups[3].first.map { "89ab".contains($0) } == true, "variant 10xx")
    }

    @Test func connectionUUIDDiffersByNICAndMAC() {
        let macs = ["00:50:56:aa:00:01", "00:50:56:aa:00:02", "00:50:56:aa:01:01", "02:00:00:00:00:00"]
        var seen: Set<String> = []
        for index in 1...4 {
            for mac in macs { seen.insert(NetworkManagerRenderer.connectionUUID(index: index, mac: mac)) }
        }
        #expect(seen.count == 16)
    }

    @Test func everyUUIDFormatHoldsOverManyNames() {
        for number in 0..<500 {
            let uuid = StableUUID.make(from: "name-\(number)")
            let scalars = Array(uuid.unicodeScalars)
            #expect(scalars.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { scalars[$0] == "-" })
            #expect(scalars[14] == "8")
            #expect("89ab".unicodeScalars.contains(scalars[19]))
        }
    }

    @Test func theHashIsFNV1a() {
        // The published FNV-1a 64 test vectors for the standard offset basis.
        #expect(StableUUID.fnv1a64("", offsetBasis: 0xcbf2_9ce4_8422_2325) == 0xcbf2_9ce4_8422_2325)
        #expect(StableUUID.fnv1a64("a", offsetBasis: 0xcbf2_9ce4_8422_2325) == 0xaf63_dc4c_8601_ec8c)
        #expect(StableUUID.fnv1a64("foobar", offsetBasis: 0xcbf2_9ce4_8422_2325) == 0x8594_4171_f739_67e8)
    }

    @Test func networkManagerFileCarriesTheUUID() {
        let nic = F.bitfusionServer[3]
        let uuid = NetworkManagerRenderer.connectionUUID(index: 4, mac: nic.mac)
        #expect(NetworkManagerRenderer.render([nic])[0].text.contains("\nid=guestprep-net4\nuuid=\(uuid)\n"))
    }

    // MARK: timesyncd and cloud-init

    @Test func timesyncDropInOnlyWhenNet1HasNTP() throws {
        let file = try #require(TimesyncRenderer.render(F.bitfusionServer))
        #expect(file.path == "/etc/systemd/timesyncd.conf.d/90-guestprep.conf")
        #expect(file.mode == 0o644)
        #expect(file.text.hasSuffix("\n[Time]\nNTP=ntp1.example.com 10.1.0.5\n"))
        #expect(TimesyncRenderer.render(F.net1DHCP) == nil)
        #expect(TimesyncRenderer.render(F.net1DHCPWithDNS) == nil)
        #expect(TimesyncRenderer.render(Array(F.bitfusionServer.dropFirst())) == nil, "no net1")
    }

    @Test func dispatchAddsTheTimesyncDropInForNetplanAndNetworkManagerOnly() {
        let timesync = "/etc/systemd/timesyncd.conf.d/90-guestprep.conf"
        #expect(NetworkRenderer.render(F.bitfusionServer, kind: .netplan).map(\.path).last == timesync)
        #expect(NetworkRenderer.render(F.bitfusionServer, kind: .networkManager).map(\.path).last == timesync)
        #expect(!NetworkRenderer.render(F.bitfusionServer, kind: .networkd).map(\.path).contains(timesync))
        for kind in NetworkRendererKind.allCases {
            #expect(!NetworkRenderer.render(F.net1DHCPWithDNS, kind: kind).map(\.path).contains(timesync))
        }
        #expect(NetworkRenderer.render(F.bitfusionServer, kind: .networkd) == NetworkdRenderer.render(F.bitfusionServer))
    }

    @Test func cloudInitDropInDisablesItsNetworkConfig() {
        let file = CloudInitNetworkRenderer.render()
        #expect(file.path == "/etc/cloud/cloud.cfg.d/99-guestprep-network.cfg")
        #expect(file.mode == 0o644)
        #expect(file.text.hasPrefix("# "))
        #expect(file.text.hasSuffix("\nnetwork: {config: disabled}\n"))
        #expect(file.text.split(separator: "\n").count == 2)
    }

    // MARK: ownership

    @Test func ownedDirectoriesCoverEveryKind() {
        #expect(
            NetworkRenderer.ownedDirectories == [
                "/etc/systemd/network", "/etc/netplan", "/etc/NetworkManager/system-connections",
                "/etc/systemd/timesyncd.conf.d",
            ])
        for kind in NetworkRendererKind.allCases {
            for file in NetworkRenderer.render(F.bitfusionServer, kind: kind) {
                let slash = file.path.lastIndex(of: "/")!
                let directory = String(file.path[..<slash])
                let name = String(file.path[file.path.index(after: slash)...])
                #expect(NetworkRenderer.ownedDirectories.contains(directory), "\(file.path)")
                #expect(NetworkRenderer.owns(fileName: name, in: directory), "\(file.path)")
            }
        }
    }

    @Test func ownershipFindsExactlyGuestprepsFiles() {
        let networkd = [
            "10-guestprep-net1.network", "10-guestprep-net4.network", "10-guestprep-net1.network.bak",
            "10-guestprep-net5.network", "10-guestprep-net0.network", "10-guestprep-net.network",
            "99-default.network", "10-netplan-net1.network", "90-guestprep.conf", "90-guestprep.yaml",
            "x10-guestprep-net1.network", "10-guestprep-net1.network~", ".10-guestprep-net1.network.tmp",
            "10-guestprep-net2.link", "10-guestprep-net12.network",
        ]
        #expect(
            NetworkRenderer.ownedPaths(in: networkd, directory: "/etc/systemd/network")
                == ["/etc/systemd/network/10-guestprep-net1.network", "/etc/systemd/network/10-guestprep-net4.network"])
        #expect(
            NetworkRenderer.ownedPaths(
                in: ["50-cloud-init.yaml", "90-guestprep.yaml", "90-guestprep.yaml.orig", "01-netcfg.yaml", "90-guestprep.yml"],
                directory: "/etc/netplan/")
                == ["/etc/netplan/90-guestprep.yaml"])
        #expect(
            NetworkRenderer.ownedPaths(
                in: [
                    "Wired connection 1.nmconnection", "guestprep-net3.nmconnection", "guestprep-net2.nmconnection",
                    "guestprep-net5.nmconnection", "guestprep-net1", "guestprep-net1.nmconnection.bak",
                    "guestprep-net1.nmconnection.tmp",
                ],
                directory: "/etc/NetworkManager/system-connections")
                == [
                    "/etc/NetworkManager/system-connections/guestprep-net2.nmconnection",
                    "/etc/NetworkManager/system-connections/guestprep-net3.nmconnection",
                ])
        #expect(
            NetworkRenderer.ownedPaths(
                in: ["90-guestprep.conf", "50-local.conf", "90-guestprep.conf.bak", "90-guestprep.yaml"],
                directory: "/etc/systemd/timesyncd.conf.d")
                == ["/etc/systemd/timesyncd.conf.d/90-guestprep.conf"])
    }

    @Test func filesInOtherDirectoriesAreNeverOwned() {
        #expect(!NetworkRenderer.owns(fileName: "90-guestprep.yaml", in: "/etc/systemd/network"))
        #expect(!NetworkRenderer.owns(fileName: "10-guestprep-net1.network", in: "/etc/netplan"))
        #expect(!NetworkRenderer.owns(fileName: "90-guestprep.conf", in: "/etc/systemd/network"))
        #expect(!NetworkRenderer.owns(fileName: "10-guestprep-net1.network", in: "/run/systemd/network"))
        #expect(!NetworkRenderer.owns(fileName: "99-guestprep-network.cfg", in: "/etc/cloud/cloud.cfg.d"))
        #expect(NetworkRenderer.ownedPaths(in: ["90-guestprep.yaml"], directory: "/etc") == [])
    }

    @Test func perRendererOwnershipPredicates() {
        #expect((1...4).allSatisfy { NetworkdRenderer.owns(fileName: "10-guestprep-net\($0).network") })
        #expect(!NetworkdRenderer.owns(fileName: "10-guestprep-net5.network"))
        #expect(NetplanRenderer.owns(fileName: "90-guestprep.yaml"))
        #expect(!NetplanRenderer.owns(fileName: "50-cloud-init.yaml"))
        #expect((1...4).allSatisfy { NetworkManagerRenderer.owns(fileName: "guestprep-net\($0).nmconnection") })
        #expect(!NetworkManagerRenderer.owns(fileName: "guestprep-net5.nmconnection"))
        #expect(TimesyncRenderer.owns(fileName: "90-guestprep.conf"))
        #expect(!TimesyncRenderer.owns(fileName: "90-guestprep.conf.bak"))
    }
}
