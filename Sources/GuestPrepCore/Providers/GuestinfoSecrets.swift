import GuestPrepConfig
import GuestPrepModel

/// Which secrets VMware guestinfo holds, so they can be cleared once used: the keys set
/// directly, and the OVF environment document when its properties hold one. Never the values.
public struct GuestinfoSecrets: Sendable, Equatable {
    /// Secret keys guestinfo holds directly, with a non-empty value, in `PropertyKeys.all` order.
    public var direct: [String]
    /// Secret keys the OVF environment (`guestinfo.ovfEnv`) holds with a non-empty value.
    public var inOVFEnvironment: [String]
    /// The OVF environment document as guestinfo holds it, when `inOVFEnvironment` is not empty
    /// (it is written back without those properties).
    public var ovfEnvironment: String?
    /// The argv that prefixes an RPC command on the channel the reads worked through:
    /// `vmware-rpctool`, or `vmtoolsd --cmd` when rpctool was missing or refused (secure RPC),
    /// so that clearing takes the same fallback as reading.
    public var channel: [String]

    public init(
        direct: [String] = [], inOVFEnvironment: [String] = [], ovfEnvironment: String? = nil,
        channel: [String] = ["vmware-rpctool"]
    ) {
        self.channel = channel
        self.direct = direct
        self.inOVFEnvironment = inOVFEnvironment
        self.ovfEnvironment = ovfEnvironment
    }

    public var isEmpty: Bool { direct.isEmpty && inOVFEnvironment.isEmpty }

    /// The changes that clear `keys` from guestinfo: `info-set KEY` with no value for each one
    /// held directly, and `guestinfo.ovfEnv` written back without those the OVF environment
    /// holds. `rewritten` is false when the environment holds one and could not be rewritten.
    public func clearing(_ keys: Set<String>, step: String) -> (changes: [Change], environmentKeys: [String], rewritten: Bool) {
        var changes = direct.filter(keys.contains).map { Change.run(step: step, channel + ["info-set \($0)"]) }
        let inEnvironment = Set(inOVFEnvironment).intersection(keys)
        guard !inEnvironment.isEmpty, let document = ovfEnvironment else { return (changes, [], true) }
        guard let redacted = OVFEnvironmentRedactor.removing(inEnvironment, from: document) else {
            return (changes, inEnvironment.sorted(), false)
        }
        changes.append(.run(step: step, channel + ["info-set \(PropertyKeys.ovfEnv) \(redacted)"]))
        return (changes, inEnvironment.sorted(), true)
    }
}
