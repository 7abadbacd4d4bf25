import GuestPrepConfig
import GuestPrepModel

/// Ubuntu: Canonical's precompiled, Canonical-signed modules when the package index has them for
/// the running kernel, else DKMS; the branch must be one Canonical still builds (not a
/// transitional package that installs another branch).
extension DriverInstallPlanner {
    static func ubuntu(_ entry: DriverRouteEntry, _ input: DriverInstallInput) throws -> DriverInstallPlan {
        let branch = input.choice.branch
        try checkUbuntuBranch(branch, entry, input)
        guard let kernel = input.kernelRelease else {
            throw DriverInstallRefusal("cannot tell the running kernel (/proc/sys/kernel/osrelease is missing), so not which precompiled modules fit it")
        }
        var values = templateValues(input)
        let precompiled = try expand(entry.packages["precompiled"] ?? [], values)
        let common = try expand(entry.packages["common"] ?? [], values)
        var notes: [String] = []
        if let modules = precompiled.first, input.packageAvailable(modules) {
            var packages = [modules]
            // The meta-package of the installed kernel meta follows kernel updates with matching
            // modules; ubuntu-drivers takes it from the linux-image-* meta, not from uname -r.
            if let suffix = kernelMetaSuffix(kernel: kernel, images: input.kernelImages) {
                values["meta"] = suffix
                let metas = try expand(entry.packages["precompiled-meta"] ?? [], values)
                let present = metas.filter(input.packageAvailable)
                packages += present
                if present.count < metas.count {
                    notes.append("no \(metas.filter { !present.contains($0) }.joined(separator: ", ")) in the package index: the modules will not follow kernel updates by themselves")
                }
            } else {
                notes.append("no installed linux-image-* meta-package depends on this kernel's image, so no modules meta-package follows kernel updates: reinstall the driver after a kernel update")
            }
            packages += precompiled.dropFirst() + common
            notes.insert("Canonical's precompiled modules for kernel \(kernel) (\(modules)), signed by Canonical", at: 0)
            return DriverInstallPlan(
                route: entry.title, signed: entry.signed.contains(input.choice.flavor), branch: branch,
                changes: [aptInstall(packages)], notes: notes)
        }
        notes.append("no precompiled modules for kernel \(kernel) in the package index (\(precompiled.first ?? "")): the modules are built by DKMS, with this kernel's headers")
        let packages = try expand(entry.packages["dkms"] ?? [], values) + common
        return DriverInstallPlan(route: "Ubuntu DKMS", signed: false, branch: branch, changes: [aptInstall(packages)], notes: notes)
    }

    /// Refuses a branch whose -server packages are transitional (they install another branch, so
    /// the branch asked for would never be the one installed) or that Canonical does not build.
    static func checkUbuntuBranch(_ branch: Int, _ entry: DriverRouteEntry, _ input: DriverInstallInput) throws {
        guard let live = entry.liveBranches, !live.contains(branch) else { return }
        let liveText = live.map { "\($0)" }.joined(separator: ", ")
        let where_ = input.release.displayName
        if var target = entry.transitional[branch] {
            // Follow the chain (550 → 570 → 580) to the branch really installed.
            var seen: Set<Int> = [branch]
            while let next = entry.transitional[target], !seen.contains(next) {
                seen.insert(target)
                target = next
            }
            throw DriverInstallRefusal(
                "on \(where_) the \(branch)-server packages are transitional: they install branch \(target), not \(branch), so guestprep does not install them as \(branch). "
                    + "Ask for branch \(target) (\(PropertyKeys.driverBranch)), or another live -server branch (\(liveText))")
        }
        throw DriverInstallRefusal(
            "\(where_) has no \(branch)-server driver packages: the live -server branches are \(liveText) (\(PropertyKeys.driverBranch))")
    }

    /// The suffix of the installed kernel meta-package (`generic-hwe-22.04` of
    /// `linux-image-generic-hwe-22.04`), chosen as ubuntu-drivers does
    /// (canonical/ubuntu-drivers-common UbuntuDrivers/kerneldetection.py and detect.py
    /// get_linux_modules_metapackage): the installed `linux-image-*` meta-packages that depend on
    /// a kernel image (here: the running one's, else one of its flavour), the greatest name;
    /// `virtual` reads as `generic`. Nil when none is installed.
    static func kernelMetaSuffix(kernel: String, images: [InstalledPackage]) -> String? {
        let running = "linux-image-\(kernel)"
        let flavour = kernelFlavour(kernel)
        func isABIImage(_ name: String) -> Bool {
            // linux-image-[unsigned-]X.Y.Z-N-FLAVOUR
            let rest = name.dropFirst("linux-image-".count)
            let body = rest.hasPrefix("unsigned-") ? rest.dropFirst("unsigned-".count) : rest
            return body.first?.isNumber == true
        }
        let metas = images.filter { $0.name.hasPrefix("linux-image-") && !isABIImage($0.name) && !$0.name.contains("extra") }
        var chosen = metas.filter { $0.depends.contains(running) }
        if chosen.isEmpty, let flavour {
            chosen = metas.filter { meta in meta.depends.contains { isABIImage($0) && $0.hasSuffix("-\(flavour)") } }
        }
        guard let best = chosen.map(\.name).max() else { return nil }
        let suffix = String(best.dropFirst("linux-image-".count))
        return suffix == "virtual" ? "generic" : suffix
    }

    /// `generic` for `6.8.0-45-generic`: what follows the ABI number.
    static func kernelFlavour(_ release: String) -> String? {
        let parts = release.split(separator: "-", maxSplits: 2)
        return parts.count == 3 ? String(parts[2]) : nil
    }
}
