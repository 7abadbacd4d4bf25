import GuestPrepCore
import GuestPrepModel
import Testing

/// The GPU checks judged from crafted facts: each rule's level at and around its threshold,
/// the evidence and fix, the metrics, and the Xid counters kept across runs and boots.
@Suite struct GPUHealthEvaluatorTests {
    static let first = "0000:0b:00.0"
    static let second = "0000:13:00.0"

    static func device(_ address: String, width: (Int, Int)? = (16, 16), speed: (String, String) = ("16.0 GT/s PCIe", "16.0 GT/s PCIe")) -> NVIDIADevice {
        var device = NVIDIADevice(address: PCIAddress(address)!, deviceID: 0x20b5, classCode: 0x030200)
        device.currentLinkWidth = width?.0
        device.maxLinkWidth = width?.1
        device.currentLinkSpeed = speed.0
        device.maxLinkSpeed = speed.1
        return device
    }

    /// A healthy A100 unless changed.
    static func reading(_ address: String, _ change: (inout GPUHealthReading) -> Void = { _ in }) -> GPUHealthReading {
        var reading = GPUHealthReading(
            address: address, name: "NVIDIA A100 80GB PCIe", persistenceMode: .value(true), computeMode: .value(.default),
            temperature: .value(45), slowdownThreshold: .value(88), performanceState: .value(0),
            volatileDoubleBitErrors: .value(0), retiredPages: .notSupported,
            rowRemap: .value(.init(correctable: 0, uncorrectable: 0, pending: false, failed: false)))
        change(&reading)
        return reading
    }

    static func facts(
        bus: [NVIDIADevice] = [device(first)], gpus: [GPUHealthReading] = [reading(first)], xids: [XidRecord]? = [],
        branch: Int? = 580
    ) -> GPUHealthFacts {
        GPUHealthFacts(
            bus: bus, driver: .readings(GPUHealthReadings(driverVersion: "580.95.05", gpus: gpus)),
            chosenBranch: branch.map { GPUHealthFacts.ChosenBranch(branch: $0, source: "state") }, xids: xids)
    }

    static func evaluate(_ facts: GPUHealthFacts, memory: [String: Double] = [:], thresholds: HealthThresholds = HealthThresholds())
        -> HealthOutcome
    {
        GPUHealthEvaluator.evaluate(facts, thresholds: thresholds, memory: memory)
    }

    static func check(_ outcome: HealthOutcome, _ name: String, _ subject: String? = nil) -> HealthCheck? {
        outcome.checks.first { $0.name == name && (subject == nil || $0.subject == subject) }
    }

    static func metric(_ outcome: HealthOutcome, _ name: String, _ labels: [String] = []) -> Double? {
        outcome.metrics.first { $0.name == name && $0.labels.map(\.value) == labels }?.value
    }

