import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

/// GPUHealthSource on a fixture root: what it reads from sysfs, the kernel log, /proc/stat and
/// state.json, and that the driver is asked only on the running system.
@Suite struct GPUHealthSourceTests {
    struct ScriptedProbe: GPUHealthProbe {
        var answer: Result<GPUHealthReadings, DriverQueryError>
        func read() throws -> GPUHealthReadings { try answer.get() }
    }

    /// A probe that must not be asked.
    struct UnaskedProbe: GPUHealthProbe {
        func read() throws -> GPUHealthReadings {
            Issue.record("the driver was asked under --root")
            throw DriverQueryError.notInstalled("not here")
        }
    }

    /// The GPU checks run no program: a runner that fails every call.
    static let noPrograms = ScriptedProcessRunner(installed: []) { executable, _ in
        Issue.record("ran \(executable)")
        return ProcessResult(status: 127)
    }

    static let kmsg = """
        6,500,4000000,-;pci 0000:0b:00.0: [10de:20b5] type 00 class 0x030200
        4,900,7100000,-;NVRM: Xid (PCI:0000:0b:00): 79, pid=1234, name=python3, GPU has fallen off the bus.
        4,901,7100100,-;NVRM: Xid (PCI:0000:13:00): 13, pid=1234, name=python3, Graphics Exception
        """

    /// Two A100s, the second on a x8 link of x16; the driver step chose branch 580.
    static func fixture() throws -> InMemoryFileSystem {
        let sysfs = PCISysfsBuilder()
        sysfs.function("0000:0b:00.0", device: "0x20b5", class: "0x030200", link: (16, 16), driver: "nvidia")
        sysfs.function("0000:13:00.0", device: "0x20b5", class: "0x030200", link: (8, 16), driver: "nvidia", bridge: "0000:00:17.0")
        let fs = sysfs.fs
        fs.setText("/dev/kmsg", kmsg)
        fs.setText("/proc/stat", "cpu  1 2 3 4\nintr 12345 0 0\nctxt 999\nbtime 1764900000\nprocesses 12\n")
        var state = AgentState()
        state.steps["driver"] = StepRecord(
            status: .done, identity: "i", boot: nil, at: "2026-12-05T05:00:00Z", changes: 3,
            notes: ["driver: branch 580, proprietary kernel modules, by apt"])
        try state.save(fs: fs)
        return fs
    }

    static func reading(_ address: String) -> GPUHealthReading {
        GPUHealthReading(
            address: address, name: "NVIDIA A100 80GB PCIe", persistenceMode: .value(true), computeMode: .value(.default),
            temperature: .value(40), slowdownThreshold: .value(88), performanceState: .value(8), volatileDoubleBitErrors: .value(0),
            retiredPages: .notSupported, rowRemap: .value(.init(correctable: 0, uncorrectable: 0, pending: false, failed: false)))
    }

    static func level(_ outcome: HealthOutcome, _ name: String, _ subject: String? = nil) -> HealthCheck.Level? {
        outcome.checks.first { $0.name == name && (subject == nil || $0.subject == subject) }?.level
    }

    @Test func underARootTheLogAndLinksAreJudgedAndTheDriverIsNot() throws {
        let fs = try Self.fixture()
        let context = HealthContext(fs: fs, runner: Self.noPrograms, onHost: false, now: 1_764_900_500)
        let outcome = try GPUHealthSource(probe: UnaskedProbe()).evaluate(context)
        #expect(Self.level(outcome, "pci_nvml") == .unknown)
        #expect(outcome.checks.first { $0.name == "pci_nvml" }?.evidence == [
            "on the PCI bus: 0000:0b:00.0, 0000:13:00.0", "NVML not asked under --root: only the running system's driver can answer",
        ])
        #expect(Self.level(outcome, "ecc", "0000:13:00.0") == .unknown)
        #expect(Self.level(outcome, "xid", "0000:0b:00.0") == .critical)
        #expect(Self.level(outcome, "xid", "0000:13:00.0") == .warn)
        #expect(Self.level(outcome, "pci_width", "0000:0b:00.0") == .pass)
        #expect(Self.level(outcome, "pci_width", "0000:13:00.0") == .warn)
        #expect(outcome.memory["xid/btime"] == 1_764_900_000)
        #expect(outcome.memory["xid/0000:0b:00.0/79"] == 1)
    }

    @Test func onTheHostAGPUTheDriverLeftOutIsCritical() throws {
        let fs = try Self.fixture()
        let probe = ScriptedProbe(answer: .success(GPUHealthReadings(driverVersion: "580.95.05", gpus: [Self.reading("0000:0b:00.0")])))
        let context = HealthContext(fs: fs, runner: Self.noPrograms, onHost: true, now: 1_764_900_500)
        let outcome = try GPUHealthSource(probe: probe).evaluate(context)
        let check = try #require(outcome.checks.first { $0.name == "pci_nvml" })
        #expect(check.level == .critical)
        #expect(check.evidence.contains { $0.hasPrefix("0000:13:00.0 is on the PCI bus but NVML does not see it") })
        let driver = try #require(outcome.checks.first { $0.name == "driver_version" })
        #expect(driver.level == .pass)
        #expect(driver.evidence.last == "branch 580 as chosen (the driver step of the last run (/var/lib/guestprep/state.json))")
        #expect(Self.level(outcome, "temperature", "0000:0b:00.0") == .pass)
        #expect(Self.level(outcome, "temperature", "0000:13:00.0") == .unknown)
    }

    @Test func noDriverIsUnknown() throws {
        let fs = try Self.fixture()
        let probe = ScriptedProbe(answer: .failure(.notInstalled("no libnvidia-ml.so.1 and no nvidia-smi")))
        let context = HealthContext(fs: fs, runner: Self.noPrograms, onHost: true, now: 0)
        let outcome = try GPUHealthSource(probe: probe).evaluate(context)
        for name in ["pci_nvml", "driver_version", "persistence", "temperature"] {
            #expect(Self.level(outcome, name) == .unknown, "\(name)")
        }
        #expect(outcome.checks.first { $0.name == "pci_nvml" }?.evidence.last == "no NVIDIA driver to ask (no libnvidia-ml.so.1 and no nvidia-smi)")
    }

    @Test func noKernelLogIsUnknownForXid() throws {
        let fs = try Self.fixture()
        try fs.delete("/dev/kmsg")
        let context = HealthContext(fs: fs, runner: Self.noPrograms, onHost: false, now: 0)
        let outcome = try GPUHealthSource(probe: UnaskedProbe()).evaluate(context)
        let check = try #require(outcome.checks.first { $0.name == "xid" })
        #expect(check.level == .unknown)
        #expect(check.evidence == ["the kernel log could not be read: /dev/kmsg does not exist"])
    }
}
