import GuestPrepConfig
import GuestPrepModel

/// Chooses how to install the NVIDIA driver on a distribution and plans it as argv changes.
/// Pure: every fact about the guest is in `DriverInstallInput`. What varies by distribution
/// (packages, repositories, keys, locks, headers, signedness) is the data of
/// `profiles/catalog/driver-routes.yaml` (`DriverRouteCatalog`); the route families that turn an
/// entry into commands are the extensions in DriverInstallPlanner+*.swift.
public enum DriverInstallPlanner {
    static let step = "driver"
    /// Where downloaded installers are kept (0700, root only).
    public static let downloadDirectory = "/var/lib/guestprep/downloads"
    /// NVIDIA's CUDA repositories, which carry the driver packages.
    static let cudaRepositories = "https://developer.download.nvidia.com/compute/cuda/repos"
    /// The keyring the `cuda-keyring` package installs for NVIDIA's apt repository.
    public static let cudaKeyring = "/usr/share/keyrings/cuda-archive-keyring.gpg"

    public static func plan(_ input: DriverInstallInput) throws -> DriverInstallPlan {
        let request = input.request
        if request.route == .runfile || (request.route ?? .auto == .auto && request.runfile != nil) {
            return try runfile(input)
        }
        let served = try servedEntries(input)
        if let local = try localInstall(input, tool: packageTool(served[0].method)) { return local }
        let entry = try choose(from: served, input)
        var plan: DriverInstallPlan
        switch entry.method {
        case .ubuntu: plan = try ubuntu(entry, input)
        case .debian: plan = try debian(entry, input)
        case .aptRepo: plan = try aptRepository(entry, input)
        case .dnfModule, .dnfVersionlock, .dnfKmod: plan = try dnf(entry, input)
        case .zypper: plan = try zypper(entry, input)
        case .refuse: throw DriverInstallRefusal(entry.refusal ?? "guestprep has no route here (\(entry.name))")
        }
        if input.secureBoot == true && !plan.signed {
            throw DriverInstallRefusal(secureBootMessage(route: plan.route, release: input.release, routes: input.routes))
        }
        if input.secureBoot == true { plan.notes.append("Secure Boot is on: the modules of this route are signed") }
        plan.notes.append("route data: \(entry.name) in profiles/catalog/driver-routes.yaml (sources checked \(entry.checked))")
        return plan
    }

    // MARK: - Choosing the entry

    /// The entries for this distribution: those listing its ID, else those listing the closest
    /// ID_LIKE that any entry lists; of them, the ones that serve its VERSION_ID.
    static func servedEntries(_ input: DriverInstallInput) throws -> [DriverRouteEntry] {
        let release = input.release
        var family = input.routes.filter { $0.distributions.contains(release.id) }
        if family.isEmpty {
            for like in release.idLike {
                family = input.routes.filter { $0.distributions.contains(like) }
                if !family.isEmpty { break }
            }
        }
        guard !family.isEmpty else {
            throw DriverInstallRefusal(
                "guestprep has no package route for \(release.displayName) (ID=\(release.id)): give NVIDIA's .run installer with \(PropertyKeys.driverRunfile) and \(PropertyKeys.driverRunfileSHA256)")
        }
        let served = family.filter { $0.serves(versionID: release.versionID) }
        guard !served.isEmpty else {
            var versions: [String] = []
            for entry in family { for version in entry.versions ?? [] where !versions.contains(version) { versions.append(version) } }
            throw DriverInstallRefusal(
                "guestprep's driver routes for \(release.id) serve VERSION_ID \(versions.joined(separator: ", ")), not \(release.versionID ?? "(none)"): give NVIDIA's .run installer with \(PropertyKeys.driverRunfile) and \(PropertyKeys.driverRunfileSHA256)")
        }
        return served
    }

    /// The entry to plan by: the route asked for narrows the entries; with route auto an entry
    /// that needs a missing file, or lacks the chosen flavour, is passed over for the next, and
    /// under Secure Boot a signed entry wins.
    static func choose(from served: [DriverRouteEntry], _ input: DriverInstallInput) throws -> DriverRouteEntry {
        let flavor = input.choice.flavor
        var candidates = served
        if let asked = input.request.route, asked == .distro || asked == .nvidiaRepo {
            candidates = served.filter { $0.route == asked }
            guard let first = candidates.first else {
                let offered = served.filter { $0.method != .refuse }.map { "\($0.route.rawValue) (\($0.title))" }
                throw DriverInstallRefusal(
                    "\(PropertyKeys.driverRoute) '\(asked.rawValue)' does not apply to \(input.release.displayName): "
                        + (offered.isEmpty ? "guestprep has no route there" : "guestprep's routes there are \(offered.joined(separator: "; "))"))
            }
            // Asked for explicitly: its requirements are errors, not reasons to move on.
            try requireFiles(first, input)
            try requireFlavor(first, flavor, input)
            return first
        }
        let viable = candidates.filter { entry in
            entry.method == .refuse
                || (offers(entry, flavor) && (entry.requiresFile.isEmpty || entry.requiresFile.contains { input.existing.contains($0) }))
        }
        if input.secureBoot == true, let signed = viable.first(where: { $0.signed.contains(flavor) }) { return signed }
        if let first = viable.first { return first }
        try requireFiles(candidates[0], input)
        try requireFlavor(candidates[0], flavor, input)
        return candidates[0]
    }

