import GuestPrepConfig
import GuestPrepModel

/// Installs the NVIDIA driver unattended, by the route `DriverInstallPlanner` chooses for the
/// distribution, the GPUs present and the request (profile defaults, overridden by
/// `install_nvidia_packages` and `guestinfo.guestprep.driver.*`).
///
/// Nothing half-done and never a driver that cannot load: every refusal (GPUs no single
/// driver drives, a branch they do not support, Secure Boot with unsigned modules, an unknown
/// distribution) happens while planning, before anything is installed. After the install the
/// `nvidia` module is loaded (`modprobe nvidia`), so a module that does not load fails the
/// step there; when another driver (an older `nvidia` or nouveau) holds the GPUs now, the step
/// asks for a reboot instead. A driver of the chosen branch and flavour already loaded is left
/// as it is.
public struct DriverStep: Step {
    public init() {}

    public let id = "driver"
    public let stage = Stage.main
    public let frequency = StepFrequency.perInstance
    public let summary = "the NVIDIA driver installed for the GPUs present (branch, open or proprietary modules, Secure Boot)"

    /// Whether the profile or install_nvidia_packages asks for the driver.
    static func wanted(_ spec: GuestSpec) -> Bool { spec.installNvidiaPackages ?? spec.driver.install ?? false }

    static let notWanted = Diagnostic.info(
        PropertyKeys.installNvidiaPackages,
        "the NVIDIA driver is not installed: neither the profile nor install_nvidia_packages asks for it")

    public func plan(_ context: StepContext) throws -> StepPlan {
        guard Self.wanted(context.spec) else { return StepPlan(diagnostics: [Self.notWanted]) }
        let request = context.spec.driver
        let facts = try DriverFacts.read(fs: context.fs)
        guard !facts.gpus.isEmpty else {
            throw DriverInstallRefusal(
                "no NVIDIA GPU is visible to this VM, so there is nothing to install a driver for: run guestprep doctor for what to fix on the hypervisor")
        }
        let input = try facts.installInput(request, fs: context.fs)
        var diagnostics: [Diagnostic] = []
        if !facts.unknownGPUs.isEmpty {
            diagnostics.append(
                .warning(nil, "GPU not in guestprep's catalog, so it did not constrain the driver: \(facts.unknownGPUs.joined(separator: ", "))"))
        }
        let choice = input.choice
        let install: DriverInstallPlan
        do {
            install = try DriverInstallPlanner.plan(input)
        } catch {
            // A driver of the chosen branch and flavour already loaded (the template had it)
            // needs no route, so no route's refusal applies to it.
            if let loaded = facts.loadedVersion, Self.branch(of: loaded) == choice.branch,
                facts.loadedOpen == (choice.flavor == .open)
            {
                return Self.alreadyLoaded(loaded, choice, diagnostics)
            }
            throw error
        }
        let branch = install.branch ?? choice.branch
        let described = "branch \(install.branch.map(String.init) ?? "(the repository's)"), \(choice.flavor.rawValue) kernel modules, by \(install.route)"
        if let loaded = facts.loadedVersion, Self.branch(of: loaded) == branch || install.branch == nil,
            facts.loadedOpen == (choice.flavor == .open)
        {
            return Self.alreadyLoaded(loaded, choice, diagnostics)
        }
        diagnostics.append(.info(nil, "NVIDIA driver: \(described)"))
        diagnostics += install.notes.map { .info(nil, $0) }
        if request.packageDirectory == nil, request.runfile == nil, input.release.lineage.contains(where: { $0 == "ubuntu" || $0 == "debian" }),
            !context.onHost
        {
            diagnostics.append(.info(nil, "the route was chosen from the package index as it is now; a run refreshes it first (step driver-sources)"))
        }
        var changes = install.changes
        var reboot = false
        if let holder = facts.loadedVersion.map({ "the nvidia module \($0)" }) ?? facts.nouveauLoaded.map({ "nouveau (\($0))" }) {
            reboot = true
            diagnostics.append(.info(nil, "\(holder) holds the GPUs now: the machine reboots after the install"))
        } else {
            changes.append(.run(step: id, ["modprobe", "nvidia"]))
        }
        return StepPlan(
            changes: changes, diagnostics: diagnostics, rebootAfter: reboot, notes: ["driver: \(described)"])
    }

    static func alreadyLoaded(_ version: String, _ choice: DriverSelection.Choice, _ diagnostics: [Diagnostic]) -> StepPlan {
        StepPlan(
            diagnostics: diagnostics + [.info(nil, "the NVIDIA driver \(version) (\(choice.flavor.rawValue) modules) is loaded: nothing to install")],
            notes: ["driver \(version) already loaded"])
    }

    /// 580 for `580.95.05`.
    static func branch(of version: String) -> Int? { Int(version.prefix { $0.isNumber }) }
}
