/// What the loaded NVIDIA driver says about one GPU's virtualization and vGPU licence (NVML).
public struct VGPUDriverReport: Sendable, Equatable {
    /// The PCI address, normalised as guestprep writes it (`0000:02:00.0`).
    public var address: String
    /// The name NVML reports: in a vGPU guest its type's (`NVIDIA H100-80C` is the Product Name
    /// in the nvidia-smi sample of NVIDIA AI Enterprise's "NVIDIA vGPU for Compute Licensing").
    public var name: String
    /// NVML's virtualization mode; nil when NVML could not tell.
    public var mode: GPUVirtualizationMode?
    /// The licensable features and their state; nil when NVML could not tell.
    public var license: VGPULicenseReport?

    public init(address: String, name: String, mode: GPUVirtualizationMode?, license: VGPULicenseReport?) {
        self.address = address
        self.name = name
        self.mode = mode
        self.license = license
    }
}

/// nvmlGpuVirtualizationMode_t (nvml.h of NVML 13.3.29, NVIDIA/go-nvml 2f9e261).
public enum GPUVirtualizationMode: Int32, Sendable, Equatable {
    /// `NVML_GPU_VIRTUALIZATION_MODE_NONE`: bare metal.
    case bareMetal = 0
    /// `..._PASSTHROUGH`: a whole GPU passed through.
    case passthrough = 1
    /// `..._VGPU`: "Device is associated with vGPU inside virtual machine".
    case vgpu = 2
    /// `..._HOST_VGPU`, `..._HOST_VSGA`: the hypervisor's side.
    case hostVGPU = 3
    case hostVSGA = 4
}

/// nvmlGridLicensableFeatures_t, decoded: whether vGPU software licensing applies, and each
/// licensable feature with its state.
public struct VGPULicenseReport: Sendable, Equatable {
    /// One nvmlGridLicensableFeature_t.
    public struct Feature: Sendable, Equatable {
        /// nvmlGridLicenseFeatureCode_t: 1 vGPU, 2 NVIDIA RTX, 3 gaming, 4 compute.
        public var code: Int32
        /// `featureState`: "Non-zero if feature is currently licensed".
        public var licensed: Bool
        /// `featureEnabled`: "Non-zero if feature is enabled".
        public var enabled: Bool
        /// `productName`: the licensed product (`NVIDIA RTX Virtual Workstation`).
        public var product: String

        public init(code: Int32, licensed: Bool, enabled: Bool, product: String) {
            self.code = code
            self.licensed = licensed
            self.enabled = enabled
            self.product = product
        }
    }

    /// `isGridLicenseSupported`.
    public var supported: Bool
    public var features: [Feature]

    public init(supported: Bool, features: [Feature]) {
        self.supported = supported
        self.features = features
    }

    /// Whether the GPU holds a licence: true when an enabled feature is licensed, false when
    /// licensing applies and none is, nil when licensing does not apply (a passthrough GPU
    /// under a driver without licensing).
    public var licensed: Bool? {
        guard supported else { return nil }
        let enabled = features.filter(\.enabled)
        return (enabled.isEmpty ? features : enabled).contains(where: \.licensed)
    }

    /// The product the enabled feature licenses, for messages.
    public var product: String? {
        (features.first { $0.enabled } ?? features.first)?.product.nilIfEmpty
    }

    // The layout of nvmlGridLicensableFeatures_t in nvml.h of NVML 13.3.29 (NVIDIA/go-nvml
    // 2f9e261), measured with offsetof against that header on x86-64 (every member is 4-byte
    // aligned or smaller, so aarch64 lays it out alike): `int isGridLicenseSupported` at 0, `unsigned int
    // licensableFeaturesCount` at 4, then NVML_GRID_LICENSE_FEATURE_MAX_COUNT (3)
    // nvmlGridLicensableFeature_t of 284 bytes from 8: `featureCode` (enum, 4) at 0,
    // `featureState` at 4, `licenseInfo[128]` at 8, `productName[128]` at 136, `featureEnabled`
    // at 264, `nvmlGridLicenseExpiry_t licenseExpiry` (16) at 268.
    public static let structSize = 860
    static let featuresOffset = 8
    static let featureSize = 284
    static let maxFeatures = 3
    static let productOffset = 136
    static let enabledOffset = 264
    static let textSize = 128

    /// Decodes nvmlGridLicensableFeatures_t as NVML filled it. The count is the driver's and
    /// is bounded by the array; a buffer of another size is nil.
    public static func decode(_ bytes: [UInt8]) -> VGPULicenseReport? {
        guard bytes.count == structSize else { return nil }
        func int32(_ offset: Int) -> Int32 {
            Int32(bitPattern: UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
        }
        let count = min(Int(UInt32(bitPattern: int32(4))), maxFeatures)
        let features = (0..<count).map { index -> Feature in
            let base = featuresOffset + index * featureSize
            let text = bytes[(base + productOffset)..<(base + productOffset + textSize)].prefix { $0 != 0 }
            return Feature(
                code: int32(base), licensed: int32(base + 4) != 0, enabled: int32(base + enabledOffset) != 0,
                product: String(decoding: text, as: UTF8.self))
        }
        return VGPULicenseReport(supported: int32(0) != 0, features: features)
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// Asks the loaded NVIDIA driver about vGPUs and their licence. The real one is
/// GuestPrepLinux's `NVMLProbe` (the same `DriverProbe` a step's context holds).
public protocol VGPUProbe: Sendable {
    /// One report per GPU the driver sees. When `waitForLicense` is more than zero and some vGPU
    /// is unlicensed, asks again each second up to that many seconds (nvidia-gridd acquires
    /// the licence after it starts).
    func vgpuReports(waitForLicense seconds: Int) throws -> [VGPUDriverReport]
}
