import GuestPrepModel

/// Validates one NIC's properties (`guestinfo.bitfusion.host.netN.*`) into a `NICSpec`.
enum NICRules {
    static func validate(_ index: Int, _ context: inout ValidationContext) -> NICSpec {
        func key(_ field: PropertyKeys.NICField) -> String { PropertyKeys.nic(index, field) }

        if index > 1 {
            let configureKey = key(.configure)
            var configure = false
            if let text = context.value(configureKey) {
                if let on = ToggleParser.parse(text) {
                    configure = on
                } else {
                    context.error(
                        configureKey, "\(Quoting.quote(text)) is not a toggle: use \(ToggleParser.allowedText)")
                    // Check the NIC's other properties as if it were on, so their problems show too.
                    configure = true
                }
            }
            if !configure {
                for field in [PropertyKeys.NICField.ipv4address, .netmask, .mtu] where context.value(key(field)) != nil {
                    context.info(
                        key(field),
                        "ignored because \(configureKey) is off; set it to true to configure net\(index)")
                }
                return NICSpec(index: index, configure: false)
            }
        }

        let addressKey = key(.ipv4address)
        let addressText = context.value(addressKey)
        var address: IPv4Address?
        if let addressText {
            switch AddressRule.parse(addressText) {
            case .success(let parsed):
                if let reserved = AddressRule.reservedUse(parsed) {
                    context.error(addressKey, "\(Quoting.quote(addressText)) is \(reserved): it cannot be a NIC's address")
                } else {
                    address = parsed
                }
            case .failure(let message):
                context.error(addressKey, message.text + ", or leave it empty for DHCP")
            }
        }

        let netmaskKey = key(.netmask)
        var prefix: Int?
        if let netmaskText = context.value(netmaskKey) {
            if addressText == nil {
                context.warning(
                    netmaskKey,
                    "ignored: \(addressKey) is empty, so net\(index) uses DHCP and the netmask applies only to a static address")
            } else {
                switch NetmaskParser.parse(netmaskText) {
                case .success(let parsed): prefix = parsed
                case .failure(let failure): context.error(netmaskKey, "\(Quoting.quote(netmaskText)) \(failure)")
                }
            }
        } else if addressText != nil {
            context.error(
                netmaskKey,
                "required when \(addressKey) is set: give the prefix length, such as 24, /24, 255.255.255.0 or 24 (255.255.255.0)")
        }

        var interface: IPv4Interface?
        if let address, let prefix {
            let candidate = IPv4Interface(address: address, prefixLength: prefix)
            if let edge = AddressRule.subnetEdge(address, in: candidate) {
                context.error(addressKey, "\(address) is \(edge): a NIC needs a host address inside its subnet")
            } else {
                interface = candidate
            }
        }

        let mtu = MTURule.validate(key(.mtu), nic: index, &context)
        var nic = NICSpec(
            index: index, configure: true, addressing: interface.map { .staticIPv4($0) } ?? .dhcp, mtu: mtu)
        if index == 1 {
            nic.gateway = validateGateway(
                key(.gateway), isDHCP: addressText == nil, address: address, interface: interface, &context)
            nic.dns = validateDNS(key(.dns), &context)
            nic.searchDomains = validateDomains(key(.domain), &context)
            nic.ntp = validateNTP(key(.ntp), &context)
        }
        return nic
    }

    /// net1's gateway: inside net1's subnet when net1 is static, not net1's own address;
    /// ignored (with a warning) under DHCP, which supplies the gateway.
    private static func validateGateway(
        _ key: String, isDHCP: Bool, address: IPv4Address?, interface: IPv4Interface?,
        _ context: inout ValidationContext
    ) -> IPv4Address? {
        guard let text = context.value(key) else { return nil }
        let gateway: IPv4Address
        switch AddressRule.parse(text) {
        case .success(let parsed): gateway = parsed
        case .failure(let message):
            context.error(key, message.text + ", or leave it empty")
            return nil
        }
        if isDHCP {
            context.warning(
                key,
                "ignored: \(PropertyKeys.nic(1, .ipv4address)) is empty, so net1 uses DHCP, which supplies the gateway")
            return nil
        }
        if let reserved = AddressRule.reservedUse(gateway) {
            context.error(key, "\(gateway) is \(reserved): it cannot be a gateway")
            return nil
        }
        if let interface {
            let subnet = "\(interface.network)/\(interface.prefixLength)"
            guard interface.contains(gateway) else {
                context.error(key, "\(gateway) is outside net1's subnet \(subnet): the gateway must be an address inside it")
                return nil
            }
            if gateway == address {
                context.error(key, "\(gateway) is net1's own address: the gateway must be another host in \(subnet)")
                return nil
            }
            if let edge = AddressRule.subnetEdge(gateway, in: interface) {
                context.error(key, "\(gateway) is \(edge): the gateway must be a host address")
                return nil
            }
        }
        return gateway
    }

    /// DNS servers: IPv4 addresses separated by commas and/or spaces.
    private static func validateDNS(_ key: String, _ context: inout ValidationContext) -> [IPv4Address] {
        guard let text = context.value(key) else { return [] }
        var servers: [IPv4Address] = []
        for entry in ListSplitter.split(text) {
            switch AddressRule.parse(entry, what: "a DNS server's IPv4 address") {
            case .success(let address): servers.append(address)
            case .failure(let message):
                context.error(key, message.text + "; separate servers with commas or spaces")
            }
        }
        return servers
    }

    /// Search domains: DNS names separated by commas and/or spaces.
    private static func validateDomains(_ key: String, _ context: inout ValidationContext) -> [String] {
        guard let text = context.value(key) else { return [] }
        var domains: [String] = []
        for entry in ListSplitter.split(text) {
            let problems = HostnameRule.dnsNameProblems(entry)
            if problems.isEmpty {
                domains.append(entry)
            } else {
                context.error(
                    key, "search domain \(Quoting.quote(entry)) is not a valid DNS name: " + problems.joined(separator: "; "))
            }
        }
        return domains
    }

    /// NTP servers: IPv4 addresses or DNS host names separated by commas and/or spaces.
    private static func validateNTP(_ key: String, _ context: inout ValidationContext) -> [String] {
        guard let text = context.value(key) else { return [] }
        var servers: [String] = []
        for entry in ListSplitter.split(text) {
            let looksNumeric = entry.allSatisfy { $0 == "." || ($0.isASCII && $0.isNumber) }
            if entry.contains(":") || looksNumeric {
                switch AddressRule.parse(entry, what: "an NTP server's IPv4 address or host name") {
                case .success(let address): servers.append(address.description)
                case .failure(let message): context.error(key, message.text)
                }
                continue
            }
            let problems = HostnameRule.dnsNameProblems(entry)
            if problems.isEmpty {
                servers.append(entry)
            } else {
                context.error(
                    key,
                    "NTP server \(Quoting.quote(entry)) is neither an IPv4 address nor a valid host name: "
                        + problems.joined(separator: "; "))
            }
        }
        return servers
    }
}
