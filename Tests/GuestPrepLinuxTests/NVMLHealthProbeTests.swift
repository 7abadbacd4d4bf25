#if canImport(Glibc)
import Glibc
#endif
import GuestPrepCore
import GuestPrepLinux
import GuestPrepModel
import Testing

/// NVMLHealthProbe against a stand-in libnvidia-ml built from C by the test, declared with the
/// signatures and enum values of nvml.h (NVML 13.3.29): the stand-in answers only when called
/// with the enum values nvml.h gives (NVML_TEMPERATURE_GPU 0, NVML_TEMPERATURE_THRESHOLD_SLOWDOWN
/// 1, NVML_MEMORY_ERROR_TYPE_UNCORRECTED 1, NVML_VOLATILE_ECC 0, the retirement causes 0 and 1)
/// and NVML_ERROR_INVALID_ARGUMENT otherwise, so a wrong constant fails the test.
@Suite struct NVMLHealthProbeTests {
    static let source = """
        #include <string.h>
        typedef struct { int index; } device_t;
        static device_t devices[2] = {{0}, {1}};
        enum { OK = 0, INVALID_ARGUMENT = 2, NOT_SUPPORTED = 3, INSUFFICIENT_SIZE = 7 };
        int nvmlInit_v2(void) { return 0; }
        int nvmlShutdown(void) { return 0; }
        const char *nvmlErrorString(int code) { return code == INVALID_ARGUMENT ? "Invalid Argument" : "Unknown Error"; }
        int nvmlSystemGetDriverVersion(char *version, unsigned int length) { strncpy(version, "580.95.05", length); return 0; }
        int nvmlDeviceGetCount_v2(unsigned int *count) { *count = 2; return 0; }
        int nvmlDeviceGetHandleByIndex_v2(unsigned int index, device_t **device) { *device = &devices[index]; return 0; }
        typedef struct { char busIdLegacy[16]; unsigned int domain, bus, device, pciDeviceId, pciSubSystemId; char busId[32]; } pci_t;
        int nvmlDeviceGetPciInfo_v3(device_t *device, pci_t *pci) {
            memset(pci, 0, sizeof *pci);
            strcpy(pci->busId, device->index == 0 ? "00000000:0B:00.0" : "00000000:13:00.0");
            return 0;
        }
        int nvmlDeviceGetName(device_t *device, char *name, unsigned int length) {
            strncpy(name, device->index == 0 ? "Tesla V100-PCIE-32GB" : "NVIDIA A100 80GB PCIe", length); return 0;
        }
        typedef enum { DISABLED = 0, ENABLED = 1 } enable_t;
        int nvmlDeviceGetPersistenceMode(device_t *device, enable_t *mode) { *mode = device->index == 0 ? ENABLED : DISABLED; return 0; }
        typedef enum { P0 = 0, P8 = 8 } pstate_t;
        int nvmlDeviceGetPerformanceState(device_t *device, pstate_t *state) { *state = device->index == 0 ? P0 : P8; return 0; }
        int nvmlDeviceGetTemperature(device_t *device, int sensor, unsigned int *temp) {
            if (sensor != 0) return INVALID_ARGUMENT;
            *temp = device->index == 0 ? 84 : 101; return 0;
        }
        int nvmlDeviceGetTemperatureThreshold(device_t *device, int type, unsigned int *temp) {
            if (type != 1) return INVALID_ARGUMENT;
            if (device->index == 1) return NOT_SUPPORTED;
            *temp = 88; return 0;
        }
        int nvmlDeviceGetTotalEccErrors(device_t *device, int errorType, int counterType, unsigned long long *count) {
            if (errorType != 1 || counterType != 0) return INVALID_ARGUMENT;
            if (device->index == 1) return NOT_SUPPORTED;
            *count = 2; return 0;
        }
        int nvmlDeviceGetRetiredPages(device_t *device, int cause, unsigned int *count, unsigned long long *addresses) {
            if (cause != 0 && cause != 1) return INVALID_ARGUMENT;
            if (count == 0) return INVALID_ARGUMENT;
            if (device->index == 1) return NOT_SUPPORTED;
            unsigned int pages = cause == 0 ? 60 : 3;
            if (*count < pages) { *count = pages; return INSUFFICIENT_SIZE; }
            *count = pages; return 0;
        }
        int nvmlDeviceGetRetiredPagesPendingStatus(device_t *device, enable_t *pending) {
            if (device->index == 1) return NOT_SUPPORTED;
            *pending = ENABLED; return 0;
        }
        #ifndef OLD_DRIVER
        typedef enum { DEFAULT = 0, EXCLUSIVE_THREAD = 1, PROHIBITED = 2, EXCLUSIVE_PROCESS = 3 } compute_t;
        int nvmlDeviceGetComputeMode(device_t *device, compute_t *mode) { *mode = device->index == 0 ? EXCLUSIVE_PROCESS : DEFAULT; return 0; }
        int nvmlDeviceGetRemappedRows(device_t *device, unsigned int *corr, unsigned int *unc, unsigned int *pending, unsigned int *failed) {
            if (device->index == 0) return NOT_SUPPORTED;
            *corr = 1; *unc = 2; *pending = 1; *failed = 0; return 0;
        }
        #endif
        """

