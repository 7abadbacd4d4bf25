import GuestPrepModel

/// When a step runs: in the early stage (before networking) or the main stage (after
/// network-online).
public enum Stage: String, Sendable, Codable, CaseIterable {
    case early, main
}

/// Whether a step runs once per instance (again after a clone) or on every boot.
public enum StepFrequency: String, Sendable, Codable {
    case perInstance = "per-instance"
    case everyBoot = "every-boot"
}

/// What a step looks at when it plans.
public struct StepContext: Sendable {
    public var spec: GuestSpec
    /// Read access to the guest; steps never write through it, they return changes.
    public var fs: any FileSystem
    /// Whether the root is `/` (the running system), so running-state checks apply.
    public var onHost: Bool
    /// The OVF environment's Ethernet adapters, in order, when a source had them: they decide
    /// which NIC is net1…net4.
    public var adapters: [EthernetAdapter]
    /// Asks the loaded NVIDIA driver what it sees; nil when the root is not `/`.
    public var driverProbe: (any DriverProbe)?
    /// Checks the TLS of the Bitfusion servers a client is given; nil when the root is not `/`.
    public var tlsProbe: (any TLSEndpointProbe)?
    /// Checks the vCenter Server of a Bitfusion server; nil when the root is not `/`.
    public var vcenterVerifier: (any VCenterVerifier)?
    /// This instance's identity digest.
    public var instance: String
    /// The identity digest under which this step last ran, when that was another instance
    /// (this VM is a clone, or was moved): set by the engine for each step.
    public var previousInstance: String?
    /// What the secrets in VMware guestinfo are, for clearing them after use; nil when no
    /// source read guestinfo.
    public var guestinfo: GuestinfoSecrets?

    public init(
        spec: GuestSpec, fs: any FileSystem, onHost: Bool, adapters: [EthernetAdapter] = [],
        driverProbe: (any DriverProbe)? = nil, tlsProbe: (any TLSEndpointProbe)? = nil,
        vcenterVerifier: (any VCenterVerifier)? = nil, instance: String = "", previousInstance: String? = nil,
        guestinfo: GuestinfoSecrets? = nil
    ) {
        self.spec = spec
        self.fs = fs
        self.onHost = onHost
        self.adapters = adapters
        self.driverProbe = driverProbe
        self.tlsProbe = tlsProbe
        self.vcenterVerifier = vcenterVerifier
        self.instance = instance
        self.previousInstance = previousInstance
        self.guestinfo = guestinfo
    }
}

/// What a step would do: data, applied by the engine.
public struct StepPlan: Sendable, Equatable {
    public var changes: [Change]
    public var diagnostics: [Diagnostic]
    /// Whether the machine must reboot after these changes before later steps can go on.
    public var rebootAfter: Bool
    /// Why it must, in words, when `rebootAfter`: recorded with the step, shown by `status`
    /// and the doctor.
    public var rebootReason: String?
    /// Facts worth keeping after the run (the NIC mapping): saved with the step's record and
    /// shown by `status`. Never a property value that could be a secret.
    public var notes: [String]

    public init(
        changes: [Change] = [], diagnostics: [Diagnostic] = [], rebootAfter: Bool = false, rebootReason: String? = nil,
        notes: [String] = []
    ) {
        self.changes = changes
        self.diagnostics = diagnostics
        self.rebootAfter = rebootAfter
        self.rebootReason = rebootReason
        self.notes = notes
    }
}

/// One unit of provisioning. `check` says whether the machine already is as the spec asks;
/// `plan` says what would make it so; the engine applies the plan. Steps are pure over
/// their context: they read, they never write.
public protocol Step: Sendable {
    var id: String { get }
    var stage: Stage { get }
    var frequency: StepFrequency { get }
    /// One line for `status` and help.
    var summary: String { get }
    func plan(_ context: StepContext) throws -> StepPlan
}

extension Step {
    /// Whether the machine already is as the step wants it: its plan changes nothing.
    public func check(_ context: StepContext) throws -> Bool { try plan(context).changes.isEmpty }
}
