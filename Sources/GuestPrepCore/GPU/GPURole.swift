import GuestPrepConfig

/// What the VM's role says about GPUs, for `doctor`: a Bitfusion client uses the GPUs of
/// Bitfusion servers over the network and has none of its own by design, so "no GPU" is a
/// fact there, not a fault.
public struct GPURole: Sendable, Equatable {
    /// The role's profile; nil when no run has recorded one and none was given.
    public var profile: String?
    /// Where the role came from, in words (`--profile`, `the last run (/var/lib/guestprep/state.json)`).
    public var source: String
    /// Whether the role needs NVIDIA GPUs in the VM.
    public var expectsGPU: Bool

    public init(profile: String?, source: String, expectsGPU: Bool) {
        self.profile = profile
        self.source = source
        self.expectsGPU = expectsGPU
    }

    /// No role known: GPUs are expected, as every check assumed before roles.
    public static let unknown = GPURole(profile: nil, source: "no run has recorded a role", expectsGPU: true)

    /// The steps that prepare or check the VM's own GPUs. A profile with none of them (the
    /// bundled `bitfusion-client`, a site's network-only role) expects no GPU; a site profile is
    /// judged by what it runs, not by its name.
    public static let gpuSteps: Set<String> = [
        "nouveau", "driver-sources", "driver", "persistence", "driver-verify", "bitfusion-server-check",
    ]

    /// The role of `profile`, learnt from `source`.
    public init(profile: Profile, source: String) {
        self.init(profile: profile.name, source: source, expectsGPU: profile.steps.contains { Self.gpuSteps.contains($0) })
    }
}
