import ArgumentParser

/// The root command; one subcommand per file.
struct GuestPrepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guestprep",
        abstract: "First-boot provisioning for Linux VMs with passed-through NVIDIA GPUs (Bitfusion servers and clients).",
        subcommands: [])
}
