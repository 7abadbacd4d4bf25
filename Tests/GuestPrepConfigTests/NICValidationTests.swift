import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct NICAddressValidationTests {
    @Test(arguments: [
        ("10.0.0.5", "24", "10.0.0.5/24"),
        (" 192.168.1.10  ", "255.255.255.0", "192.168.1.10/24"),
        ("172.16.5.4", "24 (255.255.255.0)", "172.16.5.4/24"),
        ("10.1.2.3", "/8", "10.1.2.3/8"),
        ("10.0.0.0", "31", "10.0.0.0/31"),
        ("10.0.0.1", "31", "10.0.0.1/31"),
        ("10.9.9.9", "32", "10.9.9.9/32"),
    ])
    func staticAddresses(_ address: String, _ netmask: String, _ expected: String) throws {
        let spec = try expectValid(validate([nic(1, .ipv4address): address, nic(1, .netmask): netmask]))
        guard case .staticIPv4(let interface) = spec.nics[0].addressing else {
            Issue.record("expected a static address, got \(spec.nics[0].addressing)")
            return
        }
        #expect(interface.description == expected)
    }

    @Test(arguments: ["", "   "])
    func emptyAddressMeansDHCP(_ address: String) throws {
        let spec = try expectValid(validate([nic(1, .ipv4address): address]))
        #expect(spec.nics[0].addressing == .dhcp)
        #expect(spec.nics[0].configure)
        #expect(spec.nics[0].mtu == 1500)
    }

    @Test(arguments: [
        ("fe80::1", "IPv6 is not supported: 'fe80::1'"),
        ("2001:db8::5", "IPv6 is not supported"),
        ("10.0.0", "'10.0.0' is not an IPv4 address"),
        ("010.0.0.1", "without leading zeros"),
        ("10.0. 0.5", "'10.0. 0.5' is not an IPv4 address"),
        ("10.0.0.5/24", "give the address alone"),
        ("host.example.com", "is not an IPv4 address"),
        ("10.0.0.0", "the network address of 10.0.0.0/24"),
        ("10.0.0.255", "the broadcast address of 10.0.0.0/24"),
        ("0.0.0.0", "\"this network\""),
        ("0.1.2.3", "\"this network\""),
        ("127.0.0.1", "loopback"),
        ("224.0.0.5", "multicast"),
        ("239.255.255.250", "multicast"),
        ("255.255.255.255", "limited broadcast"),
    ])
    func rejectedAddresses(_ address: String, _ fragment: String) {
        for index in [1, 3] {
            var values = [nic(index, .ipv4address): address, nic(index, .netmask): "24"]
            if index > 1 { values[nic(index, .configure)] = "true" }
            expectDiagnostic(validate(values), .error, on: nic(index, .ipv4address), containing: fragment)
        }
    }
}

@Suite struct NetmaskValidationTests {
    @Test(arguments: [("24", 24), ("/24", 24), ("255.255.255.0", 24), ("24 (255.255.255.0)", 24), (" 16 ", 16)])
    func accepted(_ netmask: String, _ prefix: Int) throws {
        let spec = try expectValid(validate([nic(2, .configure): "true", nic(2, .ipv4address): "10.2.0.5", nic(2, .netmask): netmask]))
        #expect(spec.nics[1].addressing == .staticIPv4(try subnet("10.2.0.5", prefix)))
    }

    @Test(arguments: [
        ("0", "gives prefix length 0: the prefix length must be from 1 to 32"),
        ("33", "from 1 to 32"),
        ("0.0.0.0", "gives prefix length 0"),
        ("255.0.255.0", "'255.0.255.0' is not a contiguous netmask"),
        ("24 (255.255.0.0)", "'24 (255.255.0.0)' has halves that disagree: /24 is 255.255.255.0, not 255.255.0.0"),
        ("255.255.255.0 (24)", "is not a netmask"),
        ("abc", "'abc' is not a netmask"),
        ("ffff:ffff:ffff:ffff::", "IPv6 is not supported"),
    ])
    func rejected(_ netmask: String, _ fragment: String) {
        let result = validate(net1Static.with([nic(1, .netmask): netmask]))
        expectDiagnostic(result, .error, on: nic(1, .netmask), containing: fragment)
    }