    @Test func aHealthyGPUPassesEveryCheck() throws {
        let outcome = Self.evaluate(Self.facts())
        #expect(
            outcome.checks.map(\.name) == [
                "pci_nvml", "driver_version", "persistence", "compute_mode", "temperature", "ecc", "retired_pages", "row_remap", "xid",
                "pci_width",
            ])
        #expect(outcome.checks.allSatisfy { $0.level == .pass }, "\(outcome.checks.filter { $0.level != .pass })")
        #expect(outcome.checks.allSatisfy { $0.fix == nil && !$0.evidence.isEmpty })
        #expect(try #require(Self.check(outcome, "driver_version")).evidence == ["the driver loaded is 580.95.05", "branch 580 as chosen (state)"])
        #expect(Self.check(outcome, "temperature")?.subject == Self.first)
    }

    @Test func aGPUOnTheBusThatNVMLDoesNotSeeIsCriticalWithItsCause() throws {
        var facts = Self.facts(bus: [Self.device(Self.first), Self.device(Self.second)])
        facts.causes[PCIAddress(Self.second)!] = ["bar-unassigned: BAR1 has no address"]
        let outcome = Self.evaluate(facts)
        let check = try #require(Self.check(outcome, "pci_nvml"))
        #expect(check.level == .critical)
        #expect(check.evidence.contains("NVML (driver 580.95.05) sees 1 of 2"))
        #expect(check.evidence.contains("0000:13:00.0 is on the PCI bus but NVML does not see it; likely cause: bar-unassigned: BAR1 has no address"))
        #expect(check.fix?.contains("dmesg") == true)
        #expect(Self.metric(outcome, "guestprep_gpus_expected") == 2)
        #expect(Self.metric(outcome, "guestprep_gpus_visible") == 1)
        // Its own checks cannot be asked: unknown, never a pass.
        #expect(Self.check(outcome, "temperature", Self.second)?.level == .unknown)
        #expect(Self.check(outcome, "temperature", Self.first)?.level == .pass)
    }

    @Test func noDriverIsUnknownNotAPass() throws {
        let facts = GPUHealthFacts(bus: [Self.device(Self.first)], driver: .notInstalled("libnvidia-ml.so.1: cannot open shared object file"), xids: [])
        let outcome = Self.evaluate(facts)
        for name in ["pci_nvml", "driver_version", "persistence", "compute_mode", "temperature", "ecc", "retired_pages", "row_remap"] {
            let check = try #require(Self.check(outcome, name), "\(name)")
            #expect(check.level == .unknown, "\(name)")
            #expect(check.evidence.contains { $0.contains("libnvidia-ml.so.1: cannot open") }, "\(name)")
            #expect(check.fix != nil, "\(name)")
        }
        #expect(Self.check(outcome, "xid")?.level == .pass)
        #expect(Self.metric(outcome, "guestprep_gpus_visible") == nil)
    }

    @Test func aDriverThatDoesNotAnswerFailsPCINVML() throws {
        let facts = GPUHealthFacts(bus: [Self.device(Self.first)], driver: .notResponding("NVML nvmlInit: Driver Not Loaded"), xids: [])
        let outcome = Self.evaluate(facts)
        #expect(Self.check(outcome, "pci_nvml")?.level == .critical)
        #expect(Self.metric(outcome, "guestprep_gpus_visible") == 0)
        #expect(Self.check(outcome, "ecc")?.level == .unknown)
    }

    @Test func underARootNVMLIsNotAskedButTheLogAndLinksAreRead() throws {
        let facts = GPUHealthFacts(
            bus: [Self.device(Self.first, width: (8, 16))], driver: .notAsked,
            xids: [XidRecord(device: PCIAddress(Self.first), code: 79, message: "NVRM: Xid (PCI:0000:0b:00): 79, GPU has fallen off the bus.")])
        let outcome = Self.evaluate(facts)
        #expect(Self.check(outcome, "pci_nvml")?.level == .unknown)
        #expect(Self.check(outcome, "pci_nvml")?.evidence.contains { $0.contains("not asked under --root") } == true)
        #expect(Self.check(outcome, "driver_version")?.level == .unknown)
        #expect(Self.check(outcome, "xid")?.level == .critical)
        #expect(Self.check(outcome, "pci_width")?.level == .warn)
    }

    @Test func noGPUAndNoneExpectedPassesAndOneExpectedIsCritical() throws {
        var facts = GPUHealthFacts(bus: [], expectsGPU: false, driver: .notInstalled("none"), xids: [])
        var outcome = Self.evaluate(facts)
        #expect(outcome.checks.map(\.name) == ["pci_nvml", "xid"])
        #expect(Self.check(outcome, "pci_nvml")?.level == .pass)
        // Under --root too: a VM without GPUs by design has no driver to judge.
        facts.driver = .notAsked
        #expect(Self.evaluate(facts).checks.map(\.name) == ["pci_nvml", "xid"])
        facts.expectsGPU = true
        outcome = Self.evaluate(facts)
        #expect(Self.check(outcome, "pci_nvml")?.level == .critical)
    }

    @Test func anotherBranchLoadedWarns() throws {
        let facts = Self.facts(branch: 570)
        let check = try #require(Self.check(Self.evaluate(facts), "driver_version"))
        #expect(check.level == .warn)
        #expect(check.evidence == ["the driver loaded is 580.95.05", "branch 570 was chosen (state)"])
        #expect(check.fix?.contains("reboot") == true)
        #expect(Self.check(Self.evaluate(Self.facts(branch: nil)), "driver_version")?.level == .pass)
    }

    @Test func persistenceOffWarnsUnlessTheProfileTurnsItOff() throws {
        var facts = Self.facts(gpus: [Self.reading(Self.first) { $0.persistenceMode = .value(false) }])
        #expect(Self.check(Self.evaluate(facts), "persistence")?.level == .warn)
        facts.persistenceWanted = false
        #expect(Self.check(Self.evaluate(facts), "persistence")?.level == .pass)
    }

    @Test func computeModes() {
        func level(_ mode: GPUHealthReading.ComputeMode) -> HealthCheck.Level? {
            Self.check(Self.evaluate(Self.facts(gpus: [Self.reading(Self.first) { $0.computeMode = .value(mode) }])), "compute_mode")?.level
        }
        #expect(level(.default) == .pass)
        #expect(level(.exclusiveProcess) == .warn)
        #expect(level(.prohibited) == .critical)
    }

    /// The board's own threshold, 88 °C here, with the 5 °C margin: 82 passes, 83 warns, 88 is critical.
    @Test func temperatureAgainstTheBoardsSlowdownThreshold() throws {
        func judged(_ celsius: Int, threshold: NVMLAnswer<Int> = .value(88), margin: Int = 5) -> HealthCheck? {
            var thresholds = HealthThresholds()
            thresholds.temperatureMarginCelsius = margin
            let facts = Self.facts(gpus: [Self.reading(Self.first) { $0.temperature = .value(celsius); $0.slowdownThreshold = threshold }])
            return Self.check(Self.evaluate(facts, thresholds: thresholds), "temperature")
        }
        #expect(judged(82)?.level == .pass)
        #expect(judged(83)?.level == .warn)
        #expect(judged(87)?.level == .warn)
        #expect(judged(88)?.level == .critical)
        #expect(judged(91)?.level == .critical)
        #expect(judged(80, margin: 10)?.level == .warn)
        // No threshold from the board: Bitfusion's 100 °C.
        #expect(judged(94, threshold: .notSupported)?.level == .pass)
        #expect(judged(96, threshold: .notSupported)?.level == .warn)
        #expect(judged(100, threshold: .notSupported)?.level == .critical)
        #expect(try #require(judged(100, threshold: .notSupported)).evidence.contains { $0.contains("Bitfusion's rule, below 100 °C") })
        let outcome = Self.evaluate(Self.facts(gpus: [Self.reading(Self.first) { $0.temperature = .value(83) }]))
        #expect(Self.metric(outcome, "guestprep_gpu_temperature_celsius", [Self.first]) == 83)
        #expect(Self.metric(outcome, "guestprep_gpu_slowdown_threshold_celsius", [Self.first]) == 88)
        // No reading: unknown, with the reason.
        let missing = Self.facts(gpus: [Self.reading(Self.first) { $0.temperature = .unavailable("this driver's libnvidia-ml has no nvmlDeviceGetTemperature") }])
        let check = try #require(Self.check(Self.evaluate(missing), "temperature"))
        #expect(check.level == .unknown)
        #expect(check.evidence == ["NVML did not give the temperature: this driver's libnvidia-ml has no nvmlDeviceGetTemperature"])
    }

    @Test func aDoubleBitErrorIsCritical() throws {
        let outcome = Self.evaluate(Self.facts(gpus: [Self.reading(Self.first) { $0.volatileDoubleBitErrors = .value(2) }]))
        let check = try #require(Self.check(outcome, "ecc"))
        #expect(check.level == .critical)
        #expect(check.evidence == ["2 uncorrected (double-bit) ECC errors since the driver loaded (NVML, volatile)"])
        #expect(Self.metric(outcome, "guestprep_gpu_ecc_volatile_dbe", [Self.first]) == 2)
        let off = Self.evaluate(Self.facts(gpus: [Self.reading(Self.first) { $0.volatileDoubleBitErrors = .notSupported }]))
        #expect(Self.check(off, "ecc")?.level == .unknown)
    }

    @Test func retiredPagesByDCGMsRules() throws {
        func judged(_ pages: GPUHealthReading.RetiredPages, critical: Int = 63) -> HealthOutcome {
            var thresholds = HealthThresholds()
            thresholds.retiredPagesCritical = critical
            return Self.evaluate(Self.facts(gpus: [Self.reading(Self.first) { $0.retiredPages = .value(pages) }]), thresholds: thresholds)
        }
        #expect(Self.check(judged(.init(multipleSingleBit: 60, doubleBit: 2, pending: false)), "retired_pages")?.level == .pass)
        let sixtyThree = judged(.init(multipleSingleBit: 60, doubleBit: 3, pending: false))
        let check = try #require(Self.check(sixtyThree, "retired_pages"))
        #expect(check.level == .critical)
        #expect(check.evidence.first == "63 retired pages (3 for double-bit errors, 60 for repeated single-bit errors; NVML)")
        #expect(Self.metric(sixtyThree, "guestprep_gpu_retired_pages", [Self.first]) == 63)
        #expect(Self.check(judged(.init(multipleSingleBit: 1, doubleBit: 0, pending: true)), "retired_pages")?.level == .warn)
        #expect(Self.check(judged(.init(multipleSingleBit: 10, doubleBit: 0, pending: false), critical: 10), "retired_pages")?.level == .critical)
    }

    @Test func rowRemapPendingWarnsAndAFailureIsCritical() {
        func level(_ remap: GPUHealthReading.RowRemap) -> HealthCheck.Level? {
            Self.check(Self.evaluate(Self.facts(gpus: [Self.reading(Self.first) { $0.rowRemap = .value(remap) }])), "row_remap")?.level
        }
        #expect(level(.init(correctable: 1, uncorrectable: 2, pending: true, failed: false)) == .warn)
        #expect(level(.init(correctable: 1, uncorrectable: 2, pending: false, failed: true)) == .critical)
        #expect(level(.init(correctable: 1, uncorrectable: 0, pending: false, failed: false)) == .pass)
    }

    static func xid(_ code: Int, _ address: String? = first) -> XidRecord {
        XidRecord(device: address.flatMap { PCIAddress($0) }, code: code, message: "NVRM: Xid (PCI:\(address ?? "?")): \(code), pid=1, name=app")
    }

    @Test func anXid79IsCriticalWithItsCountAndOthersWarn() throws {
        let outcome = Self.evaluate(Self.facts(bus: [Self.device(Self.first), Self.device(Self.second)], gpus: [Self.reading(Self.first), Self.reading(Self.second)],
            xids: [Self.xid(13), Self.xid(79), Self.xid(79), Self.xid(31, Self.second)]))
        let first = try #require(Self.check(outcome, "xid", Self.first))
        #expect(first.level == .critical)
        #expect(first.evidence.prefix(2) == ["Xid 13: 1 record since boot", "Xid 79 (GPU has fallen off the bus): 2 records since boot"])
        #expect(Self.check(outcome, "xid", Self.second)?.level == .warn)
        #expect(Self.metric(outcome, "guestprep_gpu_xid_total", [Self.first, "79"]) == 2)
        // Every GPU on the bus has its check, a pass without records; a record of an address
        // not on the bus (a GPU gone) and one without an address have theirs.
        let third = "0000:1b:00.0"
        let more = Self.evaluate(Self.facts(bus: [Self.device(Self.first), Self.device(Self.second)], gpus: [Self.reading(Self.first), Self.reading(Self.second)],
            xids: [Self.xid(79, third), Self.xid(13, nil)]))
        #expect(more.checks.filter { $0.name == "xid" }.map(\.subject) == [Self.first, Self.second, third, nil])
        #expect(more.checks.filter { $0.name == "xid" }.map(\.level) == [.pass, .pass, .critical, .warn])
        #expect(Self.metric(more, "guestprep_gpu_xid_total", ["unknown", "13"]) == 1)
        #expect(outcome.metrics.first { $0.name == "guestprep_gpu_xid_total" }?.kind == .counter)
        for code in [48, 74, 79, 95, 119, 120, 140] {
            #expect(Self.check(Self.evaluate(Self.facts(xids: [Self.xid(code)])), "xid")?.level == .critical, "Xid \(code)")
        }
        #expect(Self.check(Self.evaluate(Self.facts(xids: [Self.xid(94)])), "xid")?.level == .warn)
    }

    /// The log holds one boot: a new boot's counts add to the kept totals, the same boot read
    /// again (or with its oldest records gone from the ring buffer) counts nothing twice.
    @Test func xidCountersCarryAcrossRunsAndBoots() {
        var facts = Self.facts(xids: [Self.xid(79), Self.xid(79)])
        facts.bootTime = 1000
        let firstRun = Self.evaluate(facts)
        #expect(firstRun.memory["xid/0000:0b:00.0/79"] == 2)
        #expect(firstRun.memory["xid/btime"] == 1000)
        // Same boot, one more record.
        facts.xids = [Self.xid(79), Self.xid(79), Self.xid(79)]
        let secondRun = Self.evaluate(facts, memory: firstRun.memory)
        #expect(Self.metric(secondRun, "guestprep_gpu_xid_total", [Self.first, "79"]) == 3)
        // Same boot, the ring buffer lost the oldest: the counter does not go down.
        facts.xids = [Self.xid(79)]
        let wrapped = Self.evaluate(facts, memory: secondRun.memory)
        #expect(Self.metric(wrapped, "guestprep_gpu_xid_total", [Self.first, "79"]) == 3)
        // A new boot with one record: added.
        facts.bootTime = 5000
        facts.xids = [Self.xid(79)]
        let nextBoot = Self.evaluate(facts, memory: wrapped.memory)
        #expect(Self.metric(nextBoot, "guestprep_gpu_xid_total", [Self.first, "79"]) == 4)
        #expect(Self.check(nextBoot, "xid")?.evidence.first == "Xid 79 (GPU has fallen off the bus): 1 record since boot")
        // A later boot without Xids: the counter stays, the check passes.
        facts.bootTime = 9000
        facts.xids = []
        let clean = Self.evaluate(facts, memory: nextBoot.memory)
        #expect(Self.metric(clean, "guestprep_gpu_xid_total", [Self.first, "79"]) == 4)
        #expect(Self.check(clean, "xid")?.level == .pass)
        // The log unreadable: unknown, and the counters go on as they were.
        facts.xids = nil
        facts.kernelLogProblem = "/dev/kmsg: permission denied"
        let unreadable = Self.evaluate(facts, memory: clean.memory)
        #expect(Self.check(unreadable, "xid")?.level == .unknown)
        #expect(Self.check(unreadable, "xid")?.evidence == ["the kernel log could not be read: /dev/kmsg: permission denied"])
        #expect(Self.metric(unreadable, "guestprep_gpu_xid_total", [Self.first, "79"]) == 4)
        #expect(unreadable.memory["xid/0000:0b:00.0/79"] == 4)
    }

    @Test func aNarrowLinkWarnsAndAnIdleGPUsSlowLinkIsNotJudged() throws {
        let narrow = Self.evaluate(Self.facts(bus: [Self.device(Self.first, width: (8, 16))]))
        let check = try #require(Self.check(narrow, "pci_width"))
        #expect(check.level == .warn)
        #expect(check.evidence.first == "link x8 of x16: narrower than the GPU can run")
        #expect(Self.metric(narrow, "guestprep_gpu_pcie_link_width", [Self.first]) == 8)
        #expect(Self.metric(narrow, "guestprep_gpu_pcie_link_width_max", [Self.first]) == 16)
        let slow = Self.device(Self.first, speed: ("2.5 GT/s PCIe", "16.0 GT/s PCIe"))
        // At work (P0): slower is a warning.
        #expect(Self.check(Self.evaluate(Self.facts(bus: [slow])), "pci_width")?.level == .warn)
        // At rest (P8): the GPU lowered it itself.
        let idle = Self.evaluate(Self.facts(bus: [slow], gpus: [Self.reading(Self.first) { $0.performanceState = .value(8) }]))
        #expect(Self.check(idle, "pci_width")?.level == .pass)
        #expect(Self.check(idle, "pci_width")?.evidence.last?.contains("not judged: an idle GPU lowers its link speed (performance state P8)") == true)
        // No link in sysfs: unknown.
        #expect(Self.check(Self.evaluate(Self.facts(bus: [Self.device(Self.first, width: nil)])), "pci_width")?.level == .unknown)
    }
}
