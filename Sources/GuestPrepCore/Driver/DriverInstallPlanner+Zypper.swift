import GuestPrepConfig
import GuestPrepModel

/// SUSE: SUSE's signed open KMP of the `-cuda` flavour, which pairs with NVIDIA's CUDA
/// repository for the userspace (software.opensuse.org), for the running kernel's flavour; the
/// package generation (G06, G07) follows the branch.
extension DriverInstallPlanner {
    static func zypper(_ entry: DriverRouteEntry, _ input: DriverInstallInput) throws -> DriverInstallPlan {
        guard let kernel = input.kernelRelease else {
            throw DriverInstallRefusal("cannot tell the running kernel (/proc/sys/kernel/osrelease is missing), so not which KMP flavour fits it")
        }
        // 6.4.0-150600.23.25-default → default.
        let flavour = kernel.split(separator: "-").last.map(String.init) ?? ""
        guard entry.kernelFlavours.contains(flavour) else {
            throw DriverInstallRefusal(
                "the running kernel \(kernel) is of flavour '\(flavour)', and SUSE builds the NVIDIA KMP for \(entry.kernelFlavours.joined(separator: ", ")) only: boot one of those kernels, or give a runfile")
        }
        let branch = input.choice.branch
        guard let generation = entry.generations.last(where: { $0.fromBranch <= branch }) else {
            throw DriverInstallRefusal("\(entry.title) has no package generation for branch \(branch) (the first is \(entry.generations.first.map { "\($0.name) from \($0.fromBranch)" } ?? "none"))")
        }
        let flavor = input.choice.flavor
        let values = templateValues(input, extra: ["flavour": flavour, "generation": generation.name])
        let packages = try expand(entry.packages[flavor.rawValue] ?? [], values) + expand(entry.packages["common"] ?? [], values)
        var changes: [Change] = []
        if let repository = entry.repository {
            changes.append(cudaRepoFile(repository, values, path: "/etc/zypp/repos.d/guestprep-cuda.repo"))
        }
        changes.append(.run(step: step, ["zypper", "--non-interactive", "--gpg-auto-import-keys", "refresh"]))
        changes.append(.run(step: step, ["zypper", "--non-interactive", "install", "--auto-agree-with-licenses"] + packages))
        let repo = entry.repository.map { DriverRouteTemplate.expand($0.path, values) } ?? "the configured repositories"
        return DriverInstallPlan(
            route: entry.signed.contains(flavor) ? entry.title : "NVIDIA's SUSE KMP", signed: entry.signed.contains(flavor), branch: nil,
            changes: changes,
            notes: [
                "\(packages.joined(separator: " ")) from NVIDIA's \(repo) repository (\(generation.name), kernel flavour \(flavour)): the branch is the repository's current \(generation.name) release; verification compares it with branch \(branch)"
            ])
    }
}
