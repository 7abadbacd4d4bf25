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
}
