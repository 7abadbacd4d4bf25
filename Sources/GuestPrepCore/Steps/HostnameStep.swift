import GuestPrepModel
import GuestPrepRender

/// Sets the hostname: /etc/hostname, the 127.0.1.1 line of /etc/hosts (the rest of the file
/// kept) and the running hostname (by the `hostname` program, which only runs when the root
/// is `/`). An absent hostname property leaves all three alone.
public struct HostnameStep: Step {
    public init() {}

    public let id = "hostname"
    public let stage = Stage.early
    public let frequency = StepFrequency.perInstance
    public let summary = "hostname in /etc/hostname, /etc/hosts and the running kernel"

    public func plan(_ context: StepContext) throws -> StepPlan {
        guard let hostname = context.spec.hostname else {
            return StepPlan(diagnostics: [.info(PropertyKeys.hostname, "not set: the hostname is left as it is")])
        }
        var changes: [Change] = []
        let wantedHostnameFile = HostnameRenderer.hostnameFile(hostname)
        if try context.fs.readText("/etc/hostname") != wantedHostnameFile {
            changes.append(.write(step: id, path: "/etc/hostname", text: wantedHostnameFile))
        }
        let hosts = try context.fs.readText("/etc/hosts")
        let wantedHosts = HostnameRenderer.hostsFile(existing: hosts, hostname: hostname)
        if hosts != wantedHosts {
            changes.append(.write(step: id, path: "/etc/hosts", text: wantedHosts))
        }
        // The kernel's name, as sethostname(2) left it; procfs shows it under the root.
        if context.fs.attribute("/proc/sys/kernel/hostname") != hostname {
            changes.append(.run(step: id, ["hostname", hostname]))
        }
        return StepPlan(changes: changes)
    }
}
