import GuestPrepConfig
import GuestPrepModel

/// dnf: NVIDIA's repository written as a repo file, the running kernel's headers, and the
/// driver with its branch held by a module stream (RHEL 8/9, Amazon Linux 2023) or by dnf
/// versionlock (RHEL 10, Fedora), or a distribution's own signed kmod (RHEL 10.1, AlmaLinux 10).
extension DriverInstallPlanner {
    static func dnf(_ entry: DriverRouteEntry, _ input: DriverInstallInput) throws -> DriverInstallPlan {
        let branch = input.choice.branch
        let flavor = input.choice.flavor
        let values = templateValues(input)
        var changes: [Change] = []
        var notes: [String] = []
        if let repository = entry.repository {
            changes.append(cudaRepoFile(repository, values))
            notes.append("NVIDIA's repository \(DriverRouteTemplate.expand(repository.path, values)) (key \(repository.key))")
        }
        let first = try expand(entry.prerequisites, values) + headers(entry, input, values)
        if !first.isEmpty { changes.append(.run(step: step, ["dnf", "install", "-y"] + first)) }
        let packages = try expand(entry.packages[flavor.rawValue] ?? [], values) + expand(entry.packages["common"] ?? [], values)
        switch entry.method {
        case .dnfModule:
            let stream = try expand([entry.moduleStream[flavor] ?? ""], values)[0]
            // NVIDIA Driver Installation Guide 620/kernel-modules.html: enable the branch's
            // stream, then install the flavour's meta-package.
            changes.append(.run(step: step, ["dnf", "module", "enable", "-y", "nvidia-driver:\(stream)"]))
            notes.append("branch held by the module stream nvidia-driver:\(stream)")
        default:
            if let lock = entry.lock {
                // NVIDIA Driver Installation Guide version-locking.html: lock every *nvidia*
                // package to the branch before installing (dnf 4 with the versionlock plugin,
                // dnf 5 built in; both take `versionlock add`).
                let pattern = try expand([lock], values)[0]
                changes.append(.run(step: step, ["dnf", "versionlock", "add", pattern]))
                notes.append("branch held by dnf versionlock add \(pattern)")
            }
        }
        changes.append(.run(step: step, ["dnf", "install", "-y"] + packages))
        let signed = entry.signed.contains(flavor)
        if signed { notes.append("\(packages.first ?? "the kmod") is built and signed by the distribution, so it loads under Secure Boot") }
        return DriverInstallPlan(route: entry.title, signed: signed, branch: branch, changes: changes, notes: notes)
    }
}
