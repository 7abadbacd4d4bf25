import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct SpecValidationTests {
    @Test func aFullValidSetGivesTheExactSpec() throws {
        let result = validate([
            PropertyKeys.hostname: "bf-server-01 ",
            nic(1, .ipv4address): "192.168.10.20", nic(1, .netmask): "24 (255.255.255.0)", nic(1, .mtu): "",
            nic(1, .gateway): "192.168.10.1", nic(1, .dns): "192.168.10.2, 8.8.8.8", nic(1, .domain): "lab.example.com example.com",
            nic(1, .ntp): "ntp.example.com,192.168.10.3",
            nic(2, .configure): "True", nic(2, .ipv4address): "10.20.0.20", nic(2, .netmask): "255.255.0.0", nic(2, .mtu): "9000",
            nic(3, .configure): "yes", nic(3, .mtu): "1400",
            nic(4, .configure): "false",
            PropertyKeys.installNvidiaPackages: "ON",
            PropertyKeys.vcenterGUID: "4a1b2c3d-0e5f-4a6b-8c7d-9e0f1a2b3c4d", PropertyKeys.vcenterURL: "https://vc.lab.example.com",
            PropertyKeys.vcenterUsername: "administrator@vsphere.local", PropertyKeys.vcenterPassword: "Vc-Pa55!",
            PropertyKeys.instanceID: "i-42", PropertyKeys.profile: "bitfusion-server",
            "guestinfo.other-tool.setting": "whatever",
        ])
        let expected = GuestSpec(
            hostname: "bf-server-01",
            nics: [
                NICSpec(
                    index: 1, configure: true, addressing: .staticIPv4(try subnet("192.168.10.20", 24)), mtu: 1500,
                    gateway: try ipv4("192.168.10.1"), dns: [try ipv4("192.168.10.2"), try ipv4("8.8.8.8")],
                    searchDomains: ["lab.example.com", "example.com"], ntp: ["ntp.example.com", "192.168.10.3"]),
                NICSpec(index: 2, configure: true, addressing: .staticIPv4(try subnet("10.20.0.20", 16)), mtu: 9000),
                NICSpec(index: 3, configure: true, addressing: .dhcp, mtu: 1400),
                NICSpec(index: 4, configure: false),
            ],
            installNvidiaPackages: true,
            server: ServerEnrollment(
                vcenterGUID: "4a1b2c3d-0e5f-4a6b-8c7d-9e0f1a2b3c4d", vcenterURL: "https://vc.lab.example.com",
                username: "administrator@vsphere.local", password: Secret("Vc-Pa55!")),
            client: nil, instanceID: "i-42", profile: "bitfusion-server")
        #expect(result.spec == expected)
        // The only diagnostic is the jumbo-frame advice for net2's MTU.
        #expect(result.diagnostics.map(\.description) == [
            "warning: \(nic(2, .mtu)): MTU 9000 on net2 is above 1500: make sure jumbo frames are enabled on the data-center network switches, or large packets will be dropped"
        ])
    }

    @Test func noPropertiesAtAllIsAValidDefault() throws {
        let result = validate([:])
        #expect(result.diagnostics.isEmpty)
        #expect(result.spec == GuestSpec())
    }

    @Test func everyErrorIsReportedTogether() {
        let result = validate([
            PropertyKeys.hostname: "-bad_host",
            nic(1, .ipv4address): "fe80::1",
            nic(1, .mtu): "20000",
            nic(1, .dns): "8.8.8",
            nic(2, .configure): "sometimes",
            nic(3, .configure): "on", nic(3, .ipv4address): "10.3.0.5",
            PropertyKeys.installNvidiaPackages: "perhaps",
            PropertyKeys.vcenterURL: "http://vc.example.com",
            PropertyKeys.profile: "bitfusion",
            PropertyKeys.instanceID: "has spaces in it",
        ])
        #expect(result.spec == nil)
        let errorKeys = Set(result.diagnostics(.error).compactMap(\.key))
        let expectedKeys: Set<String> = [
            PropertyKeys.hostname, nic(1, .ipv4address), nic(1, .netmask), nic(1, .mtu), nic(1, .dns), nic(2, .configure),
            nic(3, .netmask), PropertyKeys.installNvidiaPackages, PropertyKeys.vcenterGUID, PropertyKeys.vcenterURL,
            PropertyKeys.vcenterUsername, PropertyKeys.vcenterPassword, PropertyKeys.profile, PropertyKeys.instanceID,
        ]
        #expect(errorKeys == expectedKeys)
        #expect(result.diagnostics.allSatisfy { $0.key != nil })
    }

    @Test func diagnosticsFollowKeyOrder() throws {
        let result = validate([
            PropertyKeys.profile: "nope",
            "guestinfo.bitfusion.host.hostnam": "x",
            nic(3, .configure): "off", nic(3, .mtu): "1",
            nic(2, .configure): "on", nic(2, .mtu): "9000",
            nic(1, .mtu): "9000",
            PropertyKeys.hostname: "a.b",
            nic(1, .ipv4address): "10.0.0.9",
        ])
        let found = result.diagnostics.map { "\($0.severity) \($0.key ?? "-")" }
        #expect(found == [
            "error \(PropertyKeys.hostname)",
            "error \(nic(1, .netmask))",
            "warning \(nic(1, .mtu))",
            "warning \(nic(2, .mtu))",
            "info \(nic(3, .mtu))",
            "error \(PropertyKeys.profile)",
            "warning guestinfo.bitfusion.host.hostnam",
        ])
    }
}

