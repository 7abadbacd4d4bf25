/// One NVIDIA GPU product as the GPU catalog (`profiles/catalog/gpus.yaml`) describes it: how to
/// recognise it on the PCI bus and what it asks of the hypervisor's MMIO window and of the driver.
///
/// Every figure is per PCI function: a board that carries several GPUs (A16: four) appears as
/// that many functions, each with this memory and these BARs.
public struct GPUModel: Sendable, Equatable {
    /// The product name, as NVIDIA's driver names it without the "NVIDIA " prefix ("A100 PCIe 40GB").
    public let name: String
    /// The PCI device IDs of the product (the vendor is always NVIDIA, 0x10de), the main one
    /// first: some products have several (A100 PCIe 40GB: 0x20f1 and 0x20b1). Never empty.
    public let deviceIDs: [UInt16]
    /// The PCI subsystem IDs that tell this product apart from others with the same device ID
    /// (A2 and A16 share 0x25b6); empty when the device ID alone identifies it.
    public let subsystems: [PCISubsystem]
    /// The GPU architecture.
    public let architecture: GPUArchitecture
    /// The memory of one GPU in GiB, as the datasheet gives it (its "GB").
    public let memoryGiB: Int
    /// The memory BARs the device declares, in index order.
    public let bars: [GPUModelBAR]
    /// How much of the BAR figures was read from a real device.
    public let barEvidence: BAREvidence
    /// Where the BAR figures come from, in words.
    public let barSource: String
    /// Whether the product works with NVIDIA's open kernel modules.
    public let openKernelModules: OpenKernelModules
    /// The last driver branch that supports the product (580 for Volta); nil while current
    /// branches still do.
    public let lastDriverBranch: Int?
    /// How the framebuffer aperture (BAR1; Hopper and later: BAR2) behaves: always the size
    /// in `bars`, smaller in a display mode, or absent (GH200).
    public let bar1: BAR1Behaviour

    /// A model with every property given.
    public init(
        name: String, deviceIDs: [UInt16], subsystems: [PCISubsystem] = [], architecture: GPUArchitecture,
        memoryGiB: Int, bars: [GPUModelBAR], barEvidence: BAREvidence, barSource: String,
        openKernelModules: OpenKernelModules, lastDriverBranch: Int? = nil, bar1: BAR1Behaviour = .fixed
    ) {
        self.name = name
        self.deviceIDs = deviceIDs
        self.subsystems = subsystems
        self.architecture = architecture
        self.memoryGiB = memoryGiB
        self.bars = bars
        self.barEvidence = barEvidence
        self.barSource = barSource
        self.openKernelModules = openKernelModules
        self.lastDriverBranch = lastDriverBranch
        self.bar1 = bar1
    }

    /// The main device ID, the first of `deviceIDs`.
    public var deviceID: UInt16 { deviceIDs[0] }

    /// The index of the framebuffer aperture, "BAR1": 1 before Hopper, 2 from Hopper on.
    public var framebufferBARIndex: Int {
        architecture == .hopper || architecture == .blackwell ? 2 : 1
    }

    /// Whether the size of the BAR at `index` was read from a real device (all of them when
    /// `measured`; only the framebuffer BAR when `bar1Measured`).
    public func isSizeMeasured(at index: Int) -> Bool {
        switch barEvidence {
        case .measured: true
        case .bar1Measured: index == framebufferBARIndex
        case .estimated: false
        }
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

/// How much of a catalog entry's BAR figures was read from a real device. The raw value is the
/// catalog's spelling (`bar-sizes`).
public enum BAREvidence: String, Sendable, Equatable, CaseIterable {
    /// Every BAR's size and type, from a real device's lspci, sysfs resource, kernel log or
    /// Windows resource list.
    case measured
    /// Only the framebuffer BAR's size, from nvidia-smi's "BAR1 Memory Usage Total" of a real
    /// device; the other BARs follow the architecture's layout.
    case bar1Measured = "bar1-measured"
    /// Inferred from the architecture's layout and the board's memory (see the source).
    case estimated
}

/// How a GPU's framebuffer aperture (BAR1; Hopper and later: BAR2) behaves.
public enum BAR1Behaviour: Sendable, Equatable {
    /// Always the size the catalog's `bars` give.
    case fixed
    /// The catalog's size holds in the board's compute mode (display outputs off, or with
    /// Resizable BAR); in a display mode (NVIDIA's Display Mode Selector) the board declares
    /// `displayMode` bytes instead (256 MiB).
    case modeDependent(displayMode: UInt64)
    /// No BAR1 aperture in the usual sense (GH200: its memory is reached over NVLink-C2C and
    /// nvidia-smi reports BAR1 N/A), so no BAR1 rule applies.
    case none
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
