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

    // The NVML entry points guestprep uses (nvml.h); nvmlReturn_t is an int, 0 is success.
    typealias Init = @convention(c) () -> Int32
    typealias Shutdown = @convention(c) () -> Int32
    typealias ErrorString = @convention(c) (Int32) -> UnsafePointer<CChar>?
    typealias GetDriverVersion = @convention(c) (UnsafeMutablePointer<CChar>?, UInt32) -> Int32
    typealias GetCount = @convention(c) (UnsafeMutablePointer<UInt32>?) -> Int32
    typealias GetHandle = @convention(c) (UInt32, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    typealias GetPCIInfo = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Int32
    typealias GetName = @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, UInt32) -> Int32
    typealias GetPersistence = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?) -> Int32
    typealias GetMemoryInfo = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Int32

    /// nvmlPciInfo_t (v3): `char busIdLegacy[16]`, five `unsigned int`s, then `char busId[32]`.
    static let pciInfoSize = 68
    static let busIDOffset = 36
    /// nvmlMemory_t (v1): `unsigned long long total, free, used`, in bytes (nvml.h of
    /// NVIDIA/go-nvml 2f9e261, gen/nvml/nvml.h); total first.
    static let memoryInfoSize = 24

    public func query() throws -> DriverQuery {
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            if let runner { return try Self.querySMI(runner: runner, nvmlProblem: reason) }
            throw DriverQueryError.notInstalled(reason)
        }
        defer { dlclose(handle) }
        func bind<T>(_ name: String, _ type: T.Type) throws -> T {
            guard let symbol = dlsym(handle, name) else {
                throw DriverQueryError.notResponding("\(library) has no \(name)")
            }
            return unsafeBitCast(symbol, to: type)
        }
        let initialize = try bind("nvmlInit_v2", Init.self)
        let shutdown = try bind("nvmlShutdown", Shutdown.self)
        let errorString = try bind("nvmlErrorString", ErrorString.self)
        func check(_ code: Int32, _ call: String) throws {
            guard code != 0 else { return }
            let text = errorString(code).map { String(cString: $0) } ?? "error \(code)"
            throw DriverQueryError.notResponding("NVML \(call): \(text)")
        }
        try check(initialize(), "nvmlInit")
        defer { _ = shutdown() }
        let driverVersion = try bind("nvmlSystemGetDriverVersion", GetDriverVersion.self)
        let getCount = try bind("nvmlDeviceGetCount_v2", GetCount.self)
        let getHandle = try bind("nvmlDeviceGetHandleByIndex_v2", GetHandle.self)
        let getPCI = try bind("nvmlDeviceGetPciInfo_v3", GetPCIInfo.self)
        let getName = try bind("nvmlDeviceGetName", GetName.self)
        let getPersistence = try bind("nvmlDeviceGetPersistenceMode", GetPersistence.self)
        let getMemory = try bind("nvmlDeviceGetMemoryInfo", GetMemoryInfo.self)

        var text = [CChar](repeating: 0, count: 96)
        try check(driverVersion(&text, UInt32(text.count)), "nvmlSystemGetDriverVersion")
        let version = String(cString: text)
        var count: UInt32 = 0
        try check(getCount(&count), "nvmlDeviceGetCount")
        var gpus: [DriverQuery.GPU] = []
        for index in 0..<count {
            var device: OpaquePointer?
            try check(getHandle(index, &device), "nvmlDeviceGetHandleByIndex(\(index))")
            var info = [UInt8](repeating: 0, count: 128)
            try info.withUnsafeMutableBytes { try check(getPCI(device, $0.baseAddress), "nvmlDeviceGetPciInfo(\(index))") }
            let busID = info[Self.busIDOffset..<(Self.busIDOffset + 32)].prefix { $0 != 0 }
            var name = [CChar](repeating: 0, count: 96)
            try check(getName(device, &name, UInt32(name.count)), "nvmlDeviceGetName(\(index))")
            var mode: Int32 = 0
            try check(getPersistence(device, &mode), "nvmlDeviceGetPersistenceMode(\(index))")
            // The memory only informs the doctor: a GPU that will not say (an error code) has none.
            var memory = [UInt64](repeating: 0, count: Self.memoryInfoSize / 8)
            let memoryCode = memory.withUnsafeMutableBytes { getMemory(device, $0.baseAddress) }
            let text = String(decoding: busID, as: UTF8.self)
            gpus.append(
                DriverQuery.GPU(
                    address: NvidiaSMIDecoder.normalizedAddress(text) ?? text.lowercased(), name: String(cString: name),
                    persistenceMode: mode == 1, memoryTotalBytes: memoryCode == 0 && memory[0] > 0 ? memory[0] : nil))
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
