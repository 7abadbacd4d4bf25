import GuestPrepModel

/// Turns merged properties into a `GuestSpec`, or reports every problem with them at once.
/// Pure: it reads only the values it is given. Each diagnostic names its property key, quotes
/// the value it found (never a secret's) and says what is allowed.
public enum SpecValidator {
    /// The values `guestinfo.guestprep.profile` may take.
    public static let knownProfiles = ["bitfusion-server", "bitfusion-client", "gpu-passthrough", "vgpu-guest"]

    /// Validates `properties`. The result's spec is nil when any diagnostic is an error; the
    /// diagnostics hold every error, warning and info, in `PropertyKeys.all` order.
    /// `localProfiles` names the site's own profiles (/etc/guestprep/profiles/NAME.yaml), which
    /// `guestinfo.guestprep.profile` may name besides the bundled ones.
    public static func validate(_ properties: PropertySet, localProfiles: [String] = []) -> ValidationResult {
        var context = ValidationContext(properties)
        context.localProfiles = localProfiles

        let hostname = validateHostname(&context)
        let nics = (1...PropertyKeys.nicCount).map { NICRules.validate($0, &context) }
        checkSubnetOverlaps(nics, &context)
        let installNvidiaPackages = IdentityRules.validateInstallNvidiaPackages(&context)
        let server = EnrollmentRules.validateServer(&context)
        let client = EnrollmentRules.validateClient(&context)
        let instanceID = IdentityRules.validateInstanceID(&context)
        let profile = IdentityRules.validateProfile(&context)
        let networkRenderer = IdentityRules.validateNetworkRenderer(&context)
        let driver = DriverRules.validate(&context)
        let bitfusion = BitfusionRules.validateOptions(&context)
        let clearSecrets = BitfusionRules.validateClearSecrets(&context)
        let vgpu = VGPURules.validate(&context)
        UnknownKeyRule.check(&context)

        // Never brick the network: errors confined to NICs' properties do not stop the run;
        // those NICs fall back (net1 to DHCP, a data NIC to unconfigured) and the rest goes on.
        let errorKeys = context.diagnostics.filter { $0.severity == .error }.map(\.key)
        let failedNICs = Set(errorKeys.compactMap { $0.flatMap(nicIndex) }).sorted()
        let onlyNICErrors = errorKeys.allSatisfy { $0.flatMap(nicIndex) != nil }
        var fallbackNICs = nics
        var found = context.diagnostics
        if onlyNICErrors {
            for index in failedNICs {
                fallbackNICs[index - 1] = NICSpec(index: index)
                found.append(
                    .warning(
                        nil,
                        index == 1
                            ? "net1 falls back to DHCP with MTU \(NICSpec.defaultMTU) because its properties are invalid (errors above); everything else is still done, and the run exits 1"
                            : "net\(index) is left unconfigured because its properties are invalid (errors above); everything else is still done, and the run exits 1"
                    ))
            }
        }

        let diagnostics = sorted(SecretScrubber.scrub(found, secretsIn: properties))
        var spec: GuestSpec?
        if onlyNICErrors {
            spec = GuestSpec(
                hostname: hostname, nics: fallbackNICs, installNvidiaPackages: installNvidiaPackages, server: server,
                client: client, instanceID: instanceID, profile: profile)
            spec?.nicFallbacks = failedNICs
            spec?.networkRenderer = networkRenderer
            spec?.driver = driver
            spec?.bitfusion = bitfusion
            spec?.clearSecrets = clearSecrets
            spec?.vgpu = vgpu
        }
        return ValidationResult(spec: spec, diagnostics: diagnostics)
    }

    /// N for a key of `guestinfo.bitfusion.host.netN.*`, nil for any other key.
    static func nicIndex(_ key: String) -> Int? {
        (1...PropertyKeys.nicCount).first { key.hasPrefix("guestinfo.bitfusion.host.net\($0).") }
    }

    /// Empty or absent: nil, the hostname is left alone.
    private static func validateHostname(_ context: inout ValidationContext) -> String? {
        let key = PropertyKeys.hostname
        guard let name = context.value(key) else { return nil }
        let problems = HostnameRule.hostnameProblems(name)
        guard problems.isEmpty else {
            context.error(key, "\(Quoting.quote(name)) " + problems.joined(separator: "; "))
            return nil
        }
        return name
    }

    /// Each NIC must be on a separate network (the Bitfusion guide requires it): an error on
    /// the later NIC's address for every pair of configured static NICs whose subnets overlap.
    /// NICs on DHCP cannot be checked before they have a lease.
    private static func checkSubnetOverlaps(_ nics: [NICSpec], _ context: inout ValidationContext) {
        var earlier: [(index: Int, subnet: IPv4Interface)] = []
        for nic in nics where nic.configure {
            guard case .staticIPv4(let subnet) = nic.addressing else { continue }
            for other in earlier where other.subnet.overlaps(subnet) {
                context.error(
                    PropertyKeys.nic(nic.index, .ipv4address),
                    "net\(nic.index)'s subnet \(networkText(subnet)) overlaps net\(other.index)'s subnet "
                        + "\(networkText(other.subnet)): each NIC must be on a separate network")
            }
            earlier.append((nic.index, subnet))
        }
    }

    private static func networkText(_ subnet: IPv4Interface) -> String {
        "\(subnet.network)/\(subnet.prefixLength)"
    }

    /// Known keys in `PropertyKeys.all` order, then unknown keys alphabetically, then
    /// diagnostics without a key; within a key, by severity, then in the order found.
    static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        let position = Dictionary(uniqueKeysWithValues: PropertyKeys.all.enumerated().map { ($1, $0) })
        func rank(_ key: String?) -> (group: Int, index: Int, name: String) {
            guard let key else { return (2, 0, "") }
            if let index = position[key] { return (0, index, "") }
            return (1, 0, key)
        }
        return diagnostics.enumerated().sorted { lhs, rhs in
            let (l, r) = (rank(lhs.element.key), rank(rhs.element.key))
            if l != r { return l < r }
            if lhs.element.severity != rhs.element.severity { return lhs.element.severity < rhs.element.severity }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
