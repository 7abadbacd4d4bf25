import GuestPrepConfig
import GuestPrepModel

/// What the driver route is chosen from: values read from the guest by `DriverStep`, so the
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
    /// The file names in `request.packageDirectory`, sorted; empty without one.
    public var localPackages: [String]
    /// Files that exist on the guest, for the checks that depend on them (a keyring, a repo
    /// file, dkms).
    public var existing: Set<String>

    public init(
        release: OSRelease, kernelRelease: String?, choice: DriverSelection.Choice,
        constraints: DriverSelection.Constraints = DriverSelection.Constraints(requiredFlavor: nil, maxBranch: nil, reasons: []),
        secureBoot: Bool?,
        request: DriverRequest, packageAvailable: @escaping @Sendable (String) -> Bool = { _ in false },
        localPackages: [String] = [], existing: Set<String> = []
    ) {
        self.release = release
        self.kernelRelease = kernelRelease
        self.choice = choice
        self.constraints = constraints
        self.secureBoot = secureBoot
        self.request = request
        self.packageAvailable = packageAvailable
        self.localPackages = localPackages
        self.existing = existing
    }
}

/// The route chosen and the changes that install the driver by it.
public struct DriverInstallPlan: Sendable, Equatable {
    /// The route in words (`Ubuntu precompiled signed modules`).
    public var route: String
    /// Whether the kernel modules it installs are signed by a key Secure Boot trusts.
    public var signed: Bool
    /// The branch it installs, when the route pins one (a distribution's own branch can differ
    /// from the one chosen; SUSE's G06 packages follow the repository): verification checks it.
    public var branch: Int?
    public var changes: [Change]
    /// One line per fact worth showing: why this route, what it installs.
    public var notes: [String]
}

/// Why the driver cannot be installed as asked; nothing has been changed.
public struct DriverInstallRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Chooses how to install the NVIDIA driver on a distribution and plans it as argv changes.
/// Pure: every fact about the guest is in `DriverInstallInput`.
public enum DriverInstallPlanner {
    static let step = "driver"
    /// Where downloaded installers are kept (0700, root only).
    public static let downloadDirectory = "/var/lib/guestprep/downloads"
    /// NVIDIA's CUDA repositories, which carry the driver packages.
    static let cudaRepositories = "https://developer.download.nvidia.com/compute/cuda/repos"
    /// The keyring the `cuda-keyring` package installs for NVIDIA's apt repository.
    public static let cudaKeyring = "/usr/share/keyrings/cuda-archive-keyring.gpg"
    /// Debian's own driver branch per release (non-free): 12 bookworm 535, 13 trixie 550.
    static let debianBranches = ["12": 535, "13": 550]

    public static func plan(_ input: DriverInstallInput) throws -> DriverInstallPlan {
        let request = input.request
        if request.route == .runfile || (request.route ?? .auto == .auto && request.runfile != nil) {
            return try runfile(input)
        }
        let lineage = input.release.lineage
        var plan: DriverInstallPlan
        if lineage.contains("ubuntu") {
            plan = try ubuntu(input)
        } else if lineage.contains("debian") {
            plan = try debian(input)
        } else if input.release.id == "fedora" {
            plan = try fedora(input)
        } else if !Set(lineage).isDisjoint(with: ["rhel", "centos", "rocky", "almalinux", "ol"]) {
            plan = try rhel(input)
        } else if !Set(lineage).isDisjoint(with: ["sles", "suse", "opensuse", "opensuse-leap"]) {
            plan = try suse(input)
        } else {
            throw DriverInstallRefusal(
                "guestprep has no package route for \(input.release.displayName) (ID=\(input.release.id)): give NVIDIA's .run installer with \(PropertyKeys.driverRunfile) and \(PropertyKeys.driverRunfileSHA256)")
        }
        if input.secureBoot == true && !plan.signed {
            throw DriverInstallRefusal(secureBootMessage(route: plan.route, release: input.release))
        }
        if input.secureBoot == true { plan.notes.append("Secure Boot is on: the modules of this route are signed") }
        return plan
    }

