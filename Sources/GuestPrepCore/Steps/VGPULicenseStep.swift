import GuestPrepConfig
import GuestPrepModel
import GuestPrepRender

/// Licenses an NVIDIA vGPU guest with the NVIDIA License System, as NVIDIA's client licensing
/// procedure for Linux does it: the client configuration token into /etc/nvidia/ClientConfigToken/,
/// `FeatureType` in /etc/nvidia/gridd.conf, then `systemctl restart nvidia-gridd`. The step
/// `vgpu-license-verify` then asks the driver whether the licence was granted.
///
/// It runs at every boot and acts only when something differs: a new token, another
/// FeatureType, a gridd.conf someone changed. Once guestprep has cleared the token from
/// guestinfo (secrets-clear), the installed token stands; with neither a token property nor an
/// installed token the step changes nothing and reports an error naming the key (the run ends
/// degraded, exit 1).
public struct VGPULicenseStep: Step {
    public init() {}

    public let id = VGPURules.licenseStep
    public let stage = Stage.main
    public let frequency = StepFrequency.everyBoot
    public let summary = "NVIDIA vGPU licensing: client configuration token, gridd.conf FeatureType, nvidia-gridd restarted"

    public static let tokenDirectory = "/etc/nvidia/ClientConfigToken"
    /// The name NVIDIA's GPU Operator gives the token in that directory
    /// (github.com/NVIDIA/gpu-operator, "Configure the Cluster with the vGPU License
    /// Information": "The file must be named client_configuration_token.tok").
    ///
    /// nvidia-gridd reads every token in that directory: NVIDIA's driver container copies the
    /// operator's token files there (`cp /drivers/ClientConfigToken/* /etc/nvidia/ClientConfigToken/`)
    /// and gridd.conf to /etc/nvidia/gridd.conf before it starts nvidia-gridd
    /// (NVIDIA/gpu-driver-container 06a208c, ubuntu22.04/nvidia-driver and rhel8/nvidia-driver).
    ///
    /// Mode 0600, root's, as every secret guestprep writes. NVIDIA's licensing guide asks for
    /// 0744 on the token (seen in guides that quote it; the guide itself not read); guestprep
    /// does not, because the only reader is nvidia-gridd and it runs as root: the driver
    /// container starts it from its root entry script, and nvidia-gridd.service as the driver
    /// installs it has no User= line (seen in `systemctl status` captures of the unit, not
    /// confirmed against the unit file). Root reads a 0600 file. Should a driver start it as
    /// another user, vgpu-license-verify fails with the licence not granted and points at
    /// nvidia-gridd's log, which names the token file it could not read.
    public static let tokenPath = tokenDirectory + "/client_configuration_token.tok"
    static let service = "nvidia-gridd.service"

    static let noToken = Diagnostic.error(
        PropertyKeys.vgpuClientConfigToken,
        "no NVIDIA License System client configuration token, so the vGPU cannot be licensed: give the text of the .tok file from the NVIDIA Licensing Portal or the DLS instance, or place the file in \(tokenDirectory)/ in the image")

    public func plan(_ context: StepContext) throws -> StepPlan {
        let fs = context.fs
        let licensing = context.spec.vgpu
        var changes: [Change] = []
        var diagnostics: [Diagnostic] = []
        if let token = licensing.clientConfigToken {
            if try fs.read(Self.tokenPath) != Array(token.reveal().utf8) {
                changes.append(.write(step: id, path: Self.tokenPath, text: token.reveal(), mode: 0o600, sensitive: true))
            }
        } else if try Self.installedTokens(fs: fs).isEmpty {
            // An error, not a thrown failure: the rest of the run goes on, and it ends degraded
            // (exit 1) naming the key, as a step that reports an error does.
            return StepPlan(diagnostics: [Self.noToken])
        } else {
            diagnostics.append(.info(PropertyKeys.vgpuClientConfigToken, "not given: the client configuration token installed in \(Self.tokenDirectory)/ is used"))
        }
        let current = try fs.readText(GriddConfRenderer.path)
        let base = try current ?? fs.readText(GriddConfRenderer.templatePath)
        let featureType = licensing.featureType ?? current.flatMap(GriddConfRenderer.featureType(in:)) ?? .vgpu
        let text = GriddConfRenderer.render(featureType: featureType, base: base)
        if text != current {
            changes.append(.write(step: id, path: GriddConfRenderer.path, text: text, mode: 0o644))
        }
        if !changes.isEmpty {
            changes.append(.run(step: id, ["systemctl", "restart", Self.service]))
        }
        diagnostics.append(.info(nil, "vGPU licensing: FeatureType=\(featureType.rawValue) (\(featureType.product)), nvidia-gridd \(changes.isEmpty ? "left running" : "restarted")"))
        return StepPlan(changes: changes, diagnostics: diagnostics, notes: ["vgpu: FeatureType=\(featureType.rawValue)"])
    }

    /// The client configuration tokens (`*.tok`) in `tokenDirectory`, by name.
    public static func installedTokens(fs: any FileSystem) throws -> [String] {
        ((try fs.list(tokenDirectory)) ?? []).filter { $0.hasSuffix(".tok") }.sorted()
    }
}
