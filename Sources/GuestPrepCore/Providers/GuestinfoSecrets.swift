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

    public init(direct: [String] = [], inOVFEnvironment: [String] = [], ovfEnvironment: String? = nil) {
        self.direct = direct
        self.inOVFEnvironment = inOVFEnvironment
        self.ovfEnvironment = ovfEnvironment
    }

    public var isEmpty: Bool { direct.isEmpty && inOVFEnvironment.isEmpty }

    /// The changes that clear `keys` from guestinfo: `info-set KEY` with no value for each one
    /// held directly, and `guestinfo.ovfEnv` written back without those the OVF environment
    /// holds. `rewritten` is false when the environment holds one and could not be rewritten.
    public func clearing(_ keys: Set<String>, step: String) -> (changes: [Change], environmentKeys: [String], rewritten: Bool) {
        var changes = direct.filter(keys.contains).map { Change.run(step: step, ["vmware-rpctool", "info-set \($0)"]) }
        let inEnvironment = Set(inOVFEnvironment).intersection(keys)
        guard !inEnvironment.isEmpty, let document = ovfEnvironment else { return (changes, [], true) }
        guard let redacted = OVFEnvironmentRedactor.removing(inEnvironment, from: document) else {
            return (changes, inEnvironment.sorted(), false)
        }
        changes.append(.run(step: step, ["vmware-rpctool", "info-set \(PropertyKeys.ovfEnv) \(redacted)"]))
        return (changes, inEnvironment.sorted(), true)
    }
}
