import GuestPrepModel

/// Which role profile a run uses: `--profile`, else `guestinfo.guestprep.profile`, else the
/// role the properties imply — a vCenter URL makes a Bitfusion server, an access token or a
/// token archive a Bitfusion client, an NVIDIA vGPU client configuration token a vGPU guest, and
/// anything else a plain GPU passthrough VM.
public enum RoleInference {
    /// The profile's name and why it was chosen, in words (`plan` shows both).
    public struct Choice: Sendable, Equatable {
        public var profile: String
        public var reason: String

        public init(profile: String, reason: String) {
            self.profile = profile
            self.reason = reason
        }
    }

    public static func choose(option: String?, spec: GuestSpec) -> Choice {
        if let option { return Choice(profile: option, reason: "--profile") }
        if let named = spec.profile { return Choice(profile: named, reason: PropertyKeys.profile) }
        if spec.server != nil {
            return Choice(profile: "bitfusion-server", reason: "inferred: \(PropertyKeys.vcenterURL) is set")
        }
        if let client = spec.client {
            let given = client.archive != nil ? "a token archive is given" : "\(PropertyKeys.clientAccessToken) is set"
            return Choice(profile: "bitfusion-client", reason: "inferred: \(given)")
        }
        if spec.vgpu.clientConfigToken != nil {
            return Choice(profile: "vgpu-guest", reason: "inferred: \(PropertyKeys.vgpuClientConfigToken) is set")
        }
        return Choice(profile: "gpu-passthrough", reason: "inferred: no Bitfusion server or client properties")
    }
}
