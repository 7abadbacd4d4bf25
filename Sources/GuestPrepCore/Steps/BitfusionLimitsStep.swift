import GuestPrepModel
import GuestPrepRender

/// /etc/security/limits.d/bitfusion-limits.conf as the user guide gives it: members of the
/// `bitfusion` group may open 100000 files and lock unlimited memory.
public struct BitfusionLimitsStep: Step {
    public init() {}

    public let id = "bitfusion-limits"
    public let stage = Stage.main
    public let frequency = StepFrequency.everyBoot
    public let summary = "nofile 100000, memlock and rss unlimited for the bitfusion group"

    public func plan(_ context: StepContext) throws -> StepPlan {
        let wanted = BitfusionLimitsRenderer.render()
        let path = BitfusionLimitsRenderer.path
        if try context.fs.readText(path) == wanted, try context.fs.mode(path) == 0o644 { return StepPlan() }
        return StepPlan(changes: [.write(step: id, path: path, text: wanted)])
    }
}
