#if canImport(Glibc)
import Glibc
#endif
import GuestPrepCore
import GuestPrepLinux
import Testing

/// NVMLProbe's vGPU queries against a stand-in libnvidia-ml built from C by the test: the
/// dlopen binding of nvmlDeviceGetVirtualizationMode and nvmlDeviceGetGridLicensableFeatures_v4,
/// and the struct layout the stand-in's compiler gives nvmlGridLicensableFeatures_t (declared
/// here with the members, types and order of nvml.h, NVML 13.3.29).
@Suite struct NVMLVGPUProbeTests {
    static let source = """
        #include <string.h>
        typedef struct { int index; } device_t;
        static device_t devices[2] = {{0}, {1}};
        static int calls = 0;
        int nvmlInit_v2(void) { return 0; }
        int nvmlShutdown(void) { return 0; }
        const char *nvmlErrorString(int code) { return "Unknown Error"; }
        int nvmlDeviceGetCount_v2(unsigned int *count) { *count = 2; return 0; }
        int nvmlDeviceGetHandleByIndex_v2(unsigned int index, device_t **device) { *device = &devices[index]; return 0; }
        typedef struct { char busIdLegacy[16]; unsigned int domain, bus, device, pciDeviceId, pciSubSystemId; char busId[32]; } pci_t;
        int nvmlDeviceGetPciInfo_v3(device_t *device, pci_t *pci) {
            memset(pci, 0, sizeof *pci);
            strcpy(pci->busId, device->index == 0 ? "00000000:02:00.0" : "00000000:03:00.0");
            return 0;
        }
        int nvmlDeviceGetName(device_t *device, char *name, unsigned int length) {
            strncpy(name, device->index == 0 ? "GRID T4-16Q" : "Tesla T4", length); return 0;
        }
        int nvmlDeviceGetVirtualizationMode(device_t *device, int *mode) { *mode = device->index == 0 ? 2 : 1; return 0; }
        typedef struct { unsigned int year; unsigned short month, day, hour, min, sec; unsigned char status; } expiry_t;
        typedef struct { int featureCode; unsigned int featureState; char licenseInfo[128]; char productName[128];
            unsigned int featureEnabled; expiry_t licenseExpiry; } feature_t;
        typedef struct { int isGridLicenseSupported; unsigned int licensableFeaturesCount; feature_t gridLicensableFeatures[3]; } features_t;
        int nvmlDeviceGetGridLicensableFeatures_v4(device_t *device, features_t *features) {
            memset(features, 0, sizeof *features);
            calls++;
            if (device->index == 1) return 0;   /* passthrough: licensing not supported */
            features->isGridLicenseSupported = 1;
            features->licensableFeaturesCount = 1;
            features->gridLicensableFeatures[0].featureCode = 2;
            features->gridLicensableFeatures[0].featureEnabled = 1;
            /* Licensed from the LICENSED_AFTER-th call on: nvidia-gridd acquiring the licence. */
            features->gridLicensableFeatures[0].featureState = calls >= LICENSED_AFTER;
            strcpy(features->gridLicensableFeatures[0].productName, "NVIDIA RTX Virtual Workstation");
            return 0;
        }
        int structSize(void) { return (int)sizeof(features_t); }
        """

    static let compiler = NVMLStandIn.compiler
    static let noCompiler = NVMLStandIn.noCompiler

    func library(licensedAfter: Int, in directory: TemporaryDirectory) -> String? {
        NVMLStandIn.build("#define LICENSED_AFTER \(licensedAfter)\n" + Self.source, in: directory)
    }

    @Test(.enabled(if: compiler != nil, noCompiler))
    func theStructIsTheSizeGuestprepReads() throws {
        let directory = TemporaryDirectory()
        guard let path = library(licensedAfter: 1, in: directory), let handle = dlopen(path, RTLD_NOW) else { return }
        defer { dlclose(handle) }
        typealias Size = @convention(c) () -> Int32
        let size = unsafeBitCast(try #require(dlsym(handle, "structSize")), to: Size.self)
        #expect(Int(size()) == VGPULicenseReport.structSize)
    }

    @Test(.enabled(if: compiler != nil, noCompiler))
    func reportsModeAndLicenceAndWaitsForIt() throws {
        let directory = TemporaryDirectory()
        guard let path = library(licensedAfter: 5, in: directory) else { return }
        // Held open so that the stand-in's query count survives the probe's own dlopen/dlclose.
        let held = try #require(dlopen(path, RTLD_NOW))
        defer { dlclose(held) }
        let probe = NVMLProbe(library: path, runner: nil)
        // Not waiting: the first answer, unlicensed.
        let first = try probe.vgpuReports(waitForLicense: 0)
        #expect(first.map(\.address) == ["0000:02:00.0", "0000:03:00.0"])
        #expect(first.map(\.mode) == [.vgpu, .passthrough])
        #expect(first[0].name == "GRID T4-16Q")
        #expect(first[0].license?.licensed == false)
        #expect(first[0].license?.product == "NVIDIA RTX Virtual Workstation")
        #expect(first[1].license?.licensed == nil, "a passthrough GPU: licensing not supported")
        // Waiting: unlicensed at the next query too, then asked again a second later: licensed.
        let later = try probe.vgpuReports(waitForLicense: 5)
        #expect(later[0].license?.licensed == true)
    }
}
