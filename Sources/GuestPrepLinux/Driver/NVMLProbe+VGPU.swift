#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel

/// NVML's answer about vGPUs: each GPU's virtualization mode (nvmlDeviceGetVirtualizationMode)
/// and licensable features (nvmlDeviceGetGridLicensableFeatures_v4), bound with dlopen like
/// `query()`. Signatures from nvml.h of NVML 13.3.29 (NVIDIA/go-nvml 2f9e261).
extension NVMLProbe: VGPUProbe {
    typealias GetVirtualizationMode = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?) -> Int32
    typealias GetLicensableFeatures = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Int32

    public func vgpuReports(waitForLicense seconds: Int) throws -> [VGPUDriverReport] {
        var reports = try vgpuReportsOnce()
        var waited = 0
        while waited < seconds, reports.contains(where: { $0.mode == .vgpu && $0.license?.licensed == false }) {
            sleep(1)
            waited += 1
            reports = try vgpuReportsOnce()
        }
        return reports
    }

    func vgpuReportsOnce() throws -> [VGPUDriverReport] {
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
            throw DriverQueryError.notInstalled(dlerror().map { String(cString: $0) } ?? "\(library) not found")
        }
        defer { dlclose(handle) }
        func bind<T>(_ name: String, _ type: T.Type) throws -> T {
            guard let symbol = dlsym(handle, name) else { throw DriverQueryError.notResponding("\(library) has no \(name)") }
            return unsafeBitCast(symbol, to: type)
        }
        let initialize = try bind("nvmlInit_v2", Init.self)
        let shutdown = try bind("nvmlShutdown", Shutdown.self)
        let errorString = try bind("nvmlErrorString", ErrorString.self)
        func check(_ code: Int32, _ call: String) throws {
            guard code != 0 else { return }
            throw DriverQueryError.notResponding("NVML \(call): \(errorString(code).map { String(cString: $0) } ?? "error \(code)")")
        }
        try check(initialize(), "nvmlInit")
        defer { _ = shutdown() }
        let getCount = try bind("nvmlDeviceGetCount_v2", GetCount.self)
        let getHandle = try bind("nvmlDeviceGetHandleByIndex_v2", GetHandle.self)
        let getPCI = try bind("nvmlDeviceGetPciInfo_v3", GetPCIInfo.self)
        let getName = try bind("nvmlDeviceGetName", GetName.self)
        // Older drivers may lack either: the report says "not known" for that part.
        let getMode = dlsym(handle, "nvmlDeviceGetVirtualizationMode").map { unsafeBitCast($0, to: GetVirtualizationMode.self) }
        let getFeatures = dlsym(handle, "nvmlDeviceGetGridLicensableFeatures_v4").map {
            unsafeBitCast($0, to: GetLicensableFeatures.self)
        }
        var count: UInt32 = 0
        try check(getCount(&count), "nvmlDeviceGetCount")
        var reports: [VGPUDriverReport] = []
        for index in 0..<count {
            var device: OpaquePointer?
            try check(getHandle(index, &device), "nvmlDeviceGetHandleByIndex(\(index))")
            var info = [UInt8](repeating: 0, count: 128)
            try info.withUnsafeMutableBytes { try check(getPCI(device, $0.baseAddress), "nvmlDeviceGetPciInfo(\(index))") }
            let busID = String(decoding: info[Self.busIDOffset..<(Self.busIDOffset + 32)].prefix { $0 != 0 }, as: UTF8.self)
            var name = [CChar](repeating: 0, count: 96)
            try check(getName(device, &name, UInt32(name.count)), "nvmlDeviceGetName(\(index))")
            var mode: GPUVirtualizationMode?
            if let getMode {
                var raw: Int32 = -1
                if getMode(device, &raw) == 0 { mode = GPUVirtualizationMode(rawValue: raw) }
            }
            var license: VGPULicenseReport?
            if let getFeatures {
                var bytes = [UInt8](repeating: 0, count: VGPULicenseReport.structSize)
                let code = bytes.withUnsafeMutableBytes { getFeatures(device, $0.baseAddress) }
                if code == 0 { license = VGPULicenseReport.decode(bytes) }
            }
            reports.append(
                VGPUDriverReport(
                    address: NvidiaSMIDecoder.normalizedAddress(busID) ?? busID.lowercased(), name: String(cString: name),
                    mode: mode, license: license))
        }
        return reports
    }
}
