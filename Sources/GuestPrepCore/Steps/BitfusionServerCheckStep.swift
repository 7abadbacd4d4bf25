import GuestPrepConfig
import GuestPrepModel

/// What a Bitfusion server needs of its VM, from the user guide's requirements and health
/// checks, as findings at every boot: at least one NVIDIA GPU with all its BARs assigned (the
/// GPU doctor's critical findings), EFI firmware, memory at least the GPUs' memory together
/// (the server keeps a shadow copy of GPU memory), data NICs with an MTU of at least 4096
/// (recommended), and a nofile limit of at least 4096 for services. A missing requirement is an
/// error (the run ends degraded, exit 1), a recommendation a warning. Nothing is changed.
public struct BitfusionServerCheckStep: Step {
    public init() {}

    public let id = "bitfusion-server-check"
    public let stage = Stage.main
    public let frequency = StepFrequency.everyBoot
    public let summary = "Bitfusion server prerequisites: GPUs and BARs, EFI, memory, data NIC MTU, nofile"

    public static let recommendedMTU = 4096
    public static let minimumNofile = 4096

    public func plan(_ context: StepContext) throws -> StepPlan {
        let fs = context.fs
        let environment = try GPUEnvironment.read(fs: fs)
        let doctor = GPUDoctor(environment: environment)
        var diagnostics: [Diagnostic] = []
        for finding in doctor.findings() where finding.level == .critical {
            let fix = finding.fix.isEmpty ? "" : " Fix: " + finding.fix.joined(separator: "; ")
            diagnostics.append(.error(nil, "Bitfusion server: \(finding.summary).\(fix)"))
        }
        if environment.firmware == .bios, !diagnostics.contains(where: { $0.message.contains("BIOS") }) {
            diagnostics.append(.error(nil, "Bitfusion server: the VM boots with BIOS firmware; a Bitfusion server needs EFI (VM Options → Boot Options → Firmware: EFI, VM powered off)"))
        }
        let memories = environment.gpus.map { doctor.model(of: $0)?.memoryGiB }
        if let total = environment.memTotalBytes, !memories.isEmpty, !memories.contains(where: { $0 == nil }) {
            let gpuGiB = GPUDoctor.gibTotal(memories)
            // MemTotal is the configured memory less what the kernel keeps: allow 5%. Compared
            // without a product that passes UInt64.max (MemTotal is input).
            if GPUDoctor.isBelow(total, percent: 95, of: SaturatingSize.multiplying(gpuGiB, 1 << 30)) {
                diagnostics.append(
                    .error(nil, "Bitfusion server: \(MMIOSizing.describe(bytes: total)) of memory is less than the GPUs' \(gpuGiB) GiB: the server keeps a copy of GPU memory in host memory; give the VM at least \(gpuGiB) GB, all reserved"))
            }
        }
        let data = context.spec.nics.filter { $0.index > 1 && $0.configure }
        for nic in data.isEmpty ? [context.spec.nics[0]] : data where nic.mtu < Self.recommendedMTU {
            diagnostics.append(
                .warning(
                    PropertyKeys.nic(nic.index, .mtu),
                    "net\(nic.index) carries Bitfusion data with MTU \(nic.mtu): an MTU of at least \(Self.recommendedMTU) (9000 with jumbo frames on the switches) is recommended"))
        }
        if let limit = Self.softNofile(try fs.readText("/proc/self/limits")), limit < Self.minimumNofile {
            diagnostics.append(
                .warning(nil, "services start with a nofile limit of \(limit): Bitfusion needs at least \(Self.minimumNofile) (\"Cannot allocate memory\" otherwise): set DefaultLimitNOFILE= in /etc/systemd/system.conf or LimitNOFILE= in the Bitfusion unit"))
        }
        if diagnostics.isEmpty {
            diagnostics.append(.info(nil, "Bitfusion server prerequisites met: \(environment.gpus.count) GPU\(environment.gpus.count == 1 ? "" : "s") with BARs assigned, EFI, memory, MTU, nofile"))
        }
        return StepPlan(diagnostics: diagnostics)
    }

    /// The soft "Max open files" of /proc/self/limits, nil when unreadable or unlimited.
    public static func softNofile(_ text: String?) -> Int? {
        guard let line = text?.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") }) else { return nil }
        let fields = line.dropFirst("Max open files".count).split(separator: " ")
        return fields.first.flatMap { Int($0) }
    }
}
