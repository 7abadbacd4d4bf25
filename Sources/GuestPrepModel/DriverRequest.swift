/// The NVIDIA kernel module flavour: NVIDIA's open GPU kernel modules or the proprietary ones.
public enum DriverModuleFlavor: String, Sendable, Equatable, CaseIterable {
    case open, proprietary
}

/// How the driver is installed.
public enum DriverRoute: String, Sendable, Equatable, CaseIterable {
    /// The distribution's route for it (see `distro`), or NVIDIA's .run installer when a
    /// runfile is given.
    case auto
    /// The distribution's own packages: Ubuntu's precompiled signed modules (else DKMS),
    /// Debian's own driver, SUSE's signed KMP, RHEL 10.1's and AlmaLinux 10's signed open kmod
    /// (profiles/catalog/driver-routes.yaml).
    case distro
    /// NVIDIA's CUDA package repository (Debian, RHEL and its rebuilds, Fedora, Amazon Linux).
    case nvidiaRepo = "nvidia-repo"
    /// NVIDIA's .run installer, from `guestinfo.guestprep.driver.runfile`.
    case runfile
}

/// What the properties and the profile ask of the NVIDIA driver; every field optional, since
/// a property overrides the profile's default field by field (`filling`).
public struct DriverRequest: Sendable, Equatable {
    /// Whether to install the driver at all (`install_nvidia_packages`, else the profile's).
    public var install: Bool?
    /// The driver branch (major version), such as 580.
    public var branch: Int?
    public var modules: DriverModuleFlavor?
    public var route: DriverRoute?
    /// NVIDIA's .run installer: an `https://`, `http://` or `file://` URL, or an absolute
    /// guest path.
    public var runfile: String?
    /// The runfile's SHA-256, 64 lower-case hex digits; required with a runfile.
    public var runfileSHA256: String?
    /// Air-gapped: a guest directory holding the packages to install; nothing is downloaded.
    public var packageDirectory: String?
    /// A PEM CA bundle (guest path) for downloads instead of the system CAs.
    public var caFile: String?
    /// Whether persistence mode is turned on at every boot (default: yes).
    public var persistence: Bool?

    public init(
        install: Bool? = nil, branch: Int? = nil, modules: DriverModuleFlavor? = nil, route: DriverRoute? = nil,
        runfile: String? = nil, runfileSHA256: String? = nil, packageDirectory: String? = nil, caFile: String? = nil,
        persistence: Bool? = nil
    ) {
        self.install = install
        self.branch = branch
        self.modules = modules
        self.route = route
        self.runfile = runfile
        self.runfileSHA256 = runfileSHA256
        self.packageDirectory = packageDirectory
        self.caFile = caFile
        self.persistence = persistence
    }

    /// This request with each field it leaves unset taken from `defaults` (a profile's).
    public func filling(_ defaults: DriverRequest) -> DriverRequest {
        DriverRequest(
            install: install ?? defaults.install, branch: branch ?? defaults.branch, modules: modules ?? defaults.modules,
            route: route ?? defaults.route, runfile: runfile ?? defaults.runfile,
            runfileSHA256: runfileSHA256 ?? defaults.runfileSHA256,
            packageDirectory: packageDirectory ?? defaults.packageDirectory, caFile: caFile ?? defaults.caFile,
            persistence: persistence ?? defaults.persistence)
    }
}