    /// Whether `entry` installs `flavor`'s modules.
    static func offers(_ entry: DriverRouteEntry, _ flavor: DriverModuleFlavor) -> Bool {
        switch entry.method {
        case .ubuntu, .refuse: true
        default: entry.packages[flavor.rawValue] != nil
        }
    }

    static func requireFiles(_ entry: DriverRouteEntry, _ input: DriverInstallInput) throws {
        guard !entry.requiresFile.isEmpty, !entry.requiresFile.contains(where: { input.existing.contains($0) }) else { return }
        throw DriverInstallRefusal(
            "\(entry.requiresMessage ?? "\(entry.title) needs one of \(entry.requiresFile.joined(separator: ", "))") (none of \(entry.requiresFile.joined(separator: ", ")) exists)")
    }

    static func requireFlavor(_ entry: DriverRouteEntry, _ flavor: DriverModuleFlavor, _ input: DriverInstallInput) throws {
        guard !offers(entry, flavor) else { return }
        let other = DriverModuleFlavor.allCases.filter { offers(entry, $0) }.map(\.rawValue).joined(separator: " and ")
        throw DriverInstallRefusal(
            "\(entry.title) installs only the \(other) kernel modules, and these GPUs need the \(flavor.rawValue) ones (\(PropertyKeys.driverModules)): use route nvidia-repo or a runfile")
    }

    // MARK: - Helpers shared by the route families

    /// The package manager a route family uses, for the air-gapped install.
    static func packageTool(_ method: DriverRouteEntry.Method) -> String {
        switch method {
        case .ubuntu, .debian, .aptRepo: "apt"
        case .dnfModule, .dnfVersionlock, .dnfKmod: "dnf"
        case .zypper: "zypper"
        case .refuse: "none"
        }
    }

    /// The placeholder values for `input` (`{kernel}` only when the kernel is known).
    static func templateValues(_ input: DriverInstallInput, extra: [String: String] = [:]) -> [String: String] {
        var values = [
            "branch": String(input.choice.branch), "open": input.choice.flavor == .open ? "-open" : "",
            "version": input.release.versionID ?? "",
            "major": String((input.release.versionID ?? "").prefix { $0.isNumber }),
        ]
        if let kernel = input.kernelRelease { values["kernel"] = kernel }
        return values.merging(extra) { $1 }
    }

    /// `templates` expanded; a template that needs the running kernel when it is unknown is a
    /// refusal.
    static func expand(_ templates: [String], _ values: [String: String]) throws -> [String] {
        try templates.map { template in
            if values["kernel"] == nil, template.contains("{kernel}") {
                throw DriverInstallRefusal(
                    "cannot tell the running kernel (/proc/sys/kernel/osrelease is missing), so not which \(DriverRouteTemplate.expand(template, values.merging(["kernel": "KERNEL"]) { $1 })) to install")
            }
            return DriverRouteTemplate.expand(template, values)
        }
    }

    /// The kernel headers of `entry` for the running kernel: Oracle's UEK kernels (`uek` in
    /// uname -r) take `headers-uek`.
    static func headers(_ entry: DriverRouteEntry, _ input: DriverInstallInput, _ values: [String: String]) throws -> [String] {
        if let uek = entry.headersUEK, input.kernelRelease?.contains("uek") == true { return try expand(uek, values) }
        return try expand(entry.headers, values)
    }

    static func aptInstall(_ packages: [String]) -> Change {
        .run(step: step, ["apt-get", "install", "-y", "--no-install-recommends", "-o", "Dpkg::Options::=--force-confold"] + packages)
    }

    /// NVIDIA's CUDA repository `repository` as a repo file, written rather than fetched, so the
    /// plan shows it.
    static func cudaRepoFile(_ repository: DriverRouteEntry.Repository, _ values: [String: String], path: String? = nil) -> Change {
        let distro = DriverRouteTemplate.expand(repository.path, values)
        let base = "\(cudaRepositories)/\(distro)/x86_64"
        let text = """
            # Written by guestprep: NVIDIA's CUDA repository, which carries the driver.
            [cuda-\(distro)-x86_64]
            name=cuda-\(distro)-x86_64
            baseurl=\(base)
            enabled=1
            gpgcheck=1
            gpgkey=\(base)/\(repository.key)

            """
        return .write(step: step, path: path ?? "/etc/yum.repos.d/cuda-\(distro).repo", text: text)
    }

