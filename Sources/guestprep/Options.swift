import ArgumentParser
import GuestPrepConfig
import GuestPrepLinux
import GuestPrepModel

// The options the subcommands share, each declared once as an option group that a command
// includes with @OptionGroup. swift-argument-parser calls each group's validate() while it
// parses, so a bad --root or --source is a usage error (exit 2) before any command runs.

/// `--root DIR`: every subcommand.
struct RootOption: ParsableArguments {
    @Option(
        name: .customLong("root"),
        help: ArgumentHelp(
            "Resolve every path (/etc, /sys, /proc, /run, /var) under DIR. With a root other than /, no external program runs: the plan lists what would.",
            valueName: "DIR"))
    var path = "/"

    func validate() throws {
        guard !path.isEmpty else { throw ValidationError("--root must not be empty") }
    }
}

/// `--source SRC`, repeatable: the subcommands that read properties.
struct SourceOptions: ParsableArguments {
    @Option(
        name: .customLong("source"),
        help: ArgumentHelp(
            "A property source: auto (default: detect from DMI), vmware, ovf:PATH (ovf-env.xml, a directory or an ISO image/CD-ROM holding one), kvp[:DIR], fwcfg, file:PATH (key=value lines or JSON). Repeatable; later sources override earlier ones. A PATH given here is a path on this machine (relative to the working directory), not under --root.",
            valueName: "SRC"))
    var values: [String] = []

    /// Every source must parse; the message is the parser's, which names the source.
    func validate() throws {
        for value in values {
            do { _ = try SourceSpec.parse(value) } catch let error as GuestPrepError {
                throw ValidationError(error.description)
            }
        }
    }

    /// The sources to read: those given, in order, or `auto` when none is.
    func specs() throws -> [SourceSpec] {
        values.isEmpty ? [.auto] : try values.map(SourceSpec.parse)
    }
}

/// `--json`: every subcommand that prints a report.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false
}

/// `--stage` and `--profile`: what `run` and `plan` apply.
struct RunOptions: ParsableArguments {
    @Option(name: .long, help: "Which stage's steps to run: early (before networking), main (after network-online) or all.")
    var stage: StageArgument = .all

    @Option(name: .long, help: profileHelp)
    var profile: String?

    /// `--profile` reads the same in `run`, `plan` and `doctor`.
    static let profileHelp = ArgumentHelp(
        "A role profile: bitfusion-server, bitfusion-client, gpu-passthrough or vgpu-guest (overrides guestinfo.guestprep.profile; for doctor, the profile the last run recorded). /etc/guestprep/profiles/NAME.yaml under the root replaces the bundled one.",
        valueName: "NAME")
}

/// `--lock-timeout SECONDS`: the subcommands that change the machine (`run`, `reenable-client`,
/// `revoke-client`, `clean`), which take guestprep's lock; read-only ones never wait for it.
struct LockOption: ParsableArguments {
    @Option(
        name: .customLong("lock-timeout"),
        help: ArgumentHelp(
            "How long to wait while another guestprep is changing this machine (it holds /run/guestprep.lock under the root) before giving up with exit 1, having changed nothing.",
            valueName: "SECONDS"))
    var seconds = CommandLock.defaultTimeout

    func validate() throws {
        guard seconds >= 0 else { throw ValidationError("--lock-timeout must be 0 or more seconds") }
    }
}

/// `--dry-run`: the subcommands that change the machine (`plan` never does, and has none).
struct DryRunOption: ParsableArguments {
    @Flag(name: .customLong("dry-run"), help: "Print what would change, and change nothing.")
    var enabled = false
}

/// `--stage`: which stage's steps a run applies.
enum StageArgument: String, ExpressibleByArgument, CaseIterable {
    case early, main, all

    // The raw values, spelt out for the help: the library's defaults would get the same words
    // by describing each case with String(describing:).
    static var allValueStrings: [String] { allCases.map(\.rawValue) }
    static var allValueDescriptions: [String: String] { [:] }
    var defaultValueDescription: String { rawValue }
}