@Suite struct HostnameValidationTests {
    @Test(arguments: [("gpu-server-01", "gpu-server-01"), ("  bf01  ", "bf01"), ("A1", "A1")])
    func accepted(_ text: String, _ expected: String) throws {
        #expect(try expectValid(validate([PropertyKeys.hostname: text])).hostname == expected)
    }

    @Test(arguments: ["", "   "])
    func emptyLeavesTheHostnameAlone(_ text: String) throws {
        #expect(try expectValid(validate([PropertyKeys.hostname: text])).hostname == nil)
    }

    @Test(arguments: [
        ("-gpu", "'-gpu' starts with '-'"),
        ("gpu-", "'gpu-' ends with '-', which RFC 1123 does not allow"),
        ("gpu01.example.com", "contains '.': only letters A–Z, a–z, digits 0–9 and '-' are allowed"),
        ("gpu 01", "contains ' '"),
        ("gpu_01", "contains '_'"),
        ("gpü", "'gp\\u{FC}' contains '\\u{FC}'"),
        ("gpu\n01", "'gpu\\n01' contains '\\n'"),
        (String(repeating: "g", count: 64), "64 characters long: at most 63 are allowed"),
    ])
    func rejected(_ text: String, _ fragment: String) {
        expectDiagnostic(validate([PropertyKeys.hostname: text]), .error, on: PropertyKeys.hostname, containing: fragment)
    }
}

@Suite struct AgentKeyValidationTests {
    @Test(arguments: [("true", true), ("YES", true), ("On", true), ("1", true), ("off", false), ("No", false), ("", nil)])
    func installNvidiaPackages(_ text: String, _ expected: Bool?) throws {
        #expect(try expectValid(validate([PropertyKeys.installNvidiaPackages: text])).installNvidiaPackages == expected)
    }

    @Test func installNvidiaPackagesRejectsOtherWords() {
        expectDiagnostic(
            validate([PropertyKeys.installNvidiaPackages: "install"]), .error, on: PropertyKeys.installNvidiaPackages,
            containing: "'install' is not a toggle")
    }

    @Test(arguments: SpecValidator.knownProfiles)
    func knownProfiles(_ profile: String) throws {
        #expect(try expectValid(validate([PropertyKeys.profile: " \(profile) "])).profile == profile)
    }

    @Test(arguments: ["bitfusion", "Bitfusion-Server", "gpu"])
    func unknownProfiles(_ profile: String) {
        expectDiagnostic(
            validate([PropertyKeys.profile: profile]), .error, on: PropertyKeys.profile,
            containing: "'\(profile)' is not a known profile: use one of bitfusion-server, bitfusion-client, gpu-passthrough")
    }

    @Test func aSiteProfileIsKnownOnlyWhenTheSiteHasIt() throws {
        let properties = PropertySet([Property(key: PropertyKeys.profile, value: "site-gpu", source: "test")])
        let result = SpecValidator.validate(properties, localProfiles: ["site-gpu", "gpu-passthrough"])
        #expect(try expectValid(result).profile == "site-gpu")
        expectDiagnostic(
            SpecValidator.validate(properties, localProfiles: ["other"]), .error, on: PropertyKeys.profile,
            containing: "'site-gpu' is not a known profile: use one of bitfusion-server, bitfusion-client, gpu-passthrough, vgpu-guest, other, or add a profile of that name in /etc/guestprep/profiles")
    }

    @Test(arguments: ["i-0abc123", "42", "vm/with:punct~!", String(repeating: "x", count: 128)])
    func instanceIDs(_ id: String) throws {
        #expect(try expectValid(validate([PropertyKeys.instanceID: id])).instanceID == id)
    }

    @Test(arguments: [
        ("has space", "contains ' ': only printable ASCII characters without spaces"),
        ("tab\there", "contains '\\t'"),
        ("idé", "contains '\\u{E9}'"),
        (String(repeating: "x", count: 129), "is 129 characters long: at most 128"),
    ])
    func badInstanceIDs(_ id: String, _ fragment: String) {
        expectDiagnostic(validate([PropertyKeys.instanceID: id]), .error, on: PropertyKeys.instanceID, containing: fragment)
    }
}

