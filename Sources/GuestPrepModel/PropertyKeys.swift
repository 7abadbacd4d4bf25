/// The property keys guestprep understands, as the Bitfusion appliance and DESIGN.md name them.
public enum PropertyKeys {
    public static let hostname = "guestinfo.bitfusion.host.hostname"
    public static let installNvidiaPackages = "guestinfo.bitfusion.host.install_nvidia_packages"

    public static let vcenterGUID = "guestinfo.bitfusion.server.vcenter-guid"
    public static let vcenterURL = "guestinfo.bitfusion.server.vcenter-url"
    public static let vcenterUsername = "guestinfo.bitfusion.server.vcenter-username"
    public static let vcenterPassword = "guestinfo.bitfusion.server.vcenter-password"
    public static let clientAccessToken = "guestinfo.bitfusion.client.accesstoken"

    /// The agent's own keys.
    public static let instanceID = "guestinfo.guestprep.instance-id"
    public static let profile = "guestinfo.guestprep.profile"
    /// Which network configuration system to write for, instead of the one detected.
    public static let networkRenderer = "guestinfo.guestprep.network.renderer"

    /// The NVIDIA driver: branch (`580`), kernel modules (`open` or `proprietary`), route
    /// (`auto`, `distro`, `nvidia-repo`, `runfile`), NVIDIA's .run installer and its SHA-256,
    /// a local package directory (air-gapped), a CA file for downloads, and persistence mode.
    public static let driverBranch = "guestinfo.guestprep.driver.branch"
    public static let driverModules = "guestinfo.guestprep.driver.modules"
    public static let driverRoute = "guestinfo.guestprep.driver.route"
    public static let driverRunfile = "guestinfo.guestprep.driver.runfile"
    public static let driverRunfileSHA256 = "guestinfo.guestprep.driver.runfile-sha256"
    public static let driverPackageDirectory = "guestinfo.guestprep.driver.package-dir"
    public static let driverCAFile = "guestinfo.guestprep.driver.ca-file"
    public static let driverPersistence = "guestinfo.guestprep.driver.persistence"

    /// A Bitfusion client's token archive (ca.crt, client.yaml, servers.conf, as the vSphere
    /// Bitfusion plugin gives it): base64 in the property itself, or a location (an https:// or
    /// file:// URL, or an absolute path in the guest). Both are secrets: the archive holds the
    /// client's credential.
    public static let bitfusionTokenArchive = "guestinfo.guestprep.bitfusion.token-archive"
    public static let bitfusionTokenArchiveURL = "guestinfo.guestprep.bitfusion.token-archive-url"
    /// The archive's SHA-256: required with an https:// location, checked with any.
    public static let bitfusionTokenArchiveSHA256 = "guestinfo.guestprep.bitfusion.token-archive-sha256"
    /// The users who use Bitfusion: added to the `bitfusion` group, each given the client files
    /// in ~/.bitfusion. Default: root.
    public static let bitfusionUsers = "guestinfo.guestprep.bitfusion.users"
    /// The Bitfusion client package (.deb or .rpm) to install, by URL or path, and its SHA-256.
    public static let bitfusionClientPackage = "guestinfo.guestprep.bitfusion.client-package"
    public static let bitfusionClientPackageSHA256 = "guestinfo.guestprep.bitfusion.client-package-sha256"
    /// A CA file (PEM) for downloading the token archive and the client package.
    public static let bitfusionCAFile = "guestinfo.guestprep.bitfusion.ca-file"
    /// Whether secrets are cleared from guestinfo after use (default on).
    public static let clearSecrets = "guestinfo.guestprep.clear-after-use"

    /// vCenter trust for a Bitfusion server's checks: a CA file (PEM) or the certificate's
    /// SHA-256 or SHA-1 thumbprint (hex, colons allowed).
    public static let vcenterCAFile = "guestinfo.guestprep.vcenter.ca-file"
    public static let vcenterThumbprint = "guestinfo.guestprep.vcenter.thumbprint"

    /// An NVIDIA vGPU guest's licensing: `FeatureType` of /etc/nvidia/gridd.conf (`0`, `1`, `2`
    /// or `4`, or their names), and the NVIDIA License System's client configuration token
    /// (the .tok file's text), a secret placed in /etc/nvidia/ClientConfigToken/.
    public static let vgpuFeatureType = "guestinfo.guestprep.vgpu.feature-type"
    public static let vgpuClientConfigToken = "guestinfo.guestprep.vgpu.client-config-token"

    /// The VMware key that carries the whole OVF environment document.
    public static let ovfEnv = "guestinfo.ovfEnv"

    /// `guestinfo.bitfusion.host.netN.FIELD`.
    public static func nic(_ index: Int, _ field: NICField) -> String {
        "guestinfo.bitfusion.host.net\(index).\(field.rawValue)"
    }

    /// The per-NIC fields. net1 has no `configure` (it is always configured); net2–4 have only
    /// `configure`, `ipv4address`, `netmask` and `mtu`.
    public enum NICField: String, CaseIterable, Sendable {
        case configure, ipv4address, netmask, mtu, gateway, dns, domain, ntp
    }

    public static let nicCount = 4

    /// Every key guestprep reads, in a stable order. Sources that must ask for keys one by one
    /// (VMware guestinfo) ask for exactly these.
    public static let all: [String] = {
        var keys = [hostname]
        for field in [NICField.ipv4address, .netmask, .mtu, .gateway, .dns, .domain, .ntp] {
            keys.append(nic(1, field))
        }
        for index in 2...nicCount {
            for field in [NICField.configure, .ipv4address, .netmask, .mtu] {
                keys.append(nic(index, field))
            }
        }
        keys += [
            installNvidiaPackages, vcenterGUID, vcenterURL, vcenterUsername, vcenterPassword,
            clientAccessToken, instanceID, profile, networkRenderer, driverBranch, driverModules, driverRoute,
            driverRunfile, driverRunfileSHA256, driverPackageDirectory, driverCAFile, driverPersistence,
            bitfusionTokenArchive, bitfusionTokenArchiveURL, bitfusionTokenArchiveSHA256, bitfusionUsers, bitfusionClientPackage,
            bitfusionClientPackageSHA256, bitfusionCAFile, clearSecrets, vcenterCAFile, vcenterThumbprint,
            vgpuFeatureType, vgpuClientConfigToken,
        ]
        return keys
    }()

    /// Whether a key's value must never be shown: logs, stdout, plans, state and bundles all
    /// redact it. The rule, and why, is `SecretKeyRule`'s.
    public static func isSecret(_ key: String) -> Bool { SecretKeyRule.isSecret(key) }

    /// What a secret's value is shown as.
    public static let redacted = "<redacted>"
}
