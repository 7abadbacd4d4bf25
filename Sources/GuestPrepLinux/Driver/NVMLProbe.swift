#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel

/// Asks the loaded NVIDIA driver through NVML, bound with dlopen from libnvidia-ml.so.1 (the
/// driver installs it), so guestprep has no build-time or load-time dependency on the driver.
/// When the library is missing, nvidia-smi answers instead, through the process runner.
public struct NVMLProbe: DriverProbe {
    /// The library to load: the driver's soname, or a test's stand-in.
    public let library: String
    let runner: (any ProcessRunner)?

    public init(library: String = "libnvidia-ml.so.1", runner: (any ProcessRunner)?) {
        self.library = library
        self.runner = runner
    }

    // The NVML entry points of the driver query (nvml.h); the session binds the common ones.
    typealias GetDriverVersion = @convention(c) (UnsafeMutablePointer<CChar>?, UInt32) -> Int32
    typealias GetPersistence = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?) -> Int32
    typealias GetMemoryInfo = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Int32

    /// nvmlMemory_t (v1): `unsigned long long total, free, used`, in bytes (nvml.h of
    /// NVIDIA/go-nvml 2f9e261, gen/nvml/nvml.h); total first.
    static let memoryInfoSize = 24

    public func query() throws -> DriverQuery {
        do {
            return try NVMLSession.run(library, Self.query)
        } catch DriverQueryError.notInstalled(let reason) where runner != nil {
            return try Self.querySMI(runner: runner!, nvmlProblem: reason)
        }
    }

    static func query(_ nvml: NVMLSession) throws -> DriverQuery {
        let driverVersion = try nvml.bind("nvmlSystemGetDriverVersion", GetDriverVersion.self)
        let getPersistence = try nvml.bind("nvmlDeviceGetPersistenceMode", GetPersistence.self)
        let getMemory = try nvml.bind("nvmlDeviceGetMemoryInfo", GetMemoryInfo.self)
        var text = [CChar](repeating: 0, count: 96)
        try nvml.check(driverVersion(&text, UInt32(text.count)), "nvmlSystemGetDriverVersion")
        let version = String(cString: text)
        var gpus: [DriverQuery.GPU] = []
        for device in try nvml.devices() {
            var mode: Int32 = 0
            try nvml.check(getPersistence(device.handle, &mode), "nvmlDeviceGetPersistenceMode(\(device.index))")
            // The memory only informs the doctor: a GPU that will not say (an error code) has none.
            var memory = [UInt64](repeating: 0, count: memoryInfoSize / 8)
            let memoryCode = memory.withUnsafeMutableBytes { getMemory(device.handle, $0.baseAddress) }
            gpus.append(
                DriverQuery.GPU(
                    address: device.address, name: device.name, persistenceMode: mode == 1,
                    memoryTotalBytes: memoryCode == 0 && memory[0] > 0 ? memory[0] : nil))
        }
        return DriverQuery(driverVersion: version, gpus: gpus, source: "NVML")
    }

    /// nvidia-smi's answer, when NVML could not be loaded.
    static func querySMI(runner: any ProcessRunner, nvmlProblem: String) throws -> DriverQuery {
        guard let executable = CommandTable.resolve("nvidia-smi", using: runner) else {
            throw DriverQueryError.notInstalled("no libnvidia-ml.so.1 (\(nvmlProblem)) and no nvidia-smi")
        }
        let result = try runner.run(executable: executable, arguments: NvidiaSMIDecoder.arguments, timeout: 60)
        guard result.status == 0 else {
            let detail = (result.outputText + result.errorText).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            throw DriverQueryError.notResponding("nvidia-smi exited with status \(result.status): \(detail)")
        }
        guard let decoded = NvidiaSMIDecoder.decode(result.outputText) else {
            throw DriverQueryError.notResponding("nvidia-smi printed what guestprep cannot read: \(result.outputText.prefix(200))")
        }
        return DriverQuery(
            driverVersion: decoded.driverVersion,
            gpus: decoded.gpus.map { DriverQuery.GPU(address: $0.address, name: $0.name, persistenceMode: $0.persistence) },
            source: "nvidia-smi")
    }
}