    @Test func requiredWithAStaticAddress() {
        let result = validate([nic(1, .ipv4address): "10.0.0.5"])
        expectDiagnostic(
            result, .error, on: nic(1, .netmask), containing: "required when guestinfo.bitfusion.host.net1.ipv4address is set")
        #expect(result.diagnostics(.error, on: nic(1, .ipv4address)).isEmpty)
    }

    @Test func ignoredWithDHCP() throws {
        let result = validate([nic(1, .netmask): "24"])
        expectDiagnostic(result, .warning, on: nic(1, .netmask), containing: "ignored")
        #expect(try expectValid(result).nics[0].addressing == .dhcp)
    }
}

@Suite struct MTUValidationTests {
    @Test(arguments: [("", 1500), ("1500", 1500), ("68", 68), ("1400", 1400), (" 9000 ", 9000), ("4000", 4000)])
    func accepted(_ text: String, _ mtu: Int) throws {
        let spec = try expectValid(validate([nic(1, .mtu): text, nic(4, .configure): "on", nic(4, .mtu): text]))
        #expect(spec.nics[0].mtu == mtu)
        #expect(spec.nics[3].mtu == mtu)
    }

    @Test(arguments: [
        ("67", "'67' is out of range: give an MTU from 68 to 9000"),
        ("9001", "out of range"),
        ("0", "out of range"),
        ("99999999999999999999999", "out of range"),
        ("abc", "'abc' is not a whole number"),
        ("1500.0", "not a whole number"),
        ("-1500", "not a whole number"),
        ("1 500", "not a whole number"),
    ])
    func rejected(_ text: String, _ fragment: String) {
        expectDiagnostic(validate([nic(1, .mtu): text]), .error, on: nic(1, .mtu), containing: fragment)
    }

    @Test func jumboFramesWarning() throws {
        let result = validate([nic(1, .mtu): "9000", nic(2, .configure): "yes", nic(2, .mtu): "1500"])
        expectDiagnostic(result, .warning, on: nic(1, .mtu), containing: "jumbo frames are enabled on the data-center network switches")
        #expect(result.diagnostics(.warning, on: nic(2, .mtu)).isEmpty)
        _ = try expectValid(result)
    }
}

@Suite struct GatewayValidationTests {
    @Test func insideTheSubnet() throws {
        let spec = try expectValid(validate(net1Static.with([nic(1, .gateway): "10.0.0.1 "])))
        #expect(spec.nics[0].gateway == (try ipv4("10.0.0.1")))
    }

    @Test(arguments: [
        ("10.0.1.1", "10.0.1.1 is outside net1's subnet 10.0.0.0/24"),
        ("192.168.0.1", "outside net1's subnet"),
        ("10.0.0.5", "net1's own address"),
        ("10.0.0.0", "network address of 10.0.0.0/24"),
        ("10.0.0.255", "broadcast address of 10.0.0.0/24"),
        ("127.0.0.1", "loopback"),
        ("fe80::1", "IPv6 is not supported: 'fe80::1'"),
        ("10.0.0", "'10.0.0' is not an IPv4 address"),
    ])
    func rejected(_ gateway: String, _ fragment: String) {
        expectDiagnostic(validate(net1Static.with([nic(1, .gateway): gateway])), .error, on: nic(1, .gateway), containing: fragment)
    }

    @Test func ignoredWithDHCP() throws {
        let result = validate([nic(1, .gateway): "10.0.0.1"])
        expectDiagnostic(result, .warning, on: nic(1, .gateway), containing: "ignored")
        #expect(try expectValid(result).nics[0].gateway == nil)
    }
}

