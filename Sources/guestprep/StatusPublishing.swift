import GuestPrepCore
import GuestPrepModel

/// Publishing the status document to the hypervisor (`StatusPublisher`), from the CLI.
extension Session {
    /// guestprep's version, as `--version` prints it and the status document carries it.
    static var version: String { GuestPrepCommand.configuration.version }

    /// The publisher for this session: guestinfo only when the root is `/`.
    func statusPublisher(vmwareSource: Bool) -> StatusPublisher {
        StatusPublisher(fs: fs, runner: runner, vmwareSource: vmwareSource)
    }

    /// The current boot's id, or nil where procfs has none (a fixture root).
    var bootID: String? { fs.attribute("/proc/sys/kernel/random/boot_id") }

    /// Publishes the status after a health run (`guestprep health`): the last stage's outcome
    /// as the state records it, with `health`, the run's worst level (nil when it gave none).
    /// Returns what to report: infos for each place published, warnings for each one that
    /// failed; a failure never changes the health run's exit code.
    func publishStatus(health level: HealthCheck.Level?) -> [Diagnostic] {
        let state = (try? AgentState.load(fs: fs)) ?? AgentState()
        let identity = InstanceIdentity.read(fs: fs, instanceID: state.identity?.instanceID)
        let health = level.map(HealthSummary.init)
        let document = StatusDocument.of(
            state, instance: identity.digest, boot: bootID, guestprep: Self.version, health: health,
            at: SystemClock().now())
        return statusPublisher(vmwareSource: false).publish(document, health: health)
    }
}