    static let compiler = NVMLStandIn.compiler
    static let noCompiler = NVMLStandIn.noCompiler

    func library(oldDriver: Bool, in directory: TemporaryDirectory) -> String? {
        NVMLStandIn.build((oldDriver ? "#define OLD_DRIVER 1\n" : "") + Self.source, in: directory)
    }

    @Test(.enabled(if: compiler != nil, noCompiler))
    func readsEveryFigureWithNVMLsConstants() throws {
        let directory = TemporaryDirectory()
        guard let path = library(oldDriver: false, in: directory) else { return }
        let readings = try NVMLHealthProbe(library: path).read()
        #expect(readings.driverVersion == "580.95.05")
        #expect(readings.gpus.map(\.address) == ["0000:0b:00.0", "0000:13:00.0"])
        let volta = readings.gpus[0]
        #expect(volta.name == "Tesla V100-PCIE-32GB")
        #expect(volta.persistenceMode == .value(true))
        #expect(volta.computeMode == .value(.exclusiveProcess))
        #expect(volta.performanceState == .value(0))
        #expect(volta.temperature == .value(84))
        #expect(volta.slowdownThreshold == .value(88))
        #expect(volta.volatileDoubleBitErrors == .value(2))
        #expect(volta.retiredPages == .value(.init(multipleSingleBit: 60, doubleBit: 3, pending: true)))
        #expect(volta.rowRemap == .notSupported)
        let ampere = readings.gpus[1]
        #expect(ampere.persistenceMode == .value(false))
        #expect(ampere.computeMode == .value(.default))
        #expect(ampere.performanceState == .value(8))
        #expect(ampere.temperature == .value(101))
        #expect(ampere.slowdownThreshold == .notSupported)
        #expect(ampere.volatileDoubleBitErrors == .notSupported)
        #expect(ampere.retiredPages == .notSupported)
        #expect(ampere.rowRemap == .value(.init(correctable: 1, uncorrectable: 2, pending: true, failed: false)))
    }

    /// An older driver's library without an entry point: that reading only is unavailable.
    @Test(.enabled(if: compiler != nil, noCompiler))
    func aMissingEntryPointLeavesOnlyItsReadingUnavailable() throws {
        let directory = TemporaryDirectory()
        guard let path = library(oldDriver: true, in: directory) else { return }
        let readings = try NVMLHealthProbe(library: path).read()
        #expect(readings.gpus[0].computeMode == .unavailable("this driver's libnvidia-ml has no nvmlDeviceGetComputeMode"))
        #expect(readings.gpus[1].rowRemap == .unavailable("this driver's libnvidia-ml has no nvmlDeviceGetRemappedRows"))
        #expect(readings.gpus[0].temperature == .value(84))
        // Judged: unknown for those, the rest as read.
        let facts = GPUHealthFacts(
            bus: [], expectsGPU: false, driver: .readings(readings), xids: [])
        let outcome = GPUHealthEvaluator.evaluate(facts, thresholds: HealthThresholds(), memory: [:])
        func level(_ name: String, _ subject: String) -> HealthCheck.Level? {
            outcome.checks.first { $0.name == name && $0.subject == subject }?.level
        }
        #expect(level("compute_mode", "0000:0b:00.0") == .unknown)
        #expect(level("retired_pages", "0000:0b:00.0") == .critical)
        #expect(level("temperature", "0000:13:00.0") == .critical)
    }

    @Test func noLibraryIsNotInstalled() {
        #expect {
            try NVMLHealthProbe(library: "/nonexistent/libnvidia-ml.so.1").read()
        } throws: { error in
            guard case DriverQueryError.notInstalled = error else { return false }
            return true
        }
    }
}
