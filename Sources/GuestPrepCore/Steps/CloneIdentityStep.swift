import GuestPrepModel

/// Gives a clone its own identity: a new /etc/machine-id (systemd-networkd derives DHCP client
/// identifiers from it, so two clones with the template's id would ask DHCP as one machine) and
/// new SSH host keys. It acts only when this step last ran for another instance (the engine's
/// per-instance rule saw the DMI UUID and MACs change, or the instance id), never on the first
/// boot of a machine guestprep has not run on before. It runs in the early stage, before
/// networking starts.
public struct CloneIdentityStep: Step {
    public init() {}

    public let id = "clone-identity"
    public let stage = Stage.early
    public let frequency = StepFrequency.perInstance
    public let summary = "after a clone: a new machine-id and new SSH host keys"

    public func plan(_ context: StepContext) throws -> StepPlan {
        guard let previous = context.previousInstance else { return StepPlan() }
        let fs = context.fs
        var changes: [Change] = []
        // systemd-machine-id-setup writes a new id only where there is none; in a VM it takes
        // the hypervisor's UUID, which a clone has of its own.
        changes.append(.delete(step: id, path: "/etc/machine-id"))
        if let mode = try fs.mode("/var/lib/dbus/machine-id"), try fs.readLink("/var/lib/dbus/machine-id") == nil, mode != 0 {
            // A copy instead of the usual symlink would keep the old id for D-Bus.
            changes.append(.delete(step: id, path: "/var/lib/dbus/machine-id"))
        }
        changes.append(.run(step: id, ["systemd-machine-id-setup"]))
        let keys = (try fs.list("/etc/ssh") ?? []).filter { $0.hasPrefix("ssh_host_") && ($0.hasSuffix("_key") || $0.hasSuffix("_key.pub")) }
            .sorted()
        if !keys.isEmpty {
            changes += keys.map { .delete(step: id, path: "/etc/ssh/" + $0) }
            changes.append(.run(step: id, ["ssh-keygen", "-A"]))
        }
        return StepPlan(
            changes: changes,
            diagnostics: [.info(nil, "a clone (identity \(previous) → \(context.instance)): new machine-id\(keys.isEmpty ? "" : " and SSH host keys")")],
            notes: ["cloned from instance \(previous)"])
    }
}