    /// Whether a package file's name is one of the routes whose modules a key the shim trusts
    /// has signed: Canonical's `linux-modules-nvidia-*`, SUSE's `nvidia-open-driver-G06/G07-signed*`,
    /// Red Hat's `kmod-nvidia-open` (not NVIDIA's unsigned `kmod-nvidia-open-dkms`) and
    /// AlmaLinux's `nvidia-open-kmod` (NVIDIA/yum-packaging-precompiled-kmod DISTROS.md).
    public static func isSignedPackageFile(_ file: String) -> Bool {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        if name.hasPrefix("kmod-nvidia-open-") { return !name.hasPrefix("kmod-nvidia-open-dkms") }
        return ["linux-modules-nvidia-", "nvidia-open-driver-G06-signed", "nvidia-open-driver-G07-signed", "nvidia-open-kmod-"]
            .contains { name.hasPrefix($0) }
    }

    /// Air-gapped: the packages in the local directory, installed with every remote
    /// repository left out, so nothing is downloaded. Nil without a package directory.
    static func localInstall(_ input: DriverInstallInput, tool: String) throws -> DriverInstallPlan? {
        guard let directory = input.request.packageDirectory, tool != "none" else { return nil }
        let suffix = tool == "apt" ? ".deb" : ".rpm"
        let files = input.localPackages.filter { $0.hasSuffix(suffix) }.map { "\(directory)/\($0)" }
        guard !files.isEmpty else {
            throw DriverInstallRefusal(
                "\(PropertyKeys.driverPackageDirectory) \(directory) holds no \(suffix) packages (found: \(input.localPackages.isEmpty ? "nothing" : input.localPackages.joined(separator: ", ")))")
        }
        let argv: [String]
        switch tool {
        case "apt":
            // Local files by path; --no-download makes a missing dependency an error instead of a fetch.
            argv = ["apt-get", "install", "-y", "--no-download", "--no-install-recommends", "-o", "Dpkg::Options::=--force-confold"] + files
        case "dnf":
            argv = ["dnf", "install", "-y", "--disablerepo=*"] + files
        default:
            argv = ["zypper", "--non-interactive", "--no-refresh", "install", "--auto-agree-with-licenses"] + files
        }
        // Local packages are what the template builder put there; whether they are signed is
        // theirs to know, so under Secure Boot only a signed route's names pass.
        let signed = files.contains { isSignedPackageFile($0) }
        return DriverInstallPlan(
            route: "local packages in \(directory) (air-gapped)", signed: signed, branch: nil, changes: [.run(step: step, argv)],
            notes: ["air-gapped: \(files.count) package\(files.count == 1 ? "" : "s") from \(directory); nothing is downloaded"])
    }

    /// The Secure Boot refusal: why, and the ways on (a signed route of this distribution from
    /// the route data, a Machine Owner Key, or Secure Boot off).
    public static func secureBootMessage(
        route: String, release: OSRelease, routes: [DriverRouteEntry] = DriverRouteCatalog.bundled
    ) -> String {
        var family = routes.filter { $0.distributions.contains(release.id) }
        if family.isEmpty {
            for like in release.idLike {
                family = routes.filter { $0.distributions.contains(like) }
                if !family.isEmpty { break }
            }
        }
        var signedRoutes: [String] = []
        for entry in family where !entry.signed.isEmpty && entry.serves(versionID: release.versionID) {
            let flavours = entry.signed.count == 2 ? "" : ", \(entry.signed.first!.rawValue) modules"
            let text = "\(entry.title) (route \(entry.route.rawValue)\(flavours))"
            if !signedRoutes.contains(text) { signedRoutes.append(text) }
        }
        let signedRoute =
            signedRoutes.isEmpty
            ? "a distribution release that ships signed NVIDIA modules (Ubuntu's precompiled modules, SUSE's signed KMP, RHEL 10.1's kmod-nvidia-open, AlmaLinux 10's nvidia-open-kmod)"
            : signedRoutes.joined(separator: " or ")
        // NVIDIA/yum-packaging-precompiled-kmod UEFI.md: the precompiled RHEL kmods are signed
        // with NVIDIA2019-public_key.der, which must be enrolled as a MOK before they load.
        let rhelFamily = !Set(release.lineage).isDisjoint(with: ["rhel", "centos", "rocky", "almalinux", "ol", "fedora", "amzn"])
        let nvidiaKey =
            rhelFamily
            ? " NVIDIA's precompiled kmod streams for RHEL are signed with NVIDIA's own key (NVIDIA2019-public_key.der in the repository), which the firmware does not trust either until it is enrolled as a Machine Owner Key (mokutil --import NVIDIA2019-public_key.der, confirmed in MokManager)."
            : ""
        return "Secure Boot is on, and \(route) installs kernel modules that no key the firmware trusts has signed: they would not load, so nothing was installed.\(nvidiaKey) "
            + "Either use \(signedRoute); or enroll a Machine Owner Key: create a key pair, run mokutil --import KEY.der, confirm the enrolment in MokManager on the console at the next boot, and have DKMS or the installer sign with it "
            + "(--module-signing-secret-key/--module-signing-public-key); or turn Secure Boot off for this VM (ESXi: VM Options > Boot Options > Secure Boot; Hyper-V: Set-VMFirmware -EnableSecureBoot Off)"
    }
}
