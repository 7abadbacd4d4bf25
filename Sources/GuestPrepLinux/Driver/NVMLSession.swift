#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepConfig
import GuestPrepCore

/// One NVML session: libnvidia-ml loaded with dlopen and initialised (`nvmlInit_v2`), shut
/// down (`nvmlShutdown`) and unloaded when the body returns. Every NVML query of guestprep goes
/// through it, so loading, binding and error words are in one place. Signatures from nvml.h
/// (NVIDIA/go-nvml 2f9e261, gen/nvml/nvml.h); nvmlReturn_t is an int, 0 is success.
struct NVMLSession {
    typealias Init = @convention(c) () -> Int32
    typealias Shutdown = @convention(c) () -> Int32
    typealias ErrorString = @convention(c) (Int32) -> UnsafePointer<CChar>?
    typealias GetCount = @convention(c) (UnsafeMutablePointer<UInt32>?) -> Int32
    typealias GetHandle = @convention(c) (UInt32, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    typealias GetPCIInfo = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Int32
    typealias GetName = @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, UInt32) -> Int32

    /// nvmlPciInfo_t (v3): `char busIdLegacy[16]`, five `unsigned int`s, then `char busId[32]`.
    static let pciInfoSize = 68
    static let busIDOffset = 36

    /// One GPU NVML counts: its handle for further calls, its PCI address (as lspci writes it)
    /// and its name.
    struct Device {
        let index: UInt32
        let handle: OpaquePointer?
        let address: String
        let name: String
    }

    private let library: String
    private let handle: UnsafeMutableRawPointer
    private let errorString: ErrorString

    /// Runs `body` in a session of `library`. Throws `DriverQueryError.notInstalled` when the
    /// library cannot be loaded, `.notResponding` when a required symbol is missing or NVML
    /// reports an error.
    static func run<T>(_ library: String, _ body: (NVMLSession) throws -> T) throws -> T {
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
            throw DriverQueryError.notInstalled(dlerror().map { String(cString: $0) } ?? "\(library) not found")
        }
        defer { dlclose(handle) }
        func symbol<F>(_ name: String, _ type: F.Type) throws -> F {
            guard let symbol = dlsym(handle, name) else { throw DriverQueryError.notResponding("\(library) has no \(name)") }
            return unsafeBitCast(symbol, to: type)
        }
        let session = NVMLSession(library: library, handle: handle, errorString: try symbol("nvmlErrorString", ErrorString.self))
        let shutdown = try symbol("nvmlShutdown", Shutdown.self)
        try session.check(try symbol("nvmlInit_v2", Init.self)(), "nvmlInit")
        defer { _ = shutdown() }
        return try body(session)
    }

    /// The entry point `name` as `type`; a missing one is an error.
    func bind<F>(_ name: String, _ type: F.Type) throws -> F {
        guard let symbol = optional(name, type) else { throw DriverQueryError.notResponding("\(library) has no \(name)") }
        return symbol
    }

    /// The entry point `name` as `type`, nil when this driver's library lacks it.
    func optional<F>(_ name: String, _ type: F.Type) -> F? {
        dlsym(handle, name).map { unsafeBitCast($0, to: type) }
    }

    /// Throws NVML's own words for a non-zero return code of `call`.
    func check(_ code: Int32, _ call: String) throws {
        guard code != 0 else { return }
        let text = errorString(code).map { String(cString: $0) } ?? "error \(code)"
        throw DriverQueryError.notResponding("NVML \(call): \(text)")
    }

    /// Every GPU NVML counts, in its order.
    func devices() throws -> [Device] {
        let getCount = try bind("nvmlDeviceGetCount_v2", GetCount.self)
        let getHandle = try bind("nvmlDeviceGetHandleByIndex_v2", GetHandle.self)
        let getPCI = try bind("nvmlDeviceGetPciInfo_v3", GetPCIInfo.self)
        let getName = try bind("nvmlDeviceGetName", GetName.self)
        var count: UInt32 = 0
        try check(getCount(&count), "nvmlDeviceGetCount")
        var devices: [Device] = []
        for index in 0..<count {
            var device: OpaquePointer?
            try check(getHandle(index, &device), "nvmlDeviceGetHandleByIndex(\(index))")
            var info = [UInt8](repeating: 0, count: 128)
            try info.withUnsafeMutableBytes { try check(getPCI(device, $0.baseAddress), "nvmlDeviceGetPciInfo(\(index))") }
            let busID = String(decoding: info[Self.busIDOffset..<(Self.busIDOffset + 32)].prefix { $0 != 0 }, as: UTF8.self)
            var name = [CChar](repeating: 0, count: 96)
            try check(getName(device, &name, UInt32(name.count)), "nvmlDeviceGetName(\(index))")
            devices.append(
                Device(
                    index: index, handle: device, address: NvidiaSMIDecoder.normalizedAddress(busID) ?? busID.lowercased(),
                    name: String(cString: name)))
        }
        return devices
    }
}