@Suite struct NameServiceValidationTests {
    @Test(arguments: ["1.1.1.1, 8.8.8.8", "1.1.1.1 8.8.8.8", "1.1.1.1,8.8.8.8", " 1.1.1.1 ,  8.8.8.8 ,", "1.1.1.1\t8.8.8.8"])
    func dnsLists(_ text: String) throws {
        let spec = try expectValid(validate([nic(1, .dns): text]))
        #expect(spec.nics[0].dns == [try ipv4("1.1.1.1"), try ipv4("8.8.8.8")])
    }

    @Test(arguments: [
        ("1.1.1.1, 2001:4860:4860::8888", "IPv6 is not supported: '2001:4860:4860::8888'"),
        ("1.1.1.1, 8.8.8", "'8.8.8' is not a DNS server's IPv4 address"),
        ("dns.example.com", "'dns.example.com' is not a DNS server's IPv4 address"),
        ("1.1.1.1;8.8.8.8", "'1.1.1.1;8.8.8.8'"),
    ])
    func badDNSEntries(_ text: String, _ fragment: String) {
        expectDiagnostic(validate([nic(1, .dns): text]), .error, on: nic(1, .dns), containing: fragment)
    }

    @Test func everyBadDNSEntryIsNamed() {
        let result = validate([nic(1, .dns): "1.1.1.1, 300.1.1.1 fe80::1, 8.8.8.8"])
        let errors = result.diagnostics(.error, on: nic(1, .dns))
        #expect(errors.count == 2)
        #expect(errors.contains { $0.message.contains("'300.1.1.1'") })
        #expect(errors.contains { $0.message.contains("IPv6 is not supported: 'fe80::1'") })
    }

    @Test(arguments: ["example.com, corp.example.com", "example.com corp.example.com"])
    func domains(_ text: String) throws {
        let spec = try expectValid(validate([nic(1, .domain): text]))
        #expect(spec.nics[0].searchDomains == ["example.com", "corp.example.com"])
    }

    @Test(arguments: [
        ("-bad.example.com", "search domain '-bad.example.com' is not a valid DNS name: label '-bad' starts with '-'"),
        ("example.com, bad-.example.com", "label 'bad-' ends with '-', which RFC 1123 does not allow"),
        ("exa_mple.com", "'_'"),
        ("a..b", "empty label"),
        (String(repeating: "x", count: 64) + ".com", "at most 63"),
    ])
    func badDomains(_ text: String, _ fragment: String) {
        expectDiagnostic(validate([nic(1, .domain): text]), .error, on: nic(1, .domain), containing: fragment)
    }

    @Test func ntpServers() throws {
        let spec = try expectValid(validate([nic(1, .ntp): "pool.ntp.org, 10.0.0.1 time-1.example.com"]))
        #expect(spec.nics[0].ntp == ["pool.ntp.org", "10.0.0.1", "time-1.example.com"])
    }

    @Test(arguments: [
        ("10.0.0.256", "'10.0.0.256' is not an NTP server's IPv4 address or host name"),
        ("ntp_1.example.com", "'ntp_1.example.com' is neither an IPv4 address nor a valid host name"),
        ("pool.ntp.org, 2001:db8::123", "IPv6 is not supported: '2001:db8::123'"),
        ("-ntp.example.com", "starts with '-'"),
    ])
    func badNTPServers(_ text: String, _ fragment: String) {
        expectDiagnostic(validate([nic(1, .ntp): text]), .error, on: nic(1, .ntp), containing: fragment)
    }
}

@Suite struct ConfigureValidationTests {
    @Test(arguments: ["true", "TRUE", "True", "1", "yes", "YES", "on", "On", " oN "])
    func on(_ text: String) throws {
        let spec = try expectValid(validate([nic(2, .configure): text, nic(2, .ipv4address): "10.2.0.5", nic(2, .netmask): "24"]))
        #expect(spec.nics[1].configure)
        #expect(spec.nics[1].addressing == .staticIPv4(try subnet("10.2.0.5", 24)))
    }

