/// One NVIDIA GPU product as the GPU catalog (`profiles/catalog/gpus.yaml`) describes it: how to
/// recognise it on the PCI bus and what it asks of the hypervisor's MMIO window and of the driver.
///
/// Every figure is per PCI function: a board that carries several GPUs (A16: four) appears as
/// that many functions, each with this memory and these BARs.
public struct GPUModel: Sendable, Equatable {
    /// The product name, as NVIDIA's driver names it without the "NVIDIA " prefix ("A100 PCIe 40GB").
    public let name: String
    /// The PCI device ID (the vendor is always NVIDIA, 0x10de).
    public let deviceID: UInt16
    /// The PCI subsystem IDs that tell this product apart from others with the same device ID
    /// (A2 and A16 share 0x25b6); empty when the device ID alone identifies it.
    public let subsystems: [PCISubsystem]
    /// The GPU architecture.
    public let architecture: GPUArchitecture
    /// The memory of one GPU in GiB, as the datasheet gives it (its "GB").
    public let memoryGiB: Int
    /// The memory BARs the device declares, in index order.
    public let bars: [GPUModelBAR]
    /// Whether the BAR sizes are an estimate rather than read from a real device's resources.
    public let barSizesEstimated: Bool
    /// Where the BAR figures come from, in words.
    public let barSource: String
    /// Whether the product works with NVIDIA's open kernel modules.
    public let openKernelModules: OpenKernelModules
    /// The last driver branch that supports the product (580 for Volta); nil while current
    /// branches still do.
    public let lastDriverBranch: Int?

    /// A model with every property given.
    public init(
        name: String, deviceID: UInt16, subsystems: [PCISubsystem] = [], architecture: GPUArchitecture,
        memoryGiB: Int, bars: [GPUModelBAR], barSizesEstimated: Bool, barSource: String,
        openKernelModules: OpenKernelModules, lastDriverBranch: Int? = nil
    ) {
        self.name = name
        self.deviceID = deviceID
        self.subsystems = subsystems
        self.architecture = architecture
        self.memoryGiB = memoryGiB
        self.bars = bars
        self.barSizesEstimated = barSizesEstimated
        self.barSource = barSource
        self.openKernelModules = openKernelModules
        self.lastDriverBranch = lastDriverBranch
    }

    /// The bytes of all 64-bit BARs together: what one such GPU needs of the hypervisor's 64-bit
    /// MMIO window (`pciPassthru.64bitMMIOSizeGB`, `-HighMemoryMappedIoSpace`, pcihole64).
    public var largeBARBytes: UInt64 {
        bars.filter(\.is64Bit).reduce(0) { $0 + $1.size }
    }

    /// The bytes of all 32-bit BARs together: what one such GPU needs below 4 GiB
    /// (`-LowMemoryMappedIoSpace`).
    public var total32BitBARBytes: UInt64 {
        bars.filter { !$0.is64Bit }.reduce(0) { $0 + $1.size }
    }

    /// The BAR at `index`, when the device declares one there.
    public func bar(at index: Int) -> GPUModelBAR? {
        bars.first { $0.index == index }
    }
}

/// A PCI subsystem ID: the subsystem vendor and subsystem device of a function's config space.
public struct PCISubsystem: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The subsystem vendor ID (0x10de for boards NVIDIA builds).
    public let vendor: UInt16
    /// The subsystem device ID.
    public let device: UInt16

    /// The subsystem `vendor`:`device`.
    public init(vendor: UInt16, device: UInt16) {
        self.vendor = vendor
        self.device = device
    }

    /// `vvvv:dddd` in lowercase hex, as lspci and the catalog write it.
    public var description: String { "\(hex4(vendor)):\(hex4(device))" }
}

/// One memory BAR a GPU declares.
public struct GPUModelBAR: Sendable, Equatable {
    /// The BAR index, 0 to 5. A 64-bit BAR also takes the next index for its upper half.
    public let index: Int
    /// The size in bytes, a power of two.
    public let size: UInt64
    /// Whether the BAR is 64-bit (it may be placed above 4 GiB) rather than 32-bit.
    public let is64Bit: Bool
    /// Whether the BAR is prefetchable.
    public let isPrefetchable: Bool

    /// A BAR at `index` of `size` bytes.
    public init(index: Int, size: UInt64, is64Bit: Bool, isPrefetchable: Bool) {
        self.index = index
        self.size = size
        self.is64Bit = is64Bit
        self.isPrefetchable = isPrefetchable
    }
}

/// NVIDIA GPU architectures, oldest first. The raw value is the catalog's spelling.
public enum GPUArchitecture: String, Sendable, Equatable, CaseIterable {
    /// Volta (V100), 2017.
    case volta
    /// Turing (T4, RTX 6000/8000), 2018.
    case turing
    /// Ampere (A100, A30, A10, A40, A2, A16, RTX A6000), 2020.
    case ampere
    /// Ada Lovelace (L4, L40, L40S, RTX 6000 Ada), 2022.
    case ada
    /// Hopper (H100, H200), 2022.
    case hopper
    /// Blackwell (B200, RTX PRO 6000 Blackwell), 2024.
    case blackwell
}

/// Whether a GPU works with NVIDIA's open kernel modules (`nvidia-open`, `-m=kernel-open`).
/// The raw value is the catalog's spelling.
public enum OpenKernelModules: String, Sendable, Equatable, CaseIterable {
    /// Only the proprietary modules drive it (Maxwell, Pascal, Volta).
    case unsupported
    /// Both the open and the proprietary modules drive it (Turing to Hopper).
    case supported
    /// Only the open modules drive it (Blackwell and later).
    case required
}

/// `value` as four lowercase hex digits, as lspci writes PCI IDs.
package func hex4(_ value: UInt16) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 4 - digits.count) + digits
}
