import GuestPrepConfig
import GuestPrepModel

/// Verifies at every boot that each vGPU the driver sees holds a licence, by asking the driver
/// (NVML's licensable features: the licensed product and its state, which NVIDIA's guide checks
/// in `nvidia-smi -q`'s "vGPU Software Licensed Product" section). nvidia-gridd acquires the licence after it starts, so an unlicensed vGPU is
/// asked about again each second for up to `wait` seconds before the step fails. It changes
/// nothing; with a root other than `/` there is no driver to ask and it says so.
public struct VGPULicenseVerifyStep: Step {
    /// How long to wait for nvidia-gridd to acquire the licence.
    public let wait: Int

    public init(wait: Int = 60) { self.wait = wait }

    public let id = "vgpu-license-verify"
    public let stage = Stage.main
    public let frequency = StepFrequency.everyBoot
    public let summary = "every vGPU licensed (NVML's licensable features)"

    /// Why verification failed.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public func plan(_ context: StepContext) throws -> StepPlan {
        guard let probe = context.driverProbe as? any VGPUProbe else {
            return StepPlan(diagnostics: [.info(nil, "the vGPU licence is verified only on the running system (--root is not /)")])
        }
        let reports: [VGPUDriverReport]
        do { reports = try probe.vgpuReports(waitForLicense: wait) } catch {
            throw Failure(description: "the vGPU licence cannot be verified: \(error)")
        }
        let vgpus = reports.filter { $0.mode == .vgpu }
        guard !vgpus.isEmpty else {
            throw Failure(
                description: "the driver sees no vGPU (\(reports.map { "\($0.address) \($0.name): \(Self.modeText($0.mode))" }.joined(separator: ", ").nonEmpty ?? "no GPU")): the vgpu-guest profile is for VMs given an NVIDIA vGPU; a whole GPU passed through takes the gpu-passthrough profile")
        }
        let problems = Self.problems(vgpus, waited: wait)
        guard problems.isEmpty else { throw Failure(description: problems.joined(separator: "; ")) }
        return StepPlan(
            diagnostics: vgpus.map { .info(nil, "vGPU \($0.address) (\($0.name)) licensed: \($0.license?.product ?? "licensed product not named")") })
    }

    /// What is wrong with each vGPU's licence, in words; empty when each holds one.
    static func problems(_ vgpus: [VGPUDriverReport], waited: Int) -> [String] {
        vgpus.compactMap { report in
            switch report.license?.licensed {
            case true?: nil
            case false?:
                "vGPU \(report.address) (\(report.name)) is not licensed after \(waited) s: see `journalctl -u nvidia-gridd` (it names the token and the license service it tried), check that the license service in the token is reachable from this VM and has a licence free for \(report.license?.product ?? "this vGPU type")"
            case nil:
                "vGPU \(report.address) (\(report.name)): the driver does not report vGPU software licensing, so the licence cannot be verified: is the guest driver NVIDIA's vGPU (GRID) guest driver, of the host's vGPU software release?"
            }
        }
    }

    static func modeText(_ mode: GPUVirtualizationMode?) -> String {
        switch mode {
        case .vgpu?: "vGPU"
        case .passthrough?: "passthrough"
        case .bareMetal?: "bare metal"
        case .hostVGPU?, .hostVSGA?: "hypervisor side"
        case nil: "mode unknown"
        }
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
