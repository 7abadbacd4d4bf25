import GuestPrepModel

/// One configured netN bound to the device it applies to: what every network renderer takes.
/// The step builds these from the validated spec and the NIC mapping; renderers never look
/// at the machine.
public struct BoundNIC: Sendable, Equatable {
    /// The validated settings; `spec.index` is N in netN and `spec.configure` is true.
    public var spec: NICSpec
    /// The device's MAC, lower-case and colon-separated: what the files match on.
    public var mac: String
    /// The kernel's name for the device (`ens192`), for comments and for reloading it.
    public var interfaceName: String
    /// A kernel driver the files match on besides the MAC, nil for none. Set for a Hyper-V
    /// synthetic NIC (`hv_netvsc`), whose SR-IOV virtual function has the same MAC and must
    /// not be configured as well.
    public var matchDriver: String?

    public init(spec: NICSpec, mac: String, interfaceName: String, matchDriver: String? = nil) {
        self.spec = spec
        self.mac = mac.lowercased()
        self.interfaceName = interfaceName
        self.matchDriver = matchDriver
    }

    /// net1 carries management: the default route, DNS, search domains and NTP.
    public var isManagement: Bool { spec.index == 1 }
}

/// A file a renderer produces: where it goes in the guest, what it holds, its mode.
public struct RenderedFile: Sendable, Equatable {
    public var path: String
    public var text: String
    public var mode: UInt32

    public init(path: String, text: String, mode: UInt32) {
        self.path = path
        self.text = text
        self.mode = mode
    }
}
