import GuestPrepConfig
import GuestPrepModel

/// Checks what the loaded driver says (`DriverQuery`) against what the PCI scan found and what
/// was installed: every NVIDIA GPU on the bus is driven, persistence mode is on, and the
/// driver is of the branch chosen. Pure. A problem names the GPU and adds the GPU doctor's
/// findings for it, the likely cause (a BAR without an address, nouveau, a failed probe).
public enum DriverVerifier {
    /// The problems found, empty when the driver is as specified.
    public static func problems(
        scanned: [NVIDIADevice], query: DriverQuery, branch: Int?, persistence: Bool, findings: [Finding],
        label: (NVIDIADevice) -> String
    ) -> [String] {
        var problems: [String] = []
        let seen = Dictionary(query.gpus.map { ($0.address.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        for device in scanned {
            guard let gpu = seen[device.address.description] else {
                let causes = findings.filter { $0.device == device.address || ($0.device == nil && $0.level == .critical) }
                let cause = causes.isEmpty
                    ? "the kernel log may say why (dmesg | grep -i nvrm)"
                    : "likely cause: " + causes.map { "\($0.code): \($0.summary)" }.joined(separator: "; ")
                problems.append("\(label(device)) is on the PCI bus but the driver (\(query.source)) does not see it; \(cause)")
                continue
            }
            if persistence && !gpu.persistenceMode {
                problems.append("\(label(device)) (\(gpu.name)) has persistence mode off: is nvidia-persistenced running? (systemctl status nvidia-persistenced)")
            }
        }
        if let branch, let loaded = DriverStep.branch(of: query.driverVersion), loaded != branch {
            problems.append("the driver loaded is \(query.driverVersion), not branch \(branch) as chosen: an older driver's module is still loaded (reboot) or another install replaced it")
        }
        return problems
    }
}
