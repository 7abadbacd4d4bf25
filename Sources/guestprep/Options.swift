import ArgumentParser
import GuestPrepConfig
import GuestPrepModel

// The options the subcommands share. Each command declares its options itself, as plain
// @Option/@Flag properties with the help and checks defined here: swift-argument-parser
// resolves an @OptionGroup through the Swift runtime's conformance scans at every start, and
// the four groups cost about 1 ms of guestprep's ~5 ms start-up (bench/run.sh, callgrind).

/// The help texts of the shared options, one definition each.
enum OptionHelp {
    static let root = ArgumentHelp(
        "Resolve every path (/etc, /sys, /proc, /run, /var) under DIR. With a root other than /, no external program runs: the plan lists what would.",
        valueName: "DIR")
    static let source = ArgumentHelp(
        "A property source: auto (default: detect from DMI), vmware, ovf:PATH (ovf-env.xml, a directory or an ISO image/CD-ROM holding one), kvp[:DIR], fwcfg, file:PATH (key=value lines or JSON). Repeatable; later sources override earlier ones. A PATH given here is a path on this machine (relative to the working directory), not under --root.",
        valueName: "SRC")
    static let json = ArgumentHelp("Print one JSON document instead of text.")
    static let stage = ArgumentHelp(
        "Which stage's steps to run: early (before networking), main (after network-online) or all.")
    static let profile = ArgumentHelp(
        "A role profile: bitfusion-server, bitfusion-client or gpu-passthrough (overrides guestinfo.guestprep.profile). /etc/guestprep/profiles/NAME.yaml under the root replaces the bundled one.",
        valueName: "NAME")
}

/// The checks of the shared options, run by each command's `validate()` before `run()`.
enum OptionRules {
    /// `--root` must name something.
    static func validate(root: String) throws {
        guard !root.isEmpty else { throw ValidationError("--root must not be empty") }
    }

    /// Every `--source` must parse; the message is the parser's, which names the source.
    static func validate(sources: [String]) throws {
        for source in sources {
            do { _ = try SourceSpec.parse(source) } catch let error as GuestPrepError {
                throw ValidationError(error.description)
            }
        }
    }

    /// The sources to read: those given, in order, or `auto` when none is.
    static func specs(_ sources: [String]) throws -> [SourceSpec] {
        sources.isEmpty ? [.auto] : try sources.map(SourceSpec.parse)
    }
}

/// `--stage`: which stage's steps a run applies.
enum StageArgument: String, ExpressibleByArgument, CaseIterable {
    case early, main, all

    // The raw values, spelt out: the library's defaults describe a case with
    // String(describing:), whose reflection costs 0.3 ms on every start (callgrind).
    static var allValueStrings: [String] { allCases.map(\.rawValue) }
    static var allValueDescriptions: [String: String] { [:] }
    var defaultValueDescription: String { rawValue }
}