    // MARK: - Routes

    static func ubuntu(_ input: DriverInstallInput) throws -> DriverInstallPlan {
        try refuseRoute(.nvidiaRepo, input, "on Ubuntu guestprep installs Canonical's packages (route distro)")
        let branch = input.choice.branch
        let open = input.choice.flavor == .open ? "-open" : ""
        let series = "\(branch)-server\(open)"
        if let local = try localInstall(input, tool: "apt") { return local }
        var notes: [String] = []
        guard let kernel = input.kernelRelease else {
            throw DriverInstallRefusal("cannot tell the running kernel (/proc/sys/kernel/osrelease is missing), so not which precompiled modules fit it")
        }
        let precompiled = "linux-modules-nvidia-\(series)-\(kernel)"
        if input.packageAvailable(precompiled) {
            var packages = [precompiled]
            // The flavour's meta-package follows kernel updates with matching modules.
            if let flavour = kernelFlavour(kernel), input.packageAvailable("linux-modules-nvidia-\(series)-\(flavour)") {
                packages.append("linux-modules-nvidia-\(series)-\(flavour)")
            }
            packages += ["nvidia-headless-no-dkms-\(series)", "nvidia-utils-\(branch)-server"]
            notes.append("Canonical's precompiled modules for kernel \(kernel) (\(precompiled)), signed by Canonical")
            return DriverInstallPlan(
                route: "Ubuntu precompiled signed modules", signed: true, branch: branch,
                changes: [aptInstall(packages)], notes: notes)
        }
        notes.append("no precompiled modules for kernel \(kernel) in the package index (\(precompiled)): the modules are built by DKMS")
        return DriverInstallPlan(
            route: "Ubuntu DKMS", signed: false, branch: branch,
            changes: [aptInstall(["nvidia-headless-\(series)", "nvidia-utils-\(branch)-server"])], notes: notes)
    }

    static func debian(_ input: DriverInstallInput) throws -> DriverInstallPlan {
        if let local = try localInstall(input, tool: "apt") { return local }
        let branch = input.choice.branch
        let open = input.choice.flavor == .open
        let useRepo = input.request.route == .nvidiaRepo
            || (input.request.route ?? .auto == .auto && input.existing.contains(cudaKeyring))
        if useRepo {
            guard input.existing.contains(cudaKeyring) else {
                throw DriverInstallRefusal(
                    "NVIDIA's apt repository needs its keyring (\(cudaKeyring), from the cuda-keyring package): install cuda-keyring in the template, or use route distro (Debian's non-free nvidia-driver)")
            }
            // From branch 590 the packages drop the branch from their names and a pinning
            // package holds the branch.
            let packages =
                branch >= 590
                ? ["nvidia-driver-pinning-\(branch)", open ? "nvidia-open" : "cuda-drivers"]
                : [open ? "nvidia-open-\(branch)" : "cuda-drivers-\(branch)"]
            return DriverInstallPlan(
                route: "NVIDIA's apt repository (DKMS)", signed: false, branch: branch,
                changes: [aptInstall(packages)],
                notes: ["NVIDIA's repository (cuda-keyring installed): \(packages.joined(separator: " "))"])
        }
        let version = input.release.versionID.map { String($0.prefix { $0.isNumber }) } ?? ""
        guard let own = debianBranches[version] else {
            throw DriverInstallRefusal(
                "guestprep knows Debian's own driver branch only for Debian \(debianBranches.keys.sorted().joined(separator: " and ")), not VERSION_ID=\(input.release.versionID ?? "(none)"): install cuda-keyring for NVIDIA's repository, or give a runfile")
        }
        if let requested = input.request.branch, requested != own {
            throw DriverInstallRefusal(
                "Debian \(version)'s non-free driver is branch \(own), not the \(requested) asked for: install cuda-keyring for NVIDIA's repository (route nvidia-repo), or give a runfile")
        }
        if own < input.constraints.minBranch || own > (input.constraints.maxBranch ?? own) {
            throw DriverInstallRefusal(
                "Debian \(version)'s non-free driver is branch \(own), which does not drive these GPUs (\(input.constraints.reasons.joined(separator: "; "))): install cuda-keyring for NVIDIA's repository (route nvidia-repo), or give a runfile")
        }
        let packages =
            (open ? ["nvidia-open-kernel-dkms", "firmware-nvidia-gsp"] : ["nvidia-kernel-dkms"])
            + ["nvidia-smi", "nvidia-persistenced", "libcuda1", "linux-headers-\(input.kernelRelease ?? "amd64")"]
        return DriverInstallPlan(
            route: "Debian non-free (DKMS)", signed: false, branch: own, changes: [aptInstall(packages)],
            notes: ["Debian \(version)'s own driver, branch \(own) (needs the non-free and non-free-firmware components)"])
    }

