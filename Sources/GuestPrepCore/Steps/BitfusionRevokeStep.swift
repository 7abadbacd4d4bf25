import GuestPrepConfig
import GuestPrepModel

/// The user guide's fix for a deleted client that can still ask for GPUs: its client.yaml and
/// servers.conf go (for each Bitfusion user), guestprep's enrollment record goes, and the access
/// token is cleared from guestinfo (`info-set guestinfo.bitfusion.client.accesstoken` with no
/// value; from the OVF environment too). Run by `guestprep revoke-client` only.
public struct BitfusionRevokeStep: Step {
    public init() {}

    public let id = "bitfusion-revoke"
    public let stage = Stage.main
    public let frequency = StepFrequency.everyBoot
    public let summary = "the client's local files and its token in guestinfo removed"

    public func plan(_ context: StepContext) throws -> StepPlan {
        let fs = context.fs
        let accounts = try BitfusionAccounts.read(fs: fs)
        let users = try accounts.resolve(context.spec.bitfusion.users)
        var changes: [Change] = []
        for user in users {
            // A link the user made is removed itself (never followed); a ~/.bitfusion that is
            // a link is refused.
            try accounts.checkDirectory(of: user, fs: fs, operation: "delete")
            let directory = BitfusionAccounts.directory(of: user)
            for name in ["client.yaml", "servers.conf"] where fs.linkOrEntryExists(directory + "/" + name) {
                changes.append(.delete(step: id, path: directory + "/" + name, home: accounts.home(of: user)))
            }
        }
        if fs.exists(BitfusionClientStep.recordPath) { changes.append(.delete(step: id, path: BitfusionClientStep.recordPath)) }
        var diagnostics: [Diagnostic] = []
        let tokenKeys: Set<String> = [
            PropertyKeys.clientAccessToken, PropertyKeys.bitfusionTokenArchive, PropertyKeys.bitfusionTokenArchiveURL,
            PropertyKeys.bitfusionTokenArchiveSHA256,
        ]
        if let guestinfo = context.guestinfo {
            changes += guestinfo.clearing(tokenKeys, step: id).changes
        } else {
            diagnostics.append(
                .warning(nil, "VMware guestinfo was not read (--source): the access token there is not cleared; run with --source vmware, or clear it with vmware-rpctool 'info-set \(PropertyKeys.clientAccessToken)'"))
        }
        diagnostics.append(
            .info(nil, "if the client was enabled with a token made in the vSphere Bitfusion plugin, revoke that token there too"))
        return StepPlan(changes: changes, diagnostics: diagnostics)
    }
}
