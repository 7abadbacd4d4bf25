#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel

/// NVML's answer about vGPUs: each GPU's virtualization mode (nvmlDeviceGetVirtualizationMode)
/// and licensable features (nvmlDeviceGetGridLicensableFeatures_v4), bound with dlopen in an
/// `NVMLSession` like `query()`. Signatures from nvml.h of NVML 13.3.29 (NVIDIA/go-nvml 2f9e261).
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
        try NVMLSession.run(library) { nvml in
            // Older drivers may lack either: the report says "not known" for that part.
            let getMode = nvml.optional("nvmlDeviceGetVirtualizationMode", GetVirtualizationMode.self)
            let getFeatures = nvml.optional("nvmlDeviceGetGridLicensableFeatures_v4", GetLicensableFeatures.self)
            return try nvml.devices().map { device in
                var mode: GPUVirtualizationMode?
                if let getMode {
                    var raw: Int32 = -1
                    if getMode(device.handle, &raw) == 0 { mode = GPUVirtualizationMode(rawValue: raw) }
                }
                var license: VGPULicenseReport?
                if let getFeatures {
                    var bytes = [UInt8](repeating: 0, count: VGPULicenseReport.structSize)
                    let code = bytes.withUnsafeMutableBytes { getFeatures(device.handle, $0.baseAddress) }
                    if code == 0 { license = VGPULicenseReport.decode(bytes) }
                }
                return VGPUDriverReport(address: device.address, name: device.name, mode: mode, license: license)
            }
        }
    }
}
