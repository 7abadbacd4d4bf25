import GuestPrepConfig
import GuestPrepModel

/// Publishes a `StatusDocument` where the hypervisor's operators look:
///
/// - VMware guestinfo, when DMI says VMware or the `vmware` source was read (and the root is
///   `/`, since it runs a program): `vmware-rpctool 'info-set KEY VALUE'`, and, when rpctool is
///   missing or refused (secure RPC answers "Permission denied"), `vmtoolsd --cmd 'info-set
///   KEY VALUE'`, the same fallback the reads take. rpctool sends its one argument as the RPC
///   text (open-vm-tools rpctool/rpctool.c: `RpcOut_sendOne(&result, NULL, "%s", argv[0])`),
///   so the command and its value travel as one argv element, never through a shell.
/// - Hyper-V KVP pool 1 (`KVP_POOL_GUEST`, guest to host: Linux include/uapi/linux/hyperv.h),
///   /var/lib/hyperv/.kvp_pool_1, when /var/lib/hyperv (hv_kvp_daemon's KVP_CONFIG_LOC) exists:
///   guestprep's records replaced, every other record kept, under the daemon's lock.
///
/// Both when both. A failure is a warning: publishing never fails a stage.
public struct StatusPublisher: Sendable {
    public static let statusKey = "guestinfo.guestprep.status"
    public static let readyKey = "guestinfo.guestprep.ready"
    public static let healthKey = "guestinfo.guestprep.health"
    public static let keys: Set<String> = [statusKey, readyKey, healthKey]

    /// hv_kvp_daemon's directory (tools/hv/hv_kvp_daemon.c, KVP_CONFIG_LOC).
    public static let kvpDirectory = "/var/lib/hyperv"
    /// Pool 1, the guest's own pool that the host reads.
    public static let kvpGuestPool = "/var/lib/hyperv/.kvp_pool_1"

    /// The longest status value, in bytes. A KVP value holds 2048 bytes with its NUL
    /// (HV_KVP_EXCHANGE_MAX_VALUE_SIZE), far below the backdoor's limit on one guest RPC
    /// message, 64 KiB (open-vm-tools lib/include/guest_msg_def.h, GUESTMSG_MAX_IN_SIZE): one
    /// limit for both keeps the two documents the same.
    public static let valueLimit = KVPPoolEncoder.maxValueBytes

    /// Where the status goes.
    public enum Target: String, Sendable, Equatable, CaseIterable {
        case vmware = "VMware guestinfo"
        case kvp = "Hyper-V KVP pool 1"
    }

    let fs: any FileSystem
    /// Nil when the root is not `/`: guestinfo is not written.
    let runner: (any ProcessRunner)?
    /// Where this publisher writes, by the rule of `targets(fs:vmwareSource:)`.
    public let targets: [Target]

    /// `vmwareSource`: whether the run read the `vmware` source (guestinfo answered).
    public init(fs: any FileSystem, runner: (any ProcessRunner)?, vmwareSource: Bool = false) {
        self.fs = fs
        self.runner = runner
        self.targets = Self.targets(fs: fs, vmwareSource: vmwareSource)
    }

    /// The rule: VMware when DMI names VMware or the vmware source was read; KVP when
    /// /var/lib/hyperv exists; both when both.
    public static func targets(fs: any FileSystem, vmwareSource: Bool) -> [Target] {
        var targets: [Target] = []
        if vmwareSource || AutoDetector(fs: fs).hypervisor == .vmware { targets.append(.vmware) }
        if fs.exists(kvpDirectory) { targets.append(.kvp) }
        return targets
    }

    /// The key/value pairs for `document` (nil: none recorded yet) with `health`: the status
    /// JSON (at most `valueLimit` bytes), ready `true`/`false`, and the health summary, whose
    /// value is empty when none is known (a stage's run makes an earlier one stale).
    public static func pairs(_ document: StatusDocument?, health: HealthSummary?) -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        if let json = document?.json(limit: valueLimit) { pairs.append((statusKey, json)) }
        pairs.append((readyKey, document?.ready == true ? "true" : "false"))
        pairs.append((healthKey, health?.rawValue ?? ""))
        return pairs
    }

    /// Publishes `document` (and `health`, its summary when a health run gave one) to every
    /// target: infos for what was published, warnings for what was not.
    public func publish(_ document: StatusDocument?, health: HealthSummary? = nil) -> [Diagnostic] {
        let pairs = Self.pairs(document, health: health ?? document?.health)
        var diagnostics: [Diagnostic] = []
        let published = "(\(pairs.map(\.key).joined(separator: ", ")))"
        for target in targets {
            do {
                switch target {
                case .vmware:
                    guard let runner else {
                        diagnostics.append(.info(nil, "status not published to \(target.rawValue): no program runs when --root is not /"))
                        continue
                    }
                    try GuestinfoWriter(runner: runner).set(pairs)
                    diagnostics.append(.info(nil, "status published to \(target.rawValue) \(published)"))
                case .kvp:
                    let records = pairs.filter { !$0.value.isEmpty }
                    try fs.updateLocked(Self.kvpGuestPool, mode: 0o644) { pool in
                        try KVPPoolEncoder.replacing(Self.keys, with: records, in: pool)
                    }
                    diagnostics.append(.info(nil, "status published to \(target.rawValue) \(Self.kvpGuestPool) (\(records.map(\.key).joined(separator: ", ")))"))
                }
            } catch {
                diagnostics.append(.warning(nil, "status not published to \(target.rawValue): \(error)"))
            }
        }
        return diagnostics
    }
}
