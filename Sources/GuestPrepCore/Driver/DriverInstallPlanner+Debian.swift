import GuestPrepConfig
import GuestPrepModel

/// Debian: its own packages (a fixed branch per release, from main, contrib, non-free and
/// non-free-firmware), or NVIDIA's apt repository with the branch held by a pinning package.
extension DriverInstallPlanner {
    static func debian(_ entry: DriverRouteEntry, _ input: DriverInstallInput) throws -> DriverInstallPlan {
        let version = input.release.versionID.map { String($0.prefix { $0.isNumber }) } ?? ""
        guard let own = entry.branch else { throw DriverInstallRefusal("the route data \(entry.name) has no branch") }
        if let requested = input.request.branch, requested != own {
            throw DriverInstallRefusal(
                "Debian \(version)'s own driver is branch \(own), not the \(requested) asked for: install cuda-keyring for NVIDIA's repository (route nvidia-repo), or give a runfile")
        }
        if own < input.constraints.minBranch || own > (input.constraints.maxBranch ?? own) {
            throw DriverInstallRefusal(
                "Debian \(version)'s own driver is branch \(own), which does not drive these GPUs (\(input.constraints.reasons.joined(separator: "; "))): install cuda-keyring for NVIDIA's repository (route nvidia-repo), or give a runfile")
        }
        let flavor = input.choice.flavor
        let values = templateValues(input, extra: ["branch": String(own)])
        let packages = try expand(entry.packages[flavor.rawValue] ?? [], values) + expand(entry.packages["common"] ?? [], values)
        let headers = try headers(entry, input, values)
        // Every component the route's packages and their dependencies come from (both kernel
        // packages pull in firmware-nvidia-gsp and nvidia-installer-cleanup), as the data lists.
        let needed = DriverRouteCatalogDecoder.debianComponentOrder.filter { component in
            entry.components.contains { $0.component == component }
        }
        let named = (packages + headers).map { package in entry.component(of: package).map { "\(package) (\($0))" } ?? package }
        let componentsText = "the APT sources need the components \(needed.joined(separator: " "))"
        if input.packageIndexPopulated {
            let missing = packages.filter { !input.packageAvailable($0) }
            if !missing.isEmpty {
                let lacking = missing.map { package in entry.component(of: package).map { "\(package) (\($0))" } ?? package }
                let components = Set(missing.compactMap { entry.component(of: $0) })
                throw DriverInstallRefusal(
                    "Debian \(version)'s own driver needs packages the package index does not have: \(lacking.joined(separator: ", ")). "
                        + "Add the component\(components.count == 1 ? "" : "s") \(needed.filter(components.contains).joined(separator: " ")) to the APT sources "
                        + "(Components: \(needed.joined(separator: " ")) in /etc/apt/sources.list.d/debian.sources, or the same words in /etc/apt/sources.list) and run apt-get update; "
                        + "or install cuda-keyring for NVIDIA's repository (route nvidia-repo)")
            }
        }
        return DriverInstallPlan(
            route: entry.title, signed: entry.signed.contains(flavor), branch: own, changes: [aptInstall(packages + headers)],
            notes: ["Debian \(version)'s own driver, branch \(own): \(named.joined(separator: ", ")); \(componentsText)"])
    }

    /// NVIDIA's apt repository (cuda-keyring installed): the branch's pinning package first, in a
    /// command of its own so that apt resolves the driver with the pin in force (without it
    /// cuda-drivers-580 pulls in 590: NVIDIA developer forum thread 353805), then the running
    /// kernel's headers (dkms only recommends them) and the driver.
    static func aptRepository(_ entry: DriverRouteEntry, _ input: DriverInstallInput) throws -> DriverInstallPlan {
        let branch = input.choice.branch
        let flavor = input.choice.flavor
        let values = templateValues(input)
        var templates = entry.packages
        if let later = entry.laterPackages, branch >= later.fromBranch { templates = later.packages }
        let packages = try expand(templates[flavor.rawValue] ?? [], values) + expand(templates["common"] ?? [], values)
        let lock = try entry.lock.map { try expand([$0], values) } ?? []
        let headers = try headers(entry, input, values)
        var changes: [Change] = []
        if !lock.isEmpty { changes.append(aptInstall(lock)) }
        changes.append(aptInstall(headers + packages))
        return DriverInstallPlan(
            route: entry.title, signed: entry.signed.contains(flavor), branch: branch, changes: changes,
            notes: ["NVIDIA's repository (cuda-keyring installed): branch \(branch) held by \(lock.joined(separator: " ")), then \(packages.joined(separator: " ")) with \(headers.joined(separator: " "))"])
    }
}
