import GuestPrepConfig
import GuestPrepModel

/// What the driver route is chosen from: values read from the guest by `DriverFacts`, so the
/// choice itself is pure.
public struct DriverInstallInput: Sendable {
    public var release: OSRelease
    /// `uname -r` (`6.8.0-45-generic`), from /proc/sys/kernel/osrelease.
    public var kernelRelease: String?
    public var choice: DriverSelection.Choice
    /// What the GPUs present allow (a distribution's own branch is checked against it).
    public var constraints: DriverSelection.Constraints
    /// Whether the firmware enforces Secure Boot; nil when unknown (BIOS, or no efivars).
    public var secureBoot: Bool?
    public var request: DriverRequest
    /// Whether the package index (apt lists) has a package of this name.
    public var packageAvailable: @Sendable (String) -> Bool
    /// Whether apt's package index has any index at all: a missing package means something only
    /// when it does.
    public var packageIndexPopulated: Bool
    /// The installed `linux-image-*` packages (dpkg's database), for Ubuntu's kernel meta.
    public var kernelImages: [InstalledPackage]
    /// The file names in `request.packageDirectory`, sorted; empty without one.
    public var localPackages: [String]
    /// Files that exist on the guest, for the checks that depend on them (a keyring, a repo
    /// file, dkms).
    public var existing: Set<String>
    /// The routes to choose from: the bundled `profiles/catalog/driver-routes.yaml`.
    public var routes: [DriverRouteEntry]

    public init(
        release: OSRelease, kernelRelease: String?, choice: DriverSelection.Choice,
        constraints: DriverSelection.Constraints = DriverSelection.Constraints(requiredFlavor: nil, maxBranch: nil, reasons: []),
        secureBoot: Bool?,
        request: DriverRequest, packageAvailable: @escaping @Sendable (String) -> Bool = { _ in false },
        packageIndexPopulated: Bool = false, kernelImages: [InstalledPackage] = [],
        localPackages: [String] = [], existing: Set<String> = [], routes: [DriverRouteEntry] = DriverRouteCatalog.bundled
    ) {
        self.release = release
        self.kernelRelease = kernelRelease
        self.choice = choice
        self.constraints = constraints
        self.secureBoot = secureBoot
        self.request = request
        self.packageAvailable = packageAvailable
        self.packageIndexPopulated = packageIndexPopulated
        self.kernelImages = kernelImages
        self.localPackages = localPackages
        self.existing = existing
        self.routes = routes
    }
}
