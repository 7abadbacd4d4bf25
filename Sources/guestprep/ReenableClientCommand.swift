import ArgumentParser
import GuestPrepCore

/// `guestprep reenable-client`: the user guide's re-enable procedure, on demand.
struct ReenableClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reenable-client",
        abstract: "Re-enable a cloned or moved Bitfusion client: replace its client files from the current guestinfo.",
        discussion: """
            As the vSphere Bitfusion user guide's fix for "x509: certificate signed by unknown \
            authority": ~/.bitfusion/client.yaml and servers.conf of each Bitfusion user are \
            replaced from the token archive guestinfo holds now, or removed so that the client \
            enrolls again from the access token. Re-enable the client in the vSphere Bitfusion \
            plugin first (VM powered off). Nothing is removed when guestinfo holds neither.
            """)

    @OptionGroup var root: RootOption
    @OptionGroup var sources: SourceOptions
    @OptionGroup var dryRun: DryRunOption
    @OptionGroup var lock: LockOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        try ProvisioningRun(
            root: root.path, sources: try sources.specs(), stage: .main, profile: "bitfusion-client", dryRun: dryRun.enabled,
            json: output.json, steps: [BitfusionClientStep(force: true), BitfusionClientCheckStep(), SecretsClearStep()], force: true,
            command: "reenable-client", lockTimeout: lock.seconds
        ).execute()
    }
}
