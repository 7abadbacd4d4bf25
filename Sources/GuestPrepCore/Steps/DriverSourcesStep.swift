import GuestPrepModel

/// Refreshes apt's package index before the driver step chooses its route, so that the
/// choice between Canonical's precompiled modules and DKMS is made from what the archive has
/// today, not from the index the template was built with. Other distributions' package
/// managers refresh on install; an air-gapped install (a package directory) downloads nothing.
public struct DriverSourcesStep: Step {
    public init() {}

    public let id = "driver-sources"
    public let stage = Stage.main
    public let frequency = StepFrequency.perInstance
    public let summary = "the package index refreshed (apt-get update) before the NVIDIA driver is chosen"

    public func plan(_ context: StepContext) throws -> StepPlan {
        let spec = context.spec
        guard DriverStep.wanted(spec), spec.driver.packageDirectory == nil, spec.driver.runfile == nil else {
            return StepPlan()
        }
        let release = try NouveauStep.osRelease(fs: context.fs).value
        guard release.lineage.contains(where: { $0 == "ubuntu" || $0 == "debian" }) else { return StepPlan() }
        return StepPlan(changes: [.run(step: id, ["apt-get", "update"])])
    }
}
