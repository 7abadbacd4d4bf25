/// The validated description of the machine the properties ask for. Built only by the
/// validator in GuestPrepConfig; every field here already obeys its rules.
public struct GuestSpec: Sendable, Equatable {
    /// The hostname, or nil when the property is absent or empty (the hostname is left alone).
    public var hostname: String?
    /// NICs 1...4 in order; `nics[0]` is net1, the management NIC. Always four entries.
    public var nics: [NICSpec]
    /// `install_nvidia_packages`; nil when absent, so the profile's default applies.
    public var installNvidiaPackages: Bool?
    /// `guestinfo.guestprep.driver.*` (its `install` is `installNvidiaPackages`).
    public var driver: DriverRequest = DriverRequest()
    /// How often the health timer starts the main stage again (a systemd time span such as
    /// `1h`), from the profile's `health:`; nil turns the timer off.
    public var healthInterval: String?
    public var server: ServerEnrollment?
    public var client: ClientEnrollment?
    /// `guestinfo.guestprep.instance-id`, part of the instance identity when set.
    public var instanceID: String?
    /// `guestinfo.guestprep.profile`, when set.
    public var profile: String?
    /// `guestinfo.guestprep.network.renderer`: the network configuration system to write for;
    /// nil to detect it from the guest.
    public var networkRenderer: NetworkRendererKind?
    /// The Bitfusion client's local options (users, package, download CA); set whatever the role.
    public var bitfusion: BitfusionOptions = BitfusionOptions()
    /// `guestinfo.guestprep.vgpu.*`: an NVIDIA vGPU guest's licensing.
    public var vgpu: VGPULicensing = VGPULicensing()
    /// `guestinfo.guestprep.clear-after-use`: clear the access token and the vCenter password
    /// from guestinfo once used (default on).
    public var clearSecrets: Bool = true
    /// The NICs (1…4) whose properties were invalid and were replaced by their safe default:
    /// net1 by DHCP with MTU 1500, a data NIC by leaving it unconfigured. Empty for valid
    /// properties. A run with fallbacks does everything else and ends with exit status 1.
    public var nicFallbacks: [Int] = []

    public init(
        hostname: String? = nil, nics: [NICSpec] = (1...PropertyKeys.nicCount).map { NICSpec(index: $0) },
        installNvidiaPackages: Bool? = nil, server: ServerEnrollment? = nil,
        client: ClientEnrollment? = nil, instanceID: String? = nil, profile: String? = nil
    ) {
        self.hostname = hostname
        self.nics = nics
        self.installNvidiaPackages = installNvidiaPackages
        self.server = server
        self.client = client
        self.instanceID = instanceID
        self.profile = profile
    }
}

/// One NIC's settings. net1 is always configured; net2–4 only when `configure` is on.
public struct NICSpec: Sendable, Equatable {
    public enum Addressing: Sendable, Equatable {
        case dhcp
        case staticIPv4(IPv4Interface)
    }

    /// 1...4.
    public var index: Int
    public var configure: Bool
    public var addressing: Addressing
    /// 68...9000; 1500 when the property is empty.
    public var mtu: Int
    /// net1 only.
    public var gateway: IPv4Address?
    public var dns: [IPv4Address]
    public var searchDomains: [String]
    /// Host names or addresses.
    public var ntp: [String]

    public init(
        index: Int, configure: Bool? = nil, addressing: Addressing = .dhcp, mtu: Int = 1500,
        gateway: IPv4Address? = nil, dns: [IPv4Address] = [], searchDomains: [String] = [],
        ntp: [String] = []
    ) {
        self.index = index
        self.configure = configure ?? (index == 1)
        self.addressing = addressing
        self.mtu = mtu
        self.gateway = gateway
        self.dns = dns
        self.searchDomains = searchDomains
        self.ntp = ntp
    }

    public static let defaultMTU = 1500
    public static let mtuRange = 68...9000
}

/// What a Bitfusion server needs to register with vCenter.
public struct ServerEnrollment: Sendable, Equatable {
    public var vcenterGUID: String
    public var vcenterURL: String
    public var username: String
    /// Nil once guestprep cleared it from guestinfo after a successful check.
    public var password: Secret?
    /// `guestinfo.guestprep.vcenter.ca-file`: a guest path of a PEM CA file; nil: system CAs.
    public var caFile: String?
    /// `guestinfo.guestprep.vcenter.thumbprint`: the certificate's SHA-256 (64) or SHA-1 (40)
    /// thumbprint, lower-case hex without colons.
    public var thumbprint: String?

    public init(
        vcenterGUID: String, vcenterURL: String, username: String, password: Secret?, caFile: String? = nil,
        thumbprint: String? = nil
    ) {
        self.vcenterGUID = vcenterGUID
        self.vcenterURL = vcenterURL
        self.username = username
        self.password = password
        self.caFile = caFile
        self.thumbprint = thumbprint
    }
}

/// What a Bitfusion client enrolls from: the access token, the token archive, or both.
public struct ClientEnrollment: Sendable, Equatable {
    /// `guestinfo.bitfusion.client.accesstoken`.
    public var accessToken: Secret?
    /// The token archive, from `token-archive` (decoded) or `token-archive-url` (fetched before
    /// anything is planned).
    public var archive: TokenArchiveSource?

    public init(accessToken: Secret? = nil, archive: TokenArchiveSource? = nil) {
        self.accessToken = accessToken
        self.archive = archive
    }
}

/// Where a client's token archive is.
public enum TokenArchiveSource: Sendable, Equatable {
    /// Decoded and validated: from the property itself, or already fetched.
    case decoded(TokenArchive)
    /// An https:// or file:// URL, or an absolute guest path, still to fetch, with the SHA-256
    /// it must have (required for https://). A secret: it may carry credentials, and it leads
    /// to the client's credential.
    case location(Secret, sha256: String?)
}

/// A Bitfusion client's local options.
public struct BitfusionOptions: Sendable, Equatable {
    /// The users who use Bitfusion: members of the `bitfusion` group, each with the client
    /// files in ~/.bitfusion. Default: root.
    public var users: [String] = ["root"]
    /// The client package to install (.deb or .rpm): a URL or an absolute guest path.
    public var clientPackage: String?
    /// Its SHA-256, 64 lower-case hex digits (required with a package).
    public var clientPackageSHA256: String?
    /// A guest path of a PEM CA file for the archive's and the package's downloads.
    public var caFile: String?

    public init() {}
}
