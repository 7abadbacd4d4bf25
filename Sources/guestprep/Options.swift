import ArgumentParser
import GuestPrepConfig
import GuestPrepModel

/// `--root`, which every subcommand takes.
struct RootOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Resolve every path (/etc, /sys, /proc, /run, /var) under DIR. With a root other than /, no external program runs: the plan lists what would.",
            valueName: "DIR"))
    var root: String = "/"

    func validate() throws {
        guard !root.isEmpty else { throw ValidationError("--root must not be empty") }
    }
}

/// Where properties come from.
struct SourceOptions: ParsableArguments {
    @Option(
        name: .customLong("source"),
        help: ArgumentHelp(
            "A property source: auto (default: detect from DMI), vmware, ovf:PATH (ovf-env.xml, a directory or an ISO image/CD-ROM holding one), kvp[:DIR], fwcfg, file:PATH (key=value lines or JSON). Repeatable; later sources override earlier ones. A PATH given here is a path on this machine (relative to the working directory), not under --root.",
            valueName: "SRC"))
    var sources: [String] = []

    func validate() throws {
        for source in sources {
            do { _ = try SourceSpec.parse(source) } catch let error as GuestPrepError {
                throw ValidationError(error.description)
            }
        }
    }

    /// The parsed sources; `auto` when none was given.
    func specs() throws -> [SourceSpec] {
        sources.isEmpty ? [.auto] : try sources.map(SourceSpec.parse)
    }
}

/// `--json`.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false
}

/// What `run` and `plan` share.
struct StepOptions: ParsableArguments {
    @Option(name: .long, help: "Which stage's steps to run: early (before networking), main (after network-online) or all.")
    var stage: StageArgument = .all

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A role profile: bitfusion-server, bitfusion-client or gpu-passthrough (overrides guestinfo.guestprep.profile). /etc/guestprep/profiles/NAME.yaml under the root replaces the bundled one.",
            valueName: "NAME"))
    var profile: String?
}

/// `--stage` values.
enum StageArgument: String, ExpressibleByArgument, CaseIterable {
    case early, main, all
}
