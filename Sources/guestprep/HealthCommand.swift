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
            Runs every check group in order: the doctor's critical findings (doctor), the GPUs \
            (pci_nvml, driver_version, persistence, compute_mode, temperature, ecc, \
            retired_pages, row_remap, xid, pci_width), the host (hostmem, ulimit_n, diskspace, \
            mtu, network, time_sync) and the Bitfusion role (vcenter_check, bitfusion_package, \
            bitfusion_service, bitfusion_server_tls). A check whose source \
            is missing (not the running system, no properties, an unreadable file) is unknown, \
            never a pass. Thresholds are the defaults, or those of the profile's health: mapping \
            (README: "Health checks").

            The role is --profile, else the profile the last run recorded in \
            /var/lib/guestprep/state.json. The properties (which NICs are configured) are read \
            from --source as `run` reads them; when they cannot be read, the checks that need \
            them are unknown and a note says why. Counts that rates need (network) are kept in \
            /var/lib/guestprep/health.json (0600) for the next run.

            --prometheus PATH also writes the checks and metrics in node_exporter's textfile \
            format, atomically, 0644: PATH is a .prom file or a directory that gets \
            guestprep.prom (Debian's prometheus-node-exporter reads \
            /var/lib/prometheus/node-exporter).

            --publish also publishes the status with this run's health summary to the \
            hypervisor, as `run` does after each stage (guestinfo.guestprep.status, .ready and \
            .health on VMware; KVP pool 1 on Hyper-V); what was published, or why not, goes to \
            stderr, and a failure to publish never changes the exit code.

            Exit codes: 0 every check passes; 4 some check is warn or unknown, none critical; \
            5 some check is critical; 1 the --prometheus file could not be written; 2 invalid usage. Changes nothing but health.json, the \
            --prometheus file and, with --publish, the published status.
            """)

    @OptionGroup var root: RootOption
    @OptionGroup var sources: SourceOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: RunOptions.profileHelp)
    var profile: String?
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also write the checks and metrics for node_exporter's textfile collector: a .prom file, or a directory that gets guestprep.prom (absolute, under --root).",
            valueName: "PATH"))
    var prometheus: String?
    @Flag(
        name: .long,
        help: "Also publish the status with this run's health summary to the hypervisor, as `run` does after each stage (guestinfo.guestprep.* on VMware, KVP pool 1 on Hyper-V); a failure to publish is a warning.")
    var publish = false

    func validate() throws {
        if let prometheus, !prometheus.hasPrefix("/") {
            throw ValidationError("--prometheus \(prometheus): give an absolute path (a .prom file or the textfile collector's directory)")
        }
    }

    func run() throws {
        Session.bootstrapLogging()
        let session = try Session(root: root.path)
        var notes: [String] = []
        var state: AgentState?
        do { state = try AgentState.load(fs: session.fs) } catch {
            notes.append("\(error): no role known, default thresholds")
        }
        let (loadedProfile, profileSource) = try role(session, state: state, notes: &notes)
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
        if prometheus != nil {
            let text = PrometheusTextfile.render(
                metrics: report.metrics, checks: report.checks,
                info: PrometheusTextfile.Info(
                    version: GuestPrepCommand.configuration.version, healthTime: context.now, lastRun: state?.lastRun))
            do { try PrometheusTextfile.write(text, to: prometheus, fs: session.fs) } catch {
                // The checks still print: a textfile that cannot be written is said, and exits 1.
                CommandOutput.out(output.json ? HealthFormatter.json(report) : HealthFormatter.text(report))
                CommandOutput.error("--prometheus: \(error)")
                throw ExitCode(1)
            }
        }
        CommandOutput.out(output.json ? HealthFormatter.json(report) : HealthFormatter.text(report))
        if publish {
            // On stderr, so --json stays one document; never a change of the exit code.
            for diagnostic in session.publishStatus(health: report.checks.map(\.level).max()) {
                CommandOutput.error("\(diagnostic.severity.rawValue): \(diagnostic.message)")
            }
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// The role's profile and where it came from: `--profile` (an unknown name is a usage error,
    /// exit 2), else the last run's from the state; nil (with a note) when neither says, or
    /// when the recorded profile can no longer be read.
    private func role(_ session: Session, state: AgentState?, notes: inout [String]) throws -> (Profile?, String) {
        if let profile { return (try session.loadProfile(profile), "--profile") }
        guard let recorded = state?.lastRun?.profile else { return (nil, "") }
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
