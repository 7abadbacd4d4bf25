/// How an NVIDIA vGPU guest is licensed: `guestinfo.guestprep.vgpu.*`, validated.
public struct VGPULicensing: Sendable, Equatable {
    /// `FeatureType` for /etc/nvidia/gridd.conf; nil leaves the file's own value (or, when it
    /// has none, writes `1`, the vGPU default).
    public var featureType: VGPUFeatureType?
    /// The NVIDIA License System's client configuration token (the text of the .tok file the
    /// licensing portal or a DLS instance gives); nil once guestprep cleared it from guestinfo
    /// after installing it, or when the image already holds a token.
    public var clientConfigToken: Secret?

    public init(featureType: VGPUFeatureType? = nil, clientConfigToken: Secret? = nil) {
        self.featureType = featureType
        self.clientConfigToken = clientConfigToken
    }
}

/// The licensed product nvidia-gridd requests, as `FeatureType` of /etc/nvidia/gridd.conf.
///
/// Values as the gridd.conf template NVIDIA's guest driver installs describes them ("0 => for
/// unlicensed state, 1 => for NVIDIA vGPU (Optional, autodetected as per vGPU type), 2 => for
/// NVIDIA RTX Virtual Workstation, 4 => for NVIDIA Virtual Compute Server; All other values
/// reserved"). Source: NVIDIA's GPU Operator documentation, which quotes that template
/// (github.com/NVIDIA/gpu-operator, "Configure the Cluster with the vGPU License Information";
/// checked 2026-12), and the same codes in NVML's nvmlGridLicenseFeatureCode_t (nvml.h of
/// NVML 13.3.29, NVIDIA/go-nvml 2f9e261: VGPU = 1, NVIDIA_RTX = 2, COMPUTE = 4).
public enum VGPUFeatureType: Int, Sendable, Equatable, CaseIterable {
    case unlicensed = 0
    case vgpu = 1
    case rtxVirtualWorkstation = 2
    case virtualComputeServer = 4

    /// The name a property may give instead of the number.
    public var name: String {
        switch self {
        case .unlicensed: "unlicensed"
        case .vgpu: "vgpu"
        case .rtxVirtualWorkstation: "rtx-vws"
        case .virtualComputeServer: "vcs"
        }
    }

    /// NVIDIA's product name, for messages.
    public var product: String {
        switch self {
        case .unlicensed: "unlicensed state"
        case .vgpu: "NVIDIA vGPU (the product follows the vGPU type)"
        case .rtxVirtualWorkstation: "NVIDIA RTX Virtual Workstation"
        case .virtualComputeServer: "NVIDIA Virtual Compute Server"
        }
    }
}
