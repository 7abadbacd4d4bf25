import GuestPrepConfig
import GuestPrepModel

/// Verifies at every boot that the NVIDIA driver drives every GPU the PCI scan finds, with
/// persistence mode on and of the branch chosen, by asking the driver (NVML, else nvidia-smi).
/// A failure fails the step, naming each GPU and the doctor's likely cause. It changes
/// nothing; with a root other than `/` there is no driver to ask and it says so.
public struct DriverVerifyStep: Step {
    public init() {}

    public let id = "driver-verify"
    public let stage = Stage.main
    public let frequency = StepFrequency.everyBoot
    public let summary = "the driver sees every GPU on the PCI bus, persistence mode on, the branch chosen"

    /// Why verification failed.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public func plan(_ context: StepContext) throws -> StepPlan {
        let spec = context.spec
        guard DriverStep.wanted(spec) else { return StepPlan() }
        guard let probe = context.driverProbe else {
            return StepPlan(diagnostics: [.info(nil, "the driver is verified only on the running system (--root is not /)")])
        }
        let fs = context.fs
        let facts = try DriverFacts.read(fs: fs)
        let query: DriverQuery
        do { query = try probe.query() } catch {
            throw Failure(description: "\(error)\(try Self.causes(fs: fs))")
        }
        // The branch the route installs: the same choice the driver step made.
        let branch = (try? DriverInstallPlanner.plan(facts.installInput(spec.driver, fs: fs)).branch) ?? nil
        let persistence = spec.driver.persistence ?? true
        // Every boot runs this: the doctor (a second PCI scan, the kernel log) only words a
        // failure, so it is read only when there is one.
        let found = DriverVerifier.problems(
            scanned: facts.gpus, query: query, branch: branch, persistence: persistence, findings: [],
            label: { "\($0.address)" })
        guard found.isEmpty else {
            let doctor = GPUDoctor(environment: try GPUEnvironment.read(fs: fs))
            let problems = DriverVerifier.problems(
                scanned: facts.gpus, query: query, branch: branch, persistence: persistence, findings: doctor.findings(),
                label: doctor.label)
            throw Failure(description: problems.joined(separator: "; "))
        }
        return StepPlan(
            diagnostics: [
                .info(nil, "driver \(query.driverVersion) (\(query.source)) drives \(query.gpus.count) GPU\(query.gpus.count == 1 ? "" : "s") with persistence mode \(query.gpus.allSatisfy(\.persistenceMode) ? "on" : "as set")")
            ])
    }

    /// The doctor's critical findings, as the likely cause of a driver that does not answer.
    static func causes(fs: any FileSystem) throws -> String {
        let doctor = GPUDoctor(environment: try GPUEnvironment.read(fs: fs))
        let critical = doctor.findings().filter { $0.level == .critical }
        guard !critical.isEmpty else { return "" }
        return "; likely cause: " + critical.map { "\($0.code): \($0.summary)" }.joined(separator: "; ")
    }
}
