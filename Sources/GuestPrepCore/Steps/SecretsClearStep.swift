import GuestPrepConfig
import GuestPrepModel

/// Clears the secrets guestprep has used from VMware guestinfo, as the user guide clears a
/// client's token (`info-set guestinfo.bitfusion.client.accesstoken` with no value): the access
/// token once the client holds its credential (client.yaml, from the archive or from the
/// client's own enrollment), the token archive and its location once installed, the NVIDIA vGPU
/// client configuration token once in /etc/nvidia/ClientConfigToken/, the vCenter
/// password once checked (this step runs after the steps that use them, and a failed step ends
/// the run before it). A secret in the OVF environment is cleared by writing
/// `guestinfo.ovfEnv` back without its property. Off with `guestinfo.guestprep.clear-after-use`.
///
/// vCenter keeps the vApp properties it put in the OVF environment and hands them in again at
/// the next power-on: clear the property in vCenter too (Edit Settings → vApp Options).
public struct SecretsClearStep: Step {
    public init() {}

    public let id = "secrets-clear"
    public let stage = Stage.main
    public let frequency = StepFrequency.everyBoot
    public let summary = "used secrets cleared from VMware guestinfo"

    public func plan(_ context: StepContext) throws -> StepPlan {
        let spec = context.spec
        guard let guestinfo = context.guestinfo, !guestinfo.isEmpty else { return StepPlan() }
        guard spec.clearSecrets else {
            return StepPlan(diagnostics: [.info(PropertyKeys.clearSecrets, "off: secrets stay in guestinfo")])
        }
        let consumed = try consumedSecrets(context)
        let cleared = guestinfo.clearing(consumed, step: id)
        let changes = cleared.changes
        var diagnostics: [Diagnostic] = []
        let listed = cleared.environmentKeys.joined(separator: ", ")
        if !cleared.environmentKeys.isEmpty && cleared.rewritten {
            diagnostics.append(
                .info(nil, "the OVF environment held \(listed): written back without them; vCenter hands its vApp properties in again at the next power-on, so clear them there too"))
        } else if !cleared.rewritten {
            diagnostics.append(
                .warning(nil, "the OVF environment holds \(listed), and guestprep could not rewrite it without them: clear them in vCenter (Edit Settings → vApp Options)"))
        }
        let waiting = Set(guestinfo.direct + guestinfo.inOVFEnvironment).subtracting(consumed)
        if waiting.contains(PropertyKeys.clientAccessToken) {
            diagnostics.append(
                .info(PropertyKeys.clientAccessToken, "kept in guestinfo until the Bitfusion client has enrolled with it (client.yaml exists)"))
        }
        return StepPlan(changes: changes, diagnostics: diagnostics)
    }

    /// The secret keys whose use is over.
    func consumedSecrets(_ context: StepContext) throws -> Set<String> {
        let spec = context.spec
        var keys = Set<String>()
        if spec.server != nil { keys.insert(PropertyKeys.vcenterPassword) }
        // The vGPU token once installed: the file holds exactly what guestinfo does.
        if let token = spec.vgpu.clientConfigToken, try context.fs.read(VGPULicenseStep.tokenPath) == Array(token.reveal().utf8) {
            keys.insert(PropertyKeys.vgpuClientConfigToken)
        }
        if let client = spec.client {
            if client.archive != nil {
                keys.formUnion([PropertyKeys.clientAccessToken, PropertyKeys.bitfusionTokenArchive, PropertyKeys.bitfusionTokenArchiveURL])
            } else if client.accessToken != nil {
                let accounts = try BitfusionAccounts.read(fs: context.fs)
                let users = (try? accounts.resolve(spec.bitfusion.users)) ?? []
                // Enrolled: a client.yaml of the user's own, not a link the user made.
                let enrolled = users.contains { user in
                    let path = BitfusionAccounts.directory(of: user) + "/client.yaml"
                    return (try? context.fs.readUnderHome(path, home: accounts.home(of: user), limit: 0)) != nil
                }
                if enrolled {
                    keys.insert(PropertyKeys.clientAccessToken)
                }
            }
        }
        return keys
    }
}
