import ArgumentParser
import GuestPrepCore

/// `guestprep revoke-client`: the user guide's fix for a deleted client that can still ask for GPUs.
struct RevokeClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke-client",
        abstract: "Remove the Bitfusion client's local files and clear its access token from guestinfo.",
        discussion: """
            Removes ~/.bitfusion/client.yaml and servers.conf of each Bitfusion user and clears \
            guestinfo.bitfusion.client.accesstoken (and guestprep's token archive keys), so a \
            client deleted from the cluster can no longer ask for GPUs. Revoke a token made in \
            the vSphere Bitfusion plugin there too.
            """)

    @OptionGroup var root: RootOption
    @OptionGroup var sources: SourceOptions
    @OptionGroup var dryRun: DryRunOption
    @OptionGroup var lock: LockOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        try ProvisioningRun(
            root: root.path, sources: try sources.specs(), stage: .main, profile: "bitfusion-client", dryRun: dryRun.enabled,
            json: output.json, steps: [BitfusionRevokeStep()], force: true,
            command: "revoke-client", lockTimeout: lock.seconds
        ).execute()
    }
}
