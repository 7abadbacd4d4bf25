import GuestPrepConfig
import GuestPrepModel

/// The doctor's critical findings as health checks (`doctor`): a GPU missing from the PCI bus,
/// a BAR without an address, nouveau bound to a GPU, and the doctor's other critical findings,
/// each with the doctor's code in its evidence. No critical finding: one `doctor` pass.
public struct DoctorHealthSource: HealthSource {
    public let name = "GPU doctor"

    public init() {}

    public func evaluate(_ context: HealthContext) throws -> HealthOutcome {
        let environment = try GPUEnvironment.read(fs: context.fs)
        let role = context.profile.map { GPURole(profile: $0, source: "the profile") } ?? .unknown
        let doctor = GPUDoctor(
            environment: environment, models: GPUCatalog.models(deviceIDs: Set(environment.devices.map(\.deviceID))), role: role)
        return HealthOutcome(checks: Self.checks(doctor.findings()))
    }

    /// One critical check per critical finding, else one pass naming what was looked at.
    public static func checks(_ findings: [Finding]) -> [HealthCheck] {
        let critical = findings.filter { $0.level == .critical }
        guard !critical.isEmpty else {
            let warnings = findings.filter { $0.level == .warning }.count
            return [
                HealthCheck(
                    name: "doctor", level: .pass,
                    evidence: ["no critical doctor finding\(warnings > 0 ? " (\(warnings) warning(s): guestprep doctor)" : "")"])
            ]
        }
        return critical.map { finding in
            HealthCheck(
                name: "doctor", level: .critical, subject: finding.device?.description,
                evidence: ["doctor \(finding.code): \(finding.summary)"] + finding.evidence,
                fix: finding.fix.first ?? "see guestprep doctor")
        }
    }
}