    static func rhel(_ input: DriverInstallInput) throws -> DriverInstallPlan {
        try refuseRoute(.distro, input, "RHEL and its rebuilds ship no NVIDIA driver: use route nvidia-repo (the default) or a runfile")
        if let local = try localInstall(input, tool: "dnf") { return local }
        let major = input.release.versionID.map { String($0.prefix { $0.isNumber }) } ?? ""
        guard ["8", "9", "10"].contains(major) else {
            throw DriverInstallRefusal("NVIDIA's repository serves RHEL 8, 9 and 10, not VERSION_ID=\(input.release.versionID ?? "(none)")")
        }
        guard input.existing.contains("/etc/yum.repos.d/epel.repo") else {
            throw DriverInstallRefusal(
                "the DKMS modules of NVIDIA's repository need dkms from EPEL, and /etc/yum.repos.d/epel.repo is missing: enable EPEL (and CRB) in the template")
        }
        let branch = input.choice.branch
        let open = input.choice.flavor == .open
        var changes = [cudaRepoFile(distro: "rhel\(major)")]
        changes.append(.run(step: step, ["dnf", "install", "-y", "kernel-devel-\(input.kernelRelease ?? "")", "kernel-headers-\(input.kernelRelease ?? "")"]))
        if major == "10" {
            // RHEL 10 has no module streams; the pinning package holds the branch.
            changes.append(.run(step: step, ["dnf", "install", "-y", "nvidia-driver-pinning-\(branch)", open ? "nvidia-open" : "cuda-drivers"]))
        } else {
            let stream = open ? "\(branch)-open" : "\(branch)-dkms"
            changes.append(.run(step: step, ["dnf", "module", "install", "-y", "nvidia-driver:\(stream)"]))
        }
        return DriverInstallPlan(
            route: "NVIDIA's dnf repository (DKMS)", signed: false, branch: branch, changes: changes,
            notes: ["NVIDIA's repository for RHEL \(major); \(major == "10" ? "branch pinned by nvidia-driver-pinning-\(branch)" : "module stream nvidia-driver:\(open ? "\(branch)-open" : "\(branch)-dkms")")"])
    }

    static func fedora(_ input: DriverInstallInput) throws -> DriverInstallPlan {
        try refuseRoute(.distro, input, "Fedora's own packages (RPM Fusion) are not a guestprep route: use route nvidia-repo (the default) or a runfile")
        if let local = try localInstall(input, tool: "dnf") { return local }
        let version = input.release.versionID ?? ""
        let branch = input.choice.branch
        let open = input.choice.flavor == .open
        return DriverInstallPlan(
            route: "NVIDIA's dnf repository (DKMS)", signed: false, branch: branch,
            changes: [
                cudaRepoFile(distro: "fedora\(version)"),
                .run(step: step, ["dnf", "install", "-y", "nvidia-driver-pinning-\(branch)", open ? "nvidia-open" : "cuda-drivers"]),
            ],
            notes: ["NVIDIA's repository for Fedora \(version), branch pinned by nvidia-driver-pinning-\(branch)"])
    }

