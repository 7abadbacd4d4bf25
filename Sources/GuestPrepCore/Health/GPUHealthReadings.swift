/// One answer of NVML about one GPU: the figure, or why there is none.
public enum NVMLAnswer<Value: Sendable & Equatable>: Sendable, Equatable {
    case value(Value)
    /// NVML_ERROR_NOT_SUPPORTED: the board has no such feature (no ECC, no row remapper before
    /// Ampere, no page retirement after Volta).
    case notSupported
    /// The driver's library lacks the entry point (an older driver), or NVML returned another
    /// error: the words say which.
    case unavailable(String)

    /// The figure, nil when there is none.
    public var value: Value? {
        if case .value(let value) = self { return value }
        return nil
    }
}

/// What NVML says of one GPU's health: each reading is its own answer, so one a driver cannot
/// give leaves only its check `unknown`.
public struct GPUHealthReading: Sendable, Equatable {
    /// NVML's compute modes (nvmlComputeMode_t).
    public enum ComputeMode: Int, Sendable, Equatable {
        case `default` = 0
        case exclusiveThread = 1
        case prohibited = 2
        case exclusiveProcess = 3
    }

    /// Pages retired by ECC errors (nvmlDeviceGetRetiredPages, by cause) and whether more
    /// wait for the next driver load (nvmlDeviceGetRetiredPagesPendingStatus).
    public struct RetiredPages: Sendable, Equatable {
        public var multipleSingleBit: Int
        public var doubleBit: Int
        /// nil when the pending status could not be read.
        public var pending: Bool?

        public init(multipleSingleBit: Int, doubleBit: Int, pending: Bool?) {
            self.multipleSingleBit = multipleSingleBit
            self.doubleBit = doubleBit
            self.pending = pending
        }

        public var total: Int { multipleSingleBit + doubleBit }
    }

    /// Rows remapped by the row remapper (Ampere and newer, nvmlDeviceGetRemappedRows).
    public struct RowRemap: Sendable, Equatable {
        public var correctable: Int
        public var uncorrectable: Int
        /// A remap waits for the next GPU reset.
        public var pending: Bool
        /// A remap has failed at some time: the memory cannot hide its faults any more.
        public var failed: Bool

        public init(correctable: Int, uncorrectable: Int, pending: Bool, failed: Bool) {
            self.correctable = correctable
            self.uncorrectable = uncorrectable
            self.pending = pending
            self.failed = failed
        }
    }

    /// The PCI address NVML reports, normalised (`0000:0b:00.0`).
    public var address: String
    public var name: String
    public var persistenceMode: NVMLAnswer<Bool>
    public var computeMode: NVMLAnswer<ComputeMode>
    /// The GPU die's temperature in °C.
    public var temperature: NVMLAnswer<Int>
    /// The board's slowdown threshold in °C (NVML_TEMPERATURE_THRESHOLD_SLOWDOWN).
    public var slowdownThreshold: NVMLAnswer<Int>
    /// The performance state, 0 (P0, maximum performance) to 15; 32 is unknown in NVML.
    public var performanceState: NVMLAnswer<Int>
    /// Uncorrected (double-bit) ECC errors since the driver loaded (NVML_VOLATILE_ECC).
    public var volatileDoubleBitErrors: NVMLAnswer<UInt64>
    public var retiredPages: NVMLAnswer<RetiredPages>
    public var rowRemap: NVMLAnswer<RowRemap>

    public init(
        address: String, name: String, persistenceMode: NVMLAnswer<Bool>, computeMode: NVMLAnswer<ComputeMode>,
        temperature: NVMLAnswer<Int>, slowdownThreshold: NVMLAnswer<Int>, performanceState: NVMLAnswer<Int>,
        volatileDoubleBitErrors: NVMLAnswer<UInt64>, retiredPages: NVMLAnswer<RetiredPages>, rowRemap: NVMLAnswer<RowRemap>
    ) {
        self.address = address
        self.name = name
        self.persistenceMode = persistenceMode
        self.computeMode = computeMode
        self.temperature = temperature
        self.slowdownThreshold = slowdownThreshold
        self.performanceState = performanceState
        self.volatileDoubleBitErrors = volatileDoubleBitErrors
        self.retiredPages = retiredPages
        self.rowRemap = rowRemap
    }
}

/// What the loaded driver says of its GPUs' health.
public struct GPUHealthReadings: Sendable, Equatable {
    /// The driver's version (`580.95.05`).
    public var driverVersion: String
    public var gpus: [GPUHealthReading]

    public init(driverVersion: String, gpus: [GPUHealthReading]) {
        self.driverVersion = driverVersion
        self.gpus = gpus
    }
}

/// Asks the loaded NVIDIA driver for its GPUs' health. The real one (GuestPrepLinux's
/// `NVMLHealthProbe`) binds libnvidia-ml.so.1 with dlopen; it throws `DriverQueryError` when
/// there is no driver or it does not answer.
public protocol GPUHealthProbe: Sendable {
    func read() throws -> GPUHealthReadings
}
