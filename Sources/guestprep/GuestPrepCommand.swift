import ArgumentParser

/// The root command; one subcommand per file.
struct GuestPrepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guestprep",
        abstract: "First-boot provisioning for Linux VMs with passed-through NVIDIA GPUs (Bitfusion servers and clients).",
        discussion: """
            guestprep reads the properties the hypervisor hands the guest, validates all of them \
            before it touches anything, and applies idempotent, resumable steps.

            Exit codes: 0 done (or nothing to do); 1 a step failed (doctor: a finding is \
            critical; health: the --prometheus file could not be written; run, clean, \
            reenable-client, revoke-client: another guestprep held \
            /run/guestprep.lock past --lock-timeout, nothing changed); 2 invalid usage or \
            properties, nothing changed; 3 a reboot is needed to go on (state saved); 4 health: \
            some check is warn or unknown; 5 health: some check is critical.
            """,
        version: "0.1.0",
        subcommands: [
            RunCommand.self, PlanCommand.self, PropertiesCommand.self, ValidateCommand.self, StatusCommand.self,
            DoctorCommand.self, HealthCommand.self, CleanCommand.self, ReenableClientCommand.self, RevokeClientCommand.self,
            SupportBundleCommand.self,
        ])
}
