import GuestPrepModel

/// One entry of the driver routes (`profiles/catalog/driver-routes.yaml`): how the NVIDIA driver
/// is installed on one distribution (and range of versions) by one route. The file's header
/// comment describes every field; `DriverRouteCatalogDecoder` checks them.
public struct DriverRouteEntry: Sendable, Equatable {
    /// The route family: which commands the planner builds from the entry.
    public enum Method: String, Sendable, Equatable, CaseIterable {
        case ubuntu, debian
        case aptRepo = "apt-repo"
        case dnfModule = "dnf-module"
        case dnfVersionlock = "dnf-versionlock"
        case dnfKmod = "dnf-kmod"
        case zypper, refuse
    }

    /// NVIDIA's repository directory under `.../compute/cuda/repos/` and its gpgkey file name.
    public struct Repository: Sendable, Equatable {
        public var path: String
        public var key: String
        public init(path: String, key: String) {
            self.path = path
            self.key = key
        }
    }

    /// Package names that replace `packages` from a branch on (NVIDIA's apt repository drops
    /// the branch from its names at 590).
    public struct LaterPackages: Sendable, Equatable {
        public var fromBranch: Int
        public var packages: [String: [String]]
        public init(fromBranch: Int, packages: [String: [String]]) {
            self.fromBranch = fromBranch
            self.packages = packages
        }
    }

    /// The Debian archive component a package comes from.
    public struct Component: Sendable, Equatable {
        public var package: String
        public var component: String
        public init(package: String, component: String) {
            self.package = package
            self.component = component
        }
    }

    /// A package generation (SUSE's G06, G07) and the first branch it carries.
    public struct Generation: Sendable, Equatable {
        public var name: String
        public var fromBranch: Int
        public init(name: String, fromBranch: Int) {
            self.name = name
            self.fromBranch = fromBranch
        }
    }

    public var name: String
    public var title: String
    public var distributions: [String]
    /// VERSION_ID values served; nil serves every version.
    public var versions: [String]?
    /// `.distro` or `.nvidiaRepo`.
    public var route: DriverRoute
    public var method: Method
    public var refusal: String?
    /// The flavours whose modules a key the shim trusts has signed.
    public var signed: Set<DriverModuleFlavor>
    public var repository: Repository?
    public var requiresFile: [String]
    public var requiresMessage: String?
    public var prerequisites: [String]
    public var lock: String?
    public var moduleStream: [DriverModuleFlavor: String]
    public var headers: [String]
    public var headersUEK: [String]?
    /// Package templates by variant (`open`, `proprietary`, `common`; Ubuntu: `precompiled`,
    /// `precompiled-meta`, `dkms`, `common`).
    public var packages: [String: [String]]
    public var laterPackages: LaterPackages?
    public var branch: Int?
    /// Debian: the archive component of each package, in file order.
    public var components: [Component]
    public var liveBranches: [Int]?
    public var transitional: [Int: Int]
    public var kernelFlavours: [String]
    public var generations: [Generation]
    public var source: String
    public var checked: String
    public var confirmed: [String]
    public var unconfirmed: [String]

    public init(
        name: String, title: String, distributions: [String], versions: [String]? = nil, route: DriverRoute,
        method: Method, refusal: String? = nil, signed: Set<DriverModuleFlavor> = [], repository: Repository? = nil,
        requiresFile: [String] = [], requiresMessage: String? = nil, prerequisites: [String] = [], lock: String? = nil,
        moduleStream: [DriverModuleFlavor: String] = [:], headers: [String] = [], headersUEK: [String]? = nil,
        packages: [String: [String]] = [:], laterPackages: LaterPackages? = nil, branch: Int? = nil,
        components: [Component] = [], liveBranches: [Int]? = nil,
        transitional: [Int: Int] = [:], kernelFlavours: [String] = [], generations: [Generation] = [],
        source: String, checked: String, confirmed: [String] = [], unconfirmed: [String] = []
    ) {
        self.name = name
        self.title = title
        self.distributions = distributions
        self.versions = versions
        self.route = route
        self.method = method
        self.refusal = refusal
        self.signed = signed
        self.repository = repository
        self.requiresFile = requiresFile
        self.requiresMessage = requiresMessage
        self.prerequisites = prerequisites
        self.lock = lock
        self.moduleStream = moduleStream
        self.headers = headers
        self.headersUEK = headersUEK
        self.packages = packages
        self.laterPackages = laterPackages
        self.branch = branch
        self.components = components
        self.liveBranches = liveBranches
        self.transitional = transitional
        self.kernelFlavours = kernelFlavours
        self.generations = generations
        self.source = source
        self.checked = checked
        self.confirmed = confirmed
        self.unconfirmed = unconfirmed
    }

    /// Whether the entry serves `versionID`: "10" serves 10, 10.1 and 10.1.2; "10.1" serves
    /// 10.1 and 10.1.2 but not 10.10. No versions serves every one.
    public func serves(versionID: String?) -> Bool {
        guard let versions else { return true }
        guard let versionID else { return false }
        return versions.contains { versionID == $0 || versionID.hasPrefix($0 + ".") }
    }

    /// The component of `package` (Debian), by exact name or by the name's prefix before the
    /// kernel (`linux-headers` for `linux-headers-6.1.0-26-amd64`).
    public func component(of package: String) -> String? {
        components.first { package == $0.package || package.hasPrefix($0.package + "-") }?.component
    }
}

/// The `{name}` placeholders of a route's package names and patterns.
public enum DriverRouteTemplate {
    /// Every placeholder a template may use.
    public static let variables: Set<String> = ["branch", "kernel", "open", "meta", "flavour", "generation", "major", "version"]

    /// `template` with each `{name}` replaced by `values[name]` (empty when absent).
    public static func expand(_ template: String, _ values: [String: String]) -> String {
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open]
            result += values[String(rest[rest.index(after: open)..<close])] ?? ""
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    /// The placeholder names in `template` that are not `variables`, and whether its braces
    /// are unbalanced (a `{` without `}` or the reverse).
    static func problems(_ template: String) -> (unknown: [String], unbalanced: Bool) {
        var unknown: [String] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            guard rest[open] == "{", let close = rest[open...].firstIndex(of: "}") else { return (unknown, true) }
            let name = String(rest[rest.index(after: open)..<close])
            if !variables.contains(name) { unknown.append(name) }
            rest = rest[rest.index(after: close)...]
        }
        return (unknown, false)
    }
}