    static func suse(_ input: DriverInstallInput) throws -> DriverInstallPlan {
        if let local = try localInstall(input, tool: "zypper") { return local }
        let open = input.choice.flavor == .open
        // SUSE signs the open KMP with its own key, which shim trusts; the proprietary KMP
        // from NVIDIA's repository is not signed by it.
        let kmp = open ? "nvidia-open-driver-G06-signed-kmp-default" : "nvidia-driver-G06-kmp-default"
        return DriverInstallPlan(
            route: open ? "SUSE signed KMP" : "NVIDIA's SUSE KMP", signed: open, branch: nil,
            changes: [
                cudaRepoFile(distro: "sles15", path: "/etc/zypp/repos.d/guestprep-cuda.repo"),
                .run(step: step, ["zypper", "--non-interactive", "--gpg-auto-import-keys", "refresh"]),
                .run(step: step, ["zypper", "--non-interactive", "install", "--auto-agree-with-licenses", kmp, "nvidia-compute-utils-G06"]),
            ],
            notes: [
                "\(kmp) with nvidia-compute-utils-G06: the branch is the repository's current G06 release; verification compares it with branch \(input.choice.branch)"
            ])
    }

    static func runfile(_ input: DriverInstallInput) throws -> DriverInstallPlan {
        guard let location = input.request.runfile, let sha256 = input.request.runfileSHA256 else {
            throw DriverInstallRefusal("route runfile needs \(PropertyKeys.driverRunfile) and \(PropertyKeys.driverRunfileSHA256)")
        }
        if input.secureBoot == true {
            throw DriverInstallRefusal(secureBootMessage(route: "NVIDIA's .run installer", release: input.release))
        }
        let name = runfileName(location)
        let path = "\(downloadDirectory)/\(name)"
        let url = location.hasPrefix("/") ? "file://" + location : location
        var arguments = ["--silent", "--no-questions"]
        // From branch 560 the flavour is chosen by --kernel-module-type; before, -m=kernel-open
        // chose the open modules and the proprietary ones were the default.
        if input.choice.branch >= 560 {
            arguments.append("--kernel-module-type=\(input.choice.flavor.rawValue)")
        } else if input.choice.flavor == .open {
            arguments.append("-m=kernel-open")
        }
        var notes = ["NVIDIA's .run installer \(name), verified against its SHA-256 before it runs"]
        if input.existing.contains("/usr/sbin/dkms") || input.existing.contains("/usr/bin/dkms") {
            arguments.append("--dkms")
            notes.append("registered with DKMS, so kernel updates rebuild the modules")
        } else {
            notes.append("dkms is not installed: the modules are built for this kernel only; a kernel update needs the installer again")
        }
        return DriverInstallPlan(
            route: "NVIDIA's .run installer", signed: false, branch: runfileBranch(location) ?? input.choice.branch,
            changes: [
                Change(step: step, action: .download(url: url, path: path, sha256: sha256, caFile: input.request.caFile, mode: 0o700)),
                .run(step: step, [path] + arguments),
            ],
            notes: notes)
    }

    // MARK: - Helpers

