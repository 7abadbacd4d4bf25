import GuestPrepModel

/// What bears on an NVIDIA vGPU guest's licence: what the driver says of each GPU (when it was
/// asked) and the client configuration tokens installed. `GPUDoctor` reads it from
/// `GPUEnvironment.vgpu`.
public struct VGPUEnvironment: Sendable, Equatable {
    /// The driver's reports; nil when it was not asked (a root other than `/`) or did not answer.
    public var reports: [VGPUDriverReport]?
    /// Why the driver did not answer, when it was asked.
    public var driverProblem: String?
    /// The `*.tok` files in /etc/nvidia/ClientConfigToken/.
    public var tokens: [String]

    public init(reports: [VGPUDriverReport]? = nil, driverProblem: String? = nil, tokens: [String] = []) {
        self.reports = reports
        self.driverProblem = driverProblem
        self.tokens = tokens
    }

    /// Reads the tokens under the file system's root and, with a probe, asks the driver (no
    /// waiting: the doctor reports what is).
    public static func read(fs: any FileSystem, probe: (any VGPUProbe)?) -> VGPUEnvironment {
        var environment = VGPUEnvironment(tokens: (try? VGPULicenseStep.installedTokens(fs: fs)) ?? [])
        if let probe {
            do { environment.reports = try probe.vgpuReports(waitForLicense: 0) } catch { environment.driverProblem = "\(error)" }
        }
        return environment
    }
}
