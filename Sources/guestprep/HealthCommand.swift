import ArgumentParser
import GuestPrepConfig
import GuestPrepCore
import GuestPrepLinux
import GuestPrepModel

#if canImport(Glibc)
import Glibc
#endif

/// `guestprep health`: the machine's health checks, each pass, unknown, warn or critical.
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check the machine's health (GPUs, host, role): each check pass, unknown, warn or critical, with its evidence and fix.",
        discussion: """
            Runs every check group in order: the doctor's critical findings (doctor), then the \
            host (hostmem, ulimit_n, diskspace, mtu, network, time_sync). A check whose source \
            is missing (not the running system, no properties, an unreadable file) is unknown, \
            never a pass. Thresholds are the defaults, or those of the profile's health: mapping \
            (README: "Health checks").

            The role is --profile, else the profile the last run recorded in \
            /var/lib/guestprep/state.json. The properties (which NICs are configured) are read \
            from --source as `run` reads them; when they cannot be read, the checks that need \
            them are unknown and a note says why. Counts that rates need (network) are kept in \
            /var/lib/guestprep/health.json (0600) for the next run.

            Exit codes: 0 every check passes; 4 some check is warn or unknown, none critical; \
            5 some check is critical; 2 invalid usage. Changes nothing but health.json.
            """)

    @OptionGroup var root: RootOption
    @OptionGroup var sources: SourceOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: RunOptions.profileHelp)
    var profile: String?

    func run() throws {
        Session.bootstrapLogging()
        let session = try Session(root: root.path)
        var notes: [String] = []
        let (loadedProfile, profileSource) = try role(session, notes: &notes)
        var adapters: [EthernetAdapter] = []
        var spec: GuestSpec?
        do {
            let loaded = try session.loadProperties(try sources.specs())
            adapters = loaded.adapters
            let validation = SpecValidator.validate(loaded.properties, localProfiles: session.localProfiles())
            spec = validation.spec
            if spec == nil {
                let errors = validation.diagnostics.filter { $0.severity == .error }
                notes.append(
                    "properties invalid (\(errors.count) error(s), `guestprep validate` names each key): the checks that need them are unknown")
            }
        } catch {
            notes.append("properties unreadable (\(error)): the checks that need them are unknown")
        }
        var memory: [String: Double] = [:]
        do { memory = try HealthMemory.load(fs: session.fs) } catch {
            notes.append("\(error): starting without the earlier runs' figures")
        }
        let context = HealthContext(
            fs: session.fs, runner: session.runner ?? NoProgramRunner(), onHost: session.onHost,
            thresholds: loadedProfile?.healthThresholds ?? HealthThresholds(), profile: loadedProfile, spec: spec,
            memory: memory, now: Double(time(nil)))
        let report = HealthReport.run(
            HealthSources.all(session: session, adapters: adapters), context: context, time: SystemClock().now(),
            profile: loadedProfile.map { "\($0.name) (from \(profileSource))" }, notes: notes)
        if report.memory != memory {
            do { try HealthMemory.save(report.memory, fs: session.fs) } catch {
                CommandOutput.error("cannot keep the figures for the next health run: \(error)")
            }
        }
        CommandOutput.out(output.json ? HealthFormatter.json(report) : HealthFormatter.text(report))
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// The role's profile and where it came from: `--profile` (an unknown name is a usage error,
    /// exit 2), else the last run's from the state; nil (with a note) when neither says, or
    /// when the recorded profile can no longer be read.
    private func role(_ session: Session, notes: inout [String]) throws -> (Profile?, String) {
        if let profile { return (try session.loadProfile(profile), "--profile") }
        let state: AgentState
        do { state = try AgentState.load(fs: session.fs) } catch {
            notes.append("\(error): no role known, default thresholds")
            return (nil, "")
        }
        guard let recorded = state.lastRun?.profile else { return (nil, "") }
        do { return (try session.loadProfile(recorded), "the last run (\(AgentState.path))") } catch {
            notes.append("the last run's profile \(recorded) is unreadable now (\(error)): default thresholds, no role checks")
            return (nil, "")
        }
    }
}

/// The runner of a health run under a root other than `/`: no program runs there (the checks
/// that would ask one are `unknown`), so any attempt is refused, naming the program.
private struct NoProgramRunner: ProcessRunner {
    func run(executable: String, arguments: [String], timeout: Double) throws -> ProcessResult {
        throw GuestPrepError.program(argv0: executable, reason: "not run: --root is not the running system")
    }

    func isExecutable(_ path: String) -> Bool { false }

    var processesStarted: Int { 0 }
}
