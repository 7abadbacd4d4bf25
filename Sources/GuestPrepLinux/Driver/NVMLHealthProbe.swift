import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel

/// The health readings of the NVIDIA driver's GPUs through NVML, bound with dlopen in an
/// `NVMLSession` as `NVMLProbe` does. Signatures, enum values and the error code checked
/// against nvml.h of NVML 13.3.29 (NVIDIA/go-nvml 2f9e261fe40a7a1c54783d66805e8920564763b4,
/// gen/nvml/nvml.h). Every entry point but the driver version is optional: one an older
/// driver lacks leaves its reading `unavailable`, so only that check is `unknown`.
public struct NVMLHealthProbe: GPUHealthProbe {
    /// The library to load: the driver's soname, or a test's stand-in.
    public let library: String

    public init(library: String = "libnvidia-ml.so.1") {
        self.library = library
    }

    // nvmlReturn_t and every enum (nvmlEnableState_t, nvmlComputeMode_t, nvmlPstates_t,
    // nvmlTemperatureSensors_t, nvmlTemperatureThresholds_t, nvmlMemoryErrorType_t,
    // nvmlEccCounterType_t, nvmlPageRetirementCause_t) are C enums: 32-bit ints.
    typealias GetDriverVersion = @convention(c) (UnsafeMutablePointer<CChar>?, UInt32) -> Int32
    typealias GetEnum = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?) -> Int32
    /// nvmlDeviceGetTemperature(device, nvmlTemperatureSensors_t, unsigned int *temp) and
    /// nvmlDeviceGetTemperatureThreshold(device, nvmlTemperatureThresholds_t, unsigned int *temp).
    typealias GetTemperature = @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<UInt32>?) -> Int32
    /// nvmlDeviceGetTotalEccErrors(device, nvmlMemoryErrorType_t, nvmlEccCounterType_t, unsigned long long *).
    typealias GetTotalEccErrors = @convention(c) (OpaquePointer?, Int32, Int32, UnsafeMutablePointer<UInt64>?) -> Int32
    /// nvmlDeviceGetRetiredPages(device, nvmlPageRetirementCause_t, unsigned int *pageCount,
    /// unsigned long long *addresses).
    typealias GetRetiredPages = @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<UInt64>?) -> Int32
    /// nvmlDeviceGetRemappedRows(device, unsigned int *corrRows, unsigned int *uncRows,
    /// unsigned int *isPending, unsigned int *failureOccurred).
    typealias GetRemappedRows = @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<UInt32>?,
        UnsafeMutablePointer<UInt32>?
    ) -> Int32

    // nvml.h's values.
    static let notSupported: Int32 = 3  // NVML_ERROR_NOT_SUPPORTED
    static let insufficientSize: Int32 = 7  // NVML_ERROR_INSUFFICIENT_SIZE
    static let temperatureGPU: Int32 = 0  // NVML_TEMPERATURE_GPU
    static let thresholdSlowdown: Int32 = 1  // NVML_TEMPERATURE_THRESHOLD_SLOWDOWN
    static let uncorrected: Int32 = 1  // NVML_MEMORY_ERROR_TYPE_UNCORRECTED
    static let volatileECC: Int32 = 0  // NVML_VOLATILE_ECC
    static let causeMultipleSingleBit: Int32 = 0  // NVML_PAGE_RETIREMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS
    static let causeDoubleBit: Int32 = 1  // NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR

    public func read() throws -> GPUHealthReadings {
        try NVMLSession.run(library) { nvml in
            let driverVersion = try nvml.bind("nvmlSystemGetDriverVersion", GetDriverVersion.self)
            var text = [CChar](repeating: 0, count: 96)
            try nvml.check(driverVersion(&text, UInt32(text.count)), "nvmlSystemGetDriverVersion")
            let calls = Calls(nvml)
            return GPUHealthReadings(
                driverVersion: String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), gpus: try nvml.devices().map(calls.read))
        }
    }

    /// The optional entry points, bound once per session.
    struct Calls {
        let nvml: NVMLSession
        let persistence: GetEnum?
        let computeMode: GetEnum?
        let performanceState: GetEnum?
        let temperature: GetTemperature?
        let threshold: GetTemperature?
        let ecc: GetTotalEccErrors?
        let retiredPages: GetRetiredPages?
        let retiredPending: GetEnum?
        let remappedRows: GetRemappedRows?

        init(_ nvml: NVMLSession) {
            self.nvml = nvml
            persistence = nvml.optional("nvmlDeviceGetPersistenceMode", GetEnum.self)
            computeMode = nvml.optional("nvmlDeviceGetComputeMode", GetEnum.self)
            performanceState = nvml.optional("nvmlDeviceGetPerformanceState", GetEnum.self)
            // Deprecated in NVML 13.0 for nvmlDeviceGetTemperatureV, still exported: every
            // driver guestprep installs has it.
            temperature = nvml.optional("nvmlDeviceGetTemperature", GetTemperature.self)
            threshold = nvml.optional("nvmlDeviceGetTemperatureThreshold", GetTemperature.self)
            ecc = nvml.optional("nvmlDeviceGetTotalEccErrors", GetTotalEccErrors.self)
            retiredPages = nvml.optional("nvmlDeviceGetRetiredPages", GetRetiredPages.self)
            retiredPending = nvml.optional("nvmlDeviceGetRetiredPagesPendingStatus", GetEnum.self)
            remappedRows = nvml.optional("nvmlDeviceGetRemappedRows", GetRemappedRows.self)
        }

        /// The answer for a call that returned `code`: `value` on success.
        func answer<T>(_ code: Int32, _ call: String, _ value: () -> T) -> NVMLAnswer<T> {
            if code == 0 { return .value(value()) }
            if code == NVMLHealthProbe.notSupported { return .notSupported }
            do {
                try nvml.check(code, call)
                return .value(value())
            } catch DriverQueryError.notResponding(let words) {
                return .unavailable(words)
            } catch {
                return .unavailable("\(error)")
            }
        }

        func missing<T>(_ name: String) -> NVMLAnswer<T> {
            .unavailable("this driver's libnvidia-ml has no \(name)")
        }

        func enumAnswer(_ function: GetEnum?, _ name: String, _ device: NVMLSession.Device) -> NVMLAnswer<Int32> {
            guard let function else { return missing(name) }
            var value: Int32 = -1
            let code = function(device.handle, &value)
            return answer(code, "\(name)(\(device.index))") { value }
        }

        func read(_ device: NVMLSession.Device) -> GPUHealthReading {
            let persistenceMode: NVMLAnswer<Bool> = map(enumAnswer(persistence, "nvmlDeviceGetPersistenceMode", device)) { $0 == 1 }
            let mode = enumAnswer(computeMode, "nvmlDeviceGetComputeMode", device)
            let compute: NVMLAnswer<GPUHealthReading.ComputeMode>
            if case .value(let raw) = mode, GPUHealthReading.ComputeMode(rawValue: Int(raw)) == nil {
                compute = .unavailable("NVML gave compute mode \(raw), which nvml.h does not define")
            } else {
                compute = map(mode) { GPUHealthReading.ComputeMode(rawValue: Int($0))! }
            }
            // nvmlPstates_t: 0 to 15, and 32 for NVML_PSTATE_UNKNOWN.
            let state = enumAnswer(performanceState, "nvmlDeviceGetPerformanceState", device)
            let performance: NVMLAnswer<Int> =
                if case .value(let raw) = state, !(0...15).contains(raw) { .unavailable("performance state unknown (\(raw))") } else {
                    map(state) { Int($0) }
                }
            return GPUHealthReading(
                address: device.address, name: device.name, persistenceMode: persistenceMode, computeMode: compute,
                temperature: degrees(temperature, "nvmlDeviceGetTemperature", NVMLHealthProbe.temperatureGPU, device),
                slowdownThreshold: degrees(
                    threshold, "nvmlDeviceGetTemperatureThreshold", NVMLHealthProbe.thresholdSlowdown, device),
                performanceState: performance, volatileDoubleBitErrors: doubleBitErrors(device),
                retiredPages: pages(device), rowRemap: rows(device))
        }

        func map<T, U>(_ answer: NVMLAnswer<T>, _ transform: (T) -> U) -> NVMLAnswer<U> {
            switch answer {
            case .value(let value): .value(transform(value))
            case .notSupported: .notSupported
            case .unavailable(let why): .unavailable(why)
            }
        }

        func degrees(_ function: GetTemperature?, _ name: String, _ kind: Int32, _ device: NVMLSession.Device) -> NVMLAnswer<Int> {
            guard let function else { return missing(name) }
            var value: UInt32 = 0
            let code = function(device.handle, kind, &value)
            return answer(code, "\(name)(\(device.index))") { Int(value) }
        }

        func doubleBitErrors(_ device: NVMLSession.Device) -> NVMLAnswer<UInt64> {
            guard let ecc else { return missing("nvmlDeviceGetTotalEccErrors") }
            var count: UInt64 = 0
            let code = ecc(device.handle, NVMLHealthProbe.uncorrected, NVMLHealthProbe.volatileECC, &count)
            return answer(code, "nvmlDeviceGetTotalEccErrors(\(device.index))") { count }
        }

        func pages(_ device: NVMLSession.Device) -> NVMLAnswer<GPUHealthReading.RetiredPages> {
            guard let retiredPages else { return missing("nvmlDeviceGetRetiredPages") }
            // A count of 0 asks for the number only: NVML sets it, with success when there are
            // none and NVML_ERROR_INSUFFICIENT_SIZE when there are some.
            func count(_ cause: Int32) -> NVMLAnswer<Int> {
                var count: UInt32 = 0
                var address: UInt64 = 0
                let code = retiredPages(device.handle, cause, &count, &address)
                return answer(code == NVMLHealthProbe.insufficientSize ? 0 : code, "nvmlDeviceGetRetiredPages(\(device.index))") {
                    Int(count)
                }
            }
            let pending = { enumAnswer(retiredPending, "nvmlDeviceGetRetiredPagesPendingStatus", device).value.map { $0 == 1 } }
            switch (count(NVMLHealthProbe.causeMultipleSingleBit), count(NVMLHealthProbe.causeDoubleBit)) {
            case (.value(let single), .value(let double)):
                return .value(GPUHealthReading.RetiredPages(multipleSingleBit: single, doubleBit: double, pending: pending()))
            case (.unavailable(let why), _), (_, .unavailable(let why)):
                return .unavailable(why)
            default:
                return .notSupported
            }
        }

        func rows(_ device: NVMLSession.Device) -> NVMLAnswer<GPUHealthReading.RowRemap> {
            guard let remappedRows else { return missing("nvmlDeviceGetRemappedRows") }
            var correctable: UInt32 = 0
            var uncorrectable: UInt32 = 0
            var pending: UInt32 = 0
            var failed: UInt32 = 0
            let code = remappedRows(device.handle, &correctable, &uncorrectable, &pending, &failed)
            return answer(code, "nvmlDeviceGetRemappedRows(\(device.index))") {
                GPUHealthReading.RowRemap(
                    correctable: Int(correctable), uncorrectable: Int(uncorrectable), pending: pending != 0, failed: failed != 0)
            }
        }
    }
}
