/// What the loaded NVIDIA driver says about itself and its GPUs, from NVML or nvidia-smi.
public struct DriverQuery: Sendable, Equatable {
    /// One GPU as the driver sees it.
    public struct GPU: Sendable, Equatable {
        /// The PCI address, normalised as guestprep writes it (`0000:3b:00.0`, lower case).
        public var address: String
        /// The product name the driver reports (`Tesla V100-PCIE-32GB`).
        public var name: String
        /// Whether persistence mode is on.
        public var persistenceMode: Bool
        /// The GPU's total memory in bytes (NVML's nvmlDeviceGetMemoryInfo), nil when the
        /// answer came from nvidia-smi or NVML would not say.
        public var memoryTotalBytes: UInt64?

        public init(address: String, name: String, persistenceMode: Bool, memoryTotalBytes: UInt64? = nil) {
            self.address = address
            self.name = name
            self.persistenceMode = persistenceMode
            self.memoryTotalBytes = memoryTotalBytes
        }
    }

    /// The driver's version (`580.95.05`).
    public var driverVersion: String
    public var gpus: [GPU]
    /// Where the answer came from: `NVML` or `nvidia-smi`.
    public var source: String

    public init(driverVersion: String, gpus: [GPU], source: String) {
        self.driverVersion = driverVersion
        self.gpus = gpus
        self.source = source
    }
}

/// Why the driver could not be asked.
public enum DriverQueryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither libnvidia-ml.so.1 nor nvidia-smi is there: no driver is installed.
    case notInstalled(String)
    /// The library or tool is there but the driver does not answer (module not loaded, a
    /// version mismatch between library and module, no device nodes).
    case notResponding(String)

    public var description: String {
        switch self {
        case .notInstalled(let detail): "the NVIDIA driver is not installed (\(detail))"
        case .notResponding(let detail): "the NVIDIA driver does not answer (\(detail))"
        }
    }
}

/// Asks the loaded NVIDIA driver what it sees. The real one (GuestPrepLinux's `NVMLProbe`)
/// binds libnvidia-ml.so.1 with dlopen, so guestprep has no build-time dependency on it.
public protocol DriverProbe: Sendable {
    func query() throws -> DriverQuery
}