    @Test(arguments: ["false", "FALSE", "False", "0", "no", "No", "off", "OFF", "", "  "])
    func off(_ text: String) throws {
        let spec = try expectValid(validate([nic(3, .configure): text]))
        #expect(!spec.nics[2].configure)
        #expect(spec.nics[2] == NICSpec(index: 3, configure: false))
    }

    @Test func absentMeansOff() throws {
        let spec = try expectValid(validate([:]))
        #expect(spec.nics.map(\.configure) == [true, false, false, false])
    }

    @Test(arguments: ["enabled", "2", "tru", "y", "true false"])
    func notAToggle(_ text: String) {
        expectDiagnostic(
            validate([nic(4, .configure): text]), .error, on: nic(4, .configure),
            containing: "'\(text)' is not a toggle: use true/false, 1/0, yes/no or on/off")
    }

    @Test func anInvalidToggleStillChecksTheNIC() {
        let result = validate([nic(2, .configure): "maybe", nic(2, .ipv4address): "10.2.0", nic(2, .mtu): "10"])
        #expect(result.diagnostics(.error, on: nic(2, .configure)).count == 1)
        #expect(result.diagnostics(.error, on: nic(2, .ipv4address)).count == 1)
        #expect(result.diagnostics(.error, on: nic(2, .mtu)).count == 1)
    }

    @Test func settingsOfAnUnconfiguredNICAreIgnoredWithAnInfo() throws {
        let result = validate([
            nic(2, .configure): "off", nic(2, .ipv4address): "not-an-address", nic(2, .netmask): "99", nic(2, .mtu): "9000",
        ])
        for field in [PropertyKeys.NICField.ipv4address, .netmask, .mtu] {
            expectDiagnostic(result, .info, on: nic(2, field), containing: "ignored because guestinfo.bitfusion.host.net2.configure is off")
        }
        #expect(try expectValid(result).nics[1] == NICSpec(index: 2, configure: false))
    }
}

@Suite struct SubnetOverlapValidationTests {
    @Test func overlappingSubnetsAreAnErrorOnTheLaterNIC() {
        let result = validate(net1Static.with([
            nic(1, .netmask): "16", nic(2, .configure): "true", nic(2, .ipv4address): "10.0.1.5", nic(2, .netmask): "24",
        ]))
        expectDiagnostic(
            result, .error, on: nic(2, .ipv4address),
            containing: "net2's subnet 10.0.1.0/24 overlaps net1's subnet 10.0.0.0/16: each NIC must be on a separate network")
        #expect(result.diagnostics(.error, on: nic(1, .ipv4address)).isEmpty)
    }

    @Test func aNICOverlappingTwoOthersNamesBoth() {
        let result = validate(net1Static.with([
            nic(2, .configure): "1", nic(2, .ipv4address): "10.0.1.5", nic(2, .netmask): "24",
            nic(4, .configure): "1", nic(4, .ipv4address): "10.0.0.9", nic(4, .netmask): "23",
        ]))
        let errors = result.diagnostics(.error, on: nic(4, .ipv4address))
        #expect(errors.count == 2)
        #expect(errors.contains { $0.message.contains("overlaps net1's subnet 10.0.0.0/24") })
        #expect(errors.contains { $0.message.contains("overlaps net2's subnet 10.0.1.0/24") })
        #expect(result.diagnostics(.error, on: nic(2, .ipv4address)).isEmpty)
    }

    @Test func separateSubnetsAndDHCPNICsAreFine() throws {
        let spec = try expectValid(validate(net1Static.with([
            nic(2, .configure): "true", nic(2, .ipv4address): "10.0.1.5", nic(2, .netmask): "24",
            nic(3, .configure): "true",
            nic(4, .configure): "true",
        ])))
        #expect(spec.nics[2].addressing == .dhcp && spec.nics[3].addressing == .dhcp)
    }

    @Test func anUnconfiguredNICIsNotCompared() throws {
        _ = try expectValid(validate(net1Static.with([
            nic(2, .configure): "false", nic(2, .ipv4address): "10.0.0.6", nic(2, .netmask): "24",
        ])))
    }
}
