/// The role profiles shipped with guestprep, built into the binary so it needs no data files at
/// run time: SwiftPM embeds `profiles/NAME.yaml` of the source tree, their only copy (see the
/// GuestPrepConfig target's resources in Package.swift). Decode one with ``ProfileDecoder``.
public enum BundledProfiles {
    /// The YAML text of each bundled profile, by profile name.
    public static let all: [String: String] = [
        "bitfusion-client": String(decoding: PackageResources.bitfusion_client_yaml, as: UTF8.self),
        "bitfusion-server": String(decoding: PackageResources.bitfusion_server_yaml, as: UTF8.self),
        "gpu-passthrough": String(decoding: PackageResources.gpu_passthrough_yaml, as: UTF8.self),
        "vgpu-guest": String(decoding: PackageResources.vgpu_guest_yaml, as: UTF8.self),
    ]
}
