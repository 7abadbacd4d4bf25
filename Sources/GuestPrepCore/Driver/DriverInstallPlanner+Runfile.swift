import GuestPrepConfig
import GuestPrepModel

/// NVIDIA's .run installer, downloaded, checked against its SHA-256 and run silently: any
/// distribution, never under Secure Boot (its modules are unsigned).
extension DriverInstallPlanner {
    static func runfile(_ input: DriverInstallInput) throws -> DriverInstallPlan {
        guard let location = input.request.runfile, let sha256 = input.request.runfileSHA256 else {
            throw DriverInstallRefusal("route runfile needs \(PropertyKeys.driverRunfile) and \(PropertyKeys.driverRunfileSHA256)")
        }
        if input.secureBoot == true {
            throw DriverInstallRefusal(secureBootMessage(route: "NVIDIA's .run installer", release: input.release, routes: input.routes))
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
}
