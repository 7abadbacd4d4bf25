/// How an NVIDIA vGPU guest is licensed: `guestinfo.guestprep.vgpu.*`, validated.
public struct VGPULicensing: Sendable, Equatable {
    /// `FeatureType` for /etc/nvidia/gridd.conf; nil leaves the file's own value (or, when it
    /// has none, writes `1`, NVIDIA vGPU).
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
/// The values NVIDIA documents for gridd.conf: 0 unlicensed state, 1 NVIDIA vGPU, 2 NVIDIA RTX
/// Virtual Workstation, 4 NVIDIA Virtual Compute Server (NVIDIA/cloud-native-docs 52dcb7b,
/// gpu-operator/install-gpu-operator-vgpu.rst, the gridd.conf of "Configure the Cluster with
/// the vGPU License Information"; checked 2026-12), the same codes as NVML's
/// nvmlGridLicenseFeatureCode_t (nvml.h of NVML 13.3.29, NVIDIA/go-nvml 2f9e261: VGPU = 1,
/// NVIDIA_RTX = 2, COMPUTE = 4). NVML's 3 (GAMING) is no documented FeatureType: refused.
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
        case .vgpu: "NVIDIA vGPU"
        case .rtxVirtualWorkstation: "NVIDIA RTX Virtual Workstation"
        case .virtualComputeServer: "NVIDIA Virtual Compute Server"
        }
    }
}