    /// The installer's file name, from the last path component of its URL or path; a name
    /// outside `[A-Za-z0-9._-]` becomes `NVIDIA-driver.run`.
    public static func runfileName(_ location: String) -> String {
        var text = Substring(location)
        if let query = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = text[..<query] }
        // A URL's path starts after its host: https://host/ has no file name.
        if let scheme = text.firstRange(of: "://") {
            let afterHost = text[scheme.upperBound...]
            text = afterHost.firstIndex(of: "/").map { afterHost[$0...] } ?? ""
        }
        let last = text.split(separator: "/").last.map(String.init) ?? ""
        let safe = !last.isEmpty && last.first != "." && last.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
        return safe ? last : "NVIDIA-driver.run"
    }

    /// The branch in a runfile's name (`NVIDIA-Linux-x86_64-580.95.05.run` → 580), if any.
    public static func runfileBranch(_ location: String) -> Int? {
        let name = runfileName(location)
        guard name.hasPrefix("NVIDIA-Linux-"), let dash = name.lastIndex(of: "-") else { return nil }
        return Int(name[name.index(after: dash)...].prefix { $0.isNumber })
    }

    /// `generic` for `6.8.0-45-generic`: what follows the ABI number.
    static func kernelFlavour(_ release: String) -> String? {
        let parts = release.split(separator: "-", maxSplits: 2)
        return parts.count == 3 ? String(parts[2]) : nil
    }

    static func aptInstall(_ packages: [String]) -> Change {
        .run(step: step, ["apt-get", "install", "-y", "--no-install-recommends", "-o", "Dpkg::Options::=--force-confold"] + packages)
    }

    /// NVIDIA's CUDA repository for `distro` (`rhel9`, `fedora42`, `sles15`) as a repo file,
    /// written rather than fetched, so the plan shows it.
    static func cudaRepoFile(distro: String, path: String? = nil) -> Change {
        let base = "\(cudaRepositories)/\(distro)/x86_64"
        let text = """
            # Written by guestprep: NVIDIA's CUDA repository, which carries the driver.
            [cuda-\(distro)-x86_64]
            name=cuda-\(distro)-x86_64
            baseurl=\(base)
            enabled=1
            gpgcheck=1
            gpgkey=\(base)/D42D0685.pub

            """
        return .write(step: step, path: path ?? "/etc/yum.repos.d/cuda-\(distro).repo", text: text)
    }

    /// Air-gapped: the packages in the local directory, installed with every remote
    /// repository left out, so nothing is downloaded. Nil without a package directory.
    static func localInstall(_ input: DriverInstallInput, tool: String) throws -> DriverInstallPlan? {
        guard let directory = input.request.packageDirectory else { return nil }
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
        let signedNames = ["linux-modules-nvidia-", "nvidia-open-driver-G06-signed"]
        let signed = files.contains { file in signedNames.contains { file.contains($0) } }
        return DriverInstallPlan(
            route: "local packages in \(directory) (air-gapped)", signed: signed, branch: nil, changes: [.run(step: step, argv)],
            notes: ["air-gapped: \(files.count) package\(files.count == 1 ? "" : "s") from \(directory); nothing is downloaded"])
    }

    static func refuseRoute(_ route: DriverRoute, _ input: DriverInstallInput, _ why: String) throws {
        if input.request.route == route {
            throw DriverInstallRefusal("\(PropertyKeys.driverRoute) '\(route.rawValue)' does not apply here: \(why)")
        }
    }

    /// The Secure Boot refusal: why, and the three ways on.
    public static func secureBootMessage(route: String, release: OSRelease) -> String {
        let signedRoute =
            release.lineage.contains("ubuntu")
            ? "Canonical's precompiled signed modules (route distro; they exist for Ubuntu's own kernels)"
            : release.lineage.contains { ["sles", "suse", "opensuse", "opensuse-leap"].contains($0) }
                ? "SUSE's signed open KMP (route distro with the open modules)"
                : "a distribution that ships signed NVIDIA modules (Ubuntu, SUSE)"
        return "Secure Boot is on, and \(route) installs kernel modules that no key the firmware trusts has signed: they would not load, so nothing was installed. "
            + "Either use \(signedRoute); or enroll a Machine Owner Key: create a key pair, run mokutil --import KEY.der, confirm the enrolment in MokManager on the console at the next boot, and have DKMS or the installer sign with it "
            + "(--module-signing-secret-key/--module-signing-public-key); or turn Secure Boot off for this VM (ESXi: VM Options > Boot Options > Secure Boot; Hyper-V: Set-VMFirmware -EnableSecureBoot Off)"
    }
}
