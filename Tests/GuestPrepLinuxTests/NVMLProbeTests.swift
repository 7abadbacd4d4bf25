#if canImport(Glibc)
import Glibc
#endif
import GuestPrepCore
import GuestPrepLinux
import Testing

/// NVMLProbe against a stand-in libnvidia-ml built from C by the test: the dlopen path, the
/// nvmlPciInfo_t and nvmlMemory_t layouts, persistence mode and error strings, without a GPU.
@Suite struct NVMLProbeTests {
    static let source = """
        #include <string.h>
        typedef struct { int index; } device_t;
        static device_t devices[2] = {{0}, {1}};
        static int fail_init = FAIL_INIT;
        int nvmlInit_v2(void) { return fail_init ? 9 : 0; }
        int nvmlShutdown(void) { return 0; }
        const char *nvmlErrorString(int code) { return code == 9 ? "Driver Not Loaded" : "Unknown Error"; }
        int nvmlSystemGetDriverVersion(char *version, unsigned int length) { strncpy(version, "580.95.05", length); return 0; }
        int nvmlDeviceGetCount_v2(unsigned int *count) { *count = 2; return 0; }
        int nvmlDeviceGetHandleByIndex_v2(unsigned int index, device_t **device) { *device = &devices[index]; return 0; }
        typedef struct { char busIdLegacy[16]; unsigned int domain, bus, device, pciDeviceId, pciSubSystemId; char busId[32]; } pci_t;
        int nvmlDeviceGetPciInfo_v3(device_t *device, pci_t *pci) {
            memset(pci, 0, sizeof *pci);
            strcpy(pci->busId, device->index == 0 ? "00000000:0B:00.0" : "00000000:13:00.0");
            pci->bus = device->index == 0 ? 0x0b : 0x13;
            return 0;
        }
        int nvmlDeviceGetName(device_t *device, char *name, unsigned int length) {
            strncpy(name, device->index == 0 ? "Tesla T4" : "NVIDIA A100 80GB PCIe", length); return 0;
        }
        int nvmlDeviceGetPersistenceMode(device_t *device, int *mode) { *mode = device->index == 0; return 0; }
        typedef struct { unsigned long long total, free, used; } memory_t;
        int nvmlDeviceGetMemoryInfo(device_t *device, memory_t *memory) {
            if (device->index == 1) return 3; /* NVML_ERROR_NOT_SUPPORTED */
            memory->total = 15360ULL << 20; memory->free = 15000ULL << 20; memory->used = 360ULL << 20;
            return 0;
        }
        """

    static let compiler = NVMLStandIn.compiler
    static let noCompiler = NVMLStandIn.noCompiler

    /// Builds the stand-in with `failInit`; nil (an issue recorded) when the build fails.
    func library(failInit: Bool, in directory: TemporaryDirectory) -> String? {
        NVMLStandIn.build("#define FAIL_INIT \(failInit ? 1 : 0)\n" + Self.source, in: directory)
    }

    @Test(.enabled(if: compiler != nil, noCompiler))
    func readsTheDriverVersionAndEveryGPU() throws {
        let directory = TemporaryDirectory()
        guard let path = library(failInit: false, in: directory) else { return }
        let query = try NVMLProbe(library: path, runner: nil).query()
        #expect(query.source == "NVML")
        #expect(query.driverVersion == "580.95.05")
        #expect(
            query.gpus == [
                DriverQuery.GPU(address: "0000:0b:00.0", name: "Tesla T4", persistenceMode: true, memoryTotalBytes: 15360 << 20),
                DriverQuery.GPU(address: "0000:13:00.0", name: "NVIDIA A100 80GB PCIe", persistenceMode: false),
            ])
    }

    @Test(.enabled(if: compiler != nil, noCompiler))
    func aDriverThatDoesNotAnswerSaysWhy() throws {
        let directory = TemporaryDirectory()
        guard let path = library(failInit: true, in: directory) else { return }
        #expect(throws: DriverQueryError.notResponding("NVML nvmlInit: Driver Not Loaded")) {
            try NVMLProbe(library: path, runner: nil).query()
        }
    }

    @Test func noLibraryAndNoRunnerIsNotInstalled() {
        #expect {
            try NVMLProbe(library: "/nonexistent/libnvidia-ml.so.1", runner: nil).query()
        } throws: { "\($0)".hasPrefix("the NVIDIA driver is not installed") }
    }
}