@Suite struct UnknownKeyValidationTests {
    @Test(arguments: [
        ("guestinfo.bitfusion.host.net1.ipaddress", "unknown property key; did you mean guestinfo.bitfusion.host.net1.ipv4address?"),
        ("guestinfo.bitfusion.host.hostnme", "did you mean guestinfo.bitfusion.host.hostname?"),
        ("guestinfo.guestprep.profle", "did you mean guestinfo.guestprep.profile?"),
        ("guestinfo.bitfusion.server.vcenter-usrname", "did you mean guestinfo.bitfusion.server.vcenter-username?"),
        ("guestinfo.bitfusion.host.HostName", "did you mean guestinfo.bitfusion.host.hostname? (keys are case-sensitive)"),
        ("guestinfo.bitfusion.host.net1.configure", "net1 has no configure property"),
        ("guestinfo.bitfusion.host.net3.gateway", "only net1, the management NIC, takes gateway"),
        ("guestinfo.bitfusion.host.net5.mtu", "at most 4 NICs"),
        ("guestinfo.guestprep.completely-unrelated-setting", "unknown property key; guestprep does not read it"),
    ])
    func typosAreWarnedAbout(_ key: String, _ fragment: String) throws {
        let result = validate([key: "1.2.3.4"])
        expectDiagnostic(result, .warning, on: key, containing: fragment)
        #expect(!result.diagnostics.contains { $0.message.contains("1.2.3.4") })
        _ = try expectValid(result)
    }

    @Test(arguments: ["guestinfo.ovfEnv", "guestinfo.other-tool.net1.ipaddress", "guestinfo.metadata", "guestinfo.bitfusionx.y"])
    func otherToolsKeysAreIgnored(_ key: String) {
        #expect(validate([key: "anything"]).diagnostics.isEmpty)
    }

    @Test func invalidNet1FallsBackToDHCPAndTheRestIsKept() throws {
        let result = validate([
            PropertyKeys.hostname: "bf-server-01",
            nic(1, .ipv4address): "10.0.0.5", nic(1, .netmask): "24", nic(1, .gateway): "10.9.9.9", nic(1, .mtu): "9000",
            nic(1, .dns): "10.0.0.2",
            nic(2, .configure): "true", nic(2, .ipv4address): "10.2.0.5", nic(2, .netmask): "24", nic(2, .mtu): "9000",
        ])
        #expect(result.hasErrors)
        #expect(result.diagnostics(.error).map(\.key) == [nic(1, .gateway)])
        let spec = try #require(result.spec)
        #expect(spec.nicFallbacks == [1])
        #expect(spec.nics[0] == NICSpec(index: 1), "net1: DHCP, MTU 1500, no static DNS")
        #expect(spec.nics[1].addressing == .staticIPv4(try subnet("10.2.0.5", 24)), "net2 is kept")
        #expect(spec.hostname == "bf-server-01")
        #expect(result.diagnostics(.warning).contains { $0.key == nil && $0.message.hasPrefix("net1 falls back to DHCP") })
    }

    @Test func invalidDataNICIsLeftUnconfigured() throws {
        let result = validate(net1Static.with([nic(3, .configure): "true", nic(3, .ipv4address): "10.3.0.5"]))
        #expect(result.diagnostics(.error).map(\.key) == [nic(3, .netmask)])
        let spec = try #require(result.spec)
        #expect(spec.nicFallbacks == [3])
        #expect(spec.nics[2] == NICSpec(index: 3, configure: false))
        #expect(spec.nics[0].addressing == .staticIPv4(try subnet("10.0.0.5", 24)))
        #expect(result.diagnostics(.warning).contains { $0.key == nil && $0.message.hasPrefix("net3 is left unconfigured") })
    }

    @Test func anErrorOutsideTheNICsStillStopsEverything() {
        let result = validate([PropertyKeys.hostname: "-bad", nic(1, .mtu): "abc"])
        #expect(result.spec == nil)
        #expect(!result.diagnostics.contains { $0.message.contains("falls back") })
    }

    @Test func networkRendererOverride() throws {
        #expect(try expectValid(validate([PropertyKeys.networkRenderer: " NetPlan "])).networkRenderer == .netplan)
        #expect(try expectValid(validate([PropertyKeys.networkRenderer: "networkmanager"])).networkRenderer == .networkManager)
        #expect(try expectValid(validate([:])).networkRenderer == nil)
        expectDiagnostic(
            validate([PropertyKeys.networkRenderer: "ifupdown"]), .error, on: PropertyKeys.networkRenderer,
            containing: "'ifupdown' is not a network renderer: use one of networkd, netplan, networkmanager")
    }
}
