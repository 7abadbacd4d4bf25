import GuestPrepModel

/// The `bitfusion` group, and the users who use Bitfusion in it: the user guide allows only
/// its members to use Bitfusion, and its limits apply to them. The client package creates the
/// group when it installs; without the package, guestprep creates it (a system group).
public struct BitfusionGroupStep: Step {
    public init() {}

    public let id = "bitfusion-group"
    public let stage = Stage.main
    public let frequency = StepFrequency.everyBoot
    public let summary = "the bitfusion group exists and holds the Bitfusion users"

    public func plan(_ context: StepContext) throws -> StepPlan {
        let accounts = try BitfusionAccounts.read(fs: context.fs)
        let users = try accounts.resolve(context.spec.bitfusion.users)
        let group = accounts.groups.first { $0.name == BitfusionAccounts.group }
        var changes: [Change] = []
        if group == nil { changes.append(.run(step: id, ["groupadd", "--system", BitfusionAccounts.group])) }
        for user in users {
            let member = group.map { $0.members.contains(user.name) || $0.gid == user.gid } ?? false
            if !member { changes.append(.run(step: id, ["usermod", "--append", "--groups", BitfusionAccounts.group, user.name])) }
        }
        return StepPlan(changes: changes, notes: ["bitfusion group: \(users.map(\.name).joined(separator: ", "))"])
    }
}
