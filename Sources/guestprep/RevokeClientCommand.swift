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

    @Option(name: .long, help: OptionHelp.root) var root = "/"
    @Option(name: .customLong("source"), help: OptionHelp.source) var sources: [String] = []
    @Flag(name: .long, help: "Print what would change, and change nothing.") var dryRun = false
    @Flag(name: .long, help: OptionHelp.json) var json = false

    func validate() throws {
        try OptionRules.validate(root: root)
        try OptionRules.validate(sources: sources)
    }

    func run() throws {
        try ProvisioningRun(
            root: root, sources: try OptionRules.specs(sources), stage: .main, profile: "bitfusion-client", dryRun: dryRun,
            json: json, steps: [BitfusionRevokeStep()], force: true,
            command: "revoke-client"
        ).execute()
    }
}
