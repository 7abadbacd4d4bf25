import GuestPrepModel

/// Judges `GPUHealthFacts`: the checks `pci_nvml`, `driver_version`, `persistence`,
/// `compute_mode`, `temperature`, `ecc`, `retired_pages`, `row_remap`, `xid` and `pci_width`,
/// and the GPU metrics. Pure: the same facts, thresholds and memory give the same outcome.
public enum GPUHealthEvaluator {
    /// Xids that mean the GPU cannot be trusted with work until it is reset, drained or
    /// serviced (NVIDIA's Xid catalog, docs.nvidia.com/deploy/xid-errors): 48 double-bit ECC
    /// error, 74 NVLink error, 79 GPU fallen off the bus, 95 uncontained ECC error, 119 GSP RPC
    /// timeout, 120 GSP error, 140 unrecovered ECC error. Every other Xid is a warning.
    public static let criticalXids: [Int: String] = [
        48: "double-bit ECC error", 74: "NVLink error", 79: "GPU has fallen off the bus", 95: "uncontained ECC error",
        119: "GSP RPC timeout", 120: "GSP error", 140: "unrecovered ECC error",
    ]

    /// Bitfusion's rule where the board gives no slowdown threshold: a GPU is healthy below 100 °C.
    public static let fallbackCriticalCelsius = 100

    /// Keys of `HealthContext.memory` the Xid counters use: `xid/ADDRESS/CODE` is the total
    /// over every boot, `xid/ADDRESS/CODE/boot` the part of it this boot's log gave, and
    /// `xid/btime` the boot those came from.
    static let bootTimeKey = "xid/btime"

    public static func evaluate(_ facts: GPUHealthFacts, thresholds: HealthThresholds, memory: [String: Double]) -> HealthOutcome {
        var outcome = HealthOutcome()
        pciNVML(facts, &outcome)
        driverVersion(facts, &outcome)
        perGPU(facts, thresholds, &outcome)
        xid(facts, memory, &outcome)
        pciWidth(facts, &outcome)
        return outcome
    }

    static func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }

    /// The reason a driver check cannot be judged, nil when the driver answered.
    static func driverMissing(_ driver: GPUHealthFacts.Driver) -> String? {
        switch driver {
        case .notAsked: "NVML not asked under --root: only the running system's driver can answer"
        case .notInstalled(let why): "no NVIDIA driver to ask (\(why))"
        case .notResponding(let why): "the NVIDIA driver does not answer (\(why))"
        case .readings: nil
        }
    }

    static let driverFix = "install the driver (guestprep run, step driver) and see `guestprep run --stage main` for step driver-verify"

    // MARK: pci_nvml

    static func pciNVML(_ facts: GPUHealthFacts, _ outcome: inout HealthOutcome) {
        let bus = facts.bus.map(\.address.description)
        outcome.metrics.append(
            HealthMetric(name: "guestprep_gpus_expected", help: "NVIDIA GPUs on the PCI bus (sysfs).", value: Double(bus.count)))
        let onBus = bus.isEmpty ? "no NVIDIA GPU on the PCI bus" : "on the PCI bus: \(bus.joined(separator: ", "))"
        if bus.isEmpty {
            if facts.expectsGPU {
                outcome.checks.append(
                    HealthCheck(
                        name: "pci_nvml", level: .critical, evidence: [onBus, "the role expects GPUs in this VM"],
                        fix: "pass the GPUs through to the VM on the hypervisor: `guestprep doctor` says what to change"))
            } else {
                outcome.checks.append(
                    HealthCheck(name: "pci_nvml", level: .pass, evidence: [onBus, "the role expects no GPU in this VM"]))
            }
            if case .readings(let readings) = facts.driver {
                outcome.metrics.append(visibleMetric(readings.gpus.count))
            }
            return
        }
        guard case .readings(let readings) = facts.driver else {
            let reason = driverMissing(facts.driver)!
            if case .notResponding = facts.driver {
                outcome.checks.append(
                    HealthCheck(
                        name: "pci_nvml", level: .critical, evidence: [onBus, reason, "the driver sees none of them"],
                        fix: "see why the driver does not answer: dmesg | grep -i nvrm, and `guestprep doctor`"))
                outcome.metrics.append(visibleMetric(0))
            } else {
                outcome.checks.append(
                    HealthCheck(
                        name: "pci_nvml", level: .unknown, evidence: [onBus, reason],
                        fix: facts.driver == .notAsked ? "run guestprep health on the VM itself" : driverFix))
            }
            return
        }
        outcome.metrics.append(visibleMetric(readings.gpus.count))
        let seen = Set(readings.gpus.map { $0.address.lowercased() })
        let missing = facts.bus.filter { !seen.contains($0.address.description) }
        var evidence = [onBus, "NVML (driver \(readings.driverVersion)) sees \(readings.gpus.count) of \(bus.count)"]
        for device in missing {
            let causes = facts.causes[device.address] ?? []
            evidence.append(
                "\(device.address) is on the PCI bus but NVML does not see it"
                    + (causes.isEmpty ? "" : "; likely cause: " + causes.joined(separator: "; ")))
        }
        let extra = readings.gpus.map(\.address).filter { address in !facts.bus.contains { $0.address.description == address } }
        if !extra.isEmpty { evidence.append("NVML also reports \(extra.joined(separator: ", ")), not found in sysfs") }
        outcome.checks.append(
            HealthCheck(
                name: "pci_nvml", level: missing.isEmpty ? .pass : .critical, evidence: evidence,
                fix: missing.isEmpty ? nil : "see why the driver left it out: dmesg | grep -i nvrm, and `guestprep doctor`"))
    }

    static func visibleMetric(_ count: Int) -> HealthMetric {
        HealthMetric(name: "guestprep_gpus_visible", help: "NVIDIA GPUs the driver (NVML) sees.", value: Double(count))
    }

    // MARK: driver_version

    static func driverVersion(_ facts: GPUHealthFacts, _ outcome: inout HealthOutcome) {
        guard case .readings(let readings) = facts.driver else {
            // No GPU and none expected: there is no driver to judge.
            if facts.bus.isEmpty && !facts.expectsGPU { return }
            outcome.checks.append(
                HealthCheck(
                    name: "driver_version", level: .unknown, evidence: [driverMissing(facts.driver)!],
                    fix: facts.driver == .notAsked ? "run guestprep health on the VM itself" : driverFix))
            return
        }
        let loaded = "the driver loaded is \(readings.driverVersion)"
        guard let chosen = facts.chosenBranch else {
            outcome.checks.append(
                HealthCheck(
                    name: "driver_version", level: .pass,
                    evidence: [loaded, "guestprep chose no branch (its driver step did not install one)"]))
            return
        }
        guard let branch = chosen.branch else {
            outcome.checks.append(
                HealthCheck(
                    name: "driver_version", level: .pass,
                    evidence: [loaded, "the route installs the repository's branch (\(chosen.source))"]))
            return
        }
        let loadedBranch = Int(readings.driverVersion.prefix { $0.isNumber })
        if loadedBranch == branch {
            outcome.checks.append(
                HealthCheck(name: "driver_version", level: .pass, evidence: [loaded, "branch \(branch) as chosen (\(chosen.source))"]))
        } else {
            outcome.checks.append(
                HealthCheck(
                    name: "driver_version", level: .warn,
                    evidence: [loaded, "branch \(branch) was chosen (\(chosen.source))"],
                    fix: "reboot to load the installed driver's module; if it stays, another install replaced it: run guestprep run"))
        }
    }

    // MARK: per GPU (persistence, compute_mode, temperature, ecc, retired_pages, row_remap)

    static let perGPUNames = ["persistence", "compute_mode", "temperature", "ecc", "retired_pages", "row_remap"]

    static func perGPU(_ facts: GPUHealthFacts, _ thresholds: HealthThresholds, _ outcome: inout HealthOutcome) {
        guard case .readings(let readings) = facts.driver else {
            guard let reason = driverMissing(facts.driver) else { return }
            for device in facts.bus {
                for name in perGPUNames {
                    outcome.checks.append(
                        HealthCheck(
                            name: name, level: .unknown, subject: device.address.description, evidence: [reason],
                            fix: facts.driver == .notAsked ? "run guestprep health on the VM itself" : driverFix))
                }
            }
            return
        }
        let seen = Set(readings.gpus.map(\.address))
        for device in facts.bus where !seen.contains(device.address.description) {
            for name in perGPUNames {
                outcome.checks.append(
                    HealthCheck(
                        name: name, level: .unknown, subject: device.address.description,
                        evidence: ["NVML does not see this GPU (see pci_nvml)"], fix: "see pci_nvml"))
            }
        }
        for gpu in readings.gpus {
            let labels = [(name: "pci", value: gpu.address)]
            persistence(gpu, wanted: facts.persistenceWanted, &outcome)
            computeMode(gpu, &outcome)
            temperature(gpu, thresholds, labels, &outcome)
            ecc(gpu, labels, &outcome)
            retiredPages(gpu, thresholds, labels, &outcome)
            rowRemap(gpu, &outcome)
        }
    }

    /// The unknown check for an answer NVML did not give.
    static func unanswered<T>(_ name: String, _ gpu: GPUHealthReading, _ answer: NVMLAnswer<T>, what: String) -> HealthCheck? {
        switch answer {
        case .value: return nil
        case .notSupported:
            return HealthCheck(
                name: name, level: .unknown, subject: gpu.address, evidence: ["NVML: \(what) is not supported on this board"],
                fix: "none needed unless this board should report it: check it with nvidia-smi -q -i \(gpu.address)")
        case .unavailable(let why):
            return HealthCheck(
                name: name, level: .unknown, subject: gpu.address, evidence: ["NVML did not give \(what): \(why)"],
                fix: "update the NVIDIA driver, or check it with nvidia-smi -q -i \(gpu.address)")
        }
    }

    static func persistence(_ gpu: GPUHealthReading, wanted: Bool, _ outcome: inout HealthOutcome) {
        guard let on = gpu.persistenceMode.value else {
            outcome.checks.append(unanswered("persistence", gpu, gpu.persistenceMode, what: "the persistence mode")!)
            return
        }
        let evidence = ["\(gpu.name): persistence mode \(on ? "on" : "off") (NVML)"]
        if on || !wanted {
            outcome.checks.append(
                HealthCheck(
                    name: "persistence", level: .pass, subject: gpu.address,
                    evidence: evidence + (on ? [] : ["the profile turns persistence mode off (driver.persistence)"])))
        } else {
            outcome.checks.append(
                HealthCheck(
                    name: "persistence", level: .warn, subject: gpu.address, evidence: evidence + ["the profile wants it on"],
                    fix: "systemctl enable --now nvidia-persistenced (guestprep's persistence step sets this up)"))
        }
    }

    static func computeMode(_ gpu: GPUHealthReading, _ outcome: inout HealthOutcome) {
        guard let mode = gpu.computeMode.value else {
            outcome.checks.append(unanswered("compute_mode", gpu, gpu.computeMode, what: "the compute mode")!)
            return
        }
        let fix = "nvidia-smi -i \(gpu.address) -c DEFAULT"
        let check: HealthCheck
        switch mode {
        case .default:
            check = HealthCheck(name: "compute_mode", level: .pass, subject: gpu.address, evidence: ["compute mode Default (NVML)"])
        case .exclusiveProcess, .exclusiveThread:
            check = HealthCheck(
                name: "compute_mode", level: .warn, subject: gpu.address,
                evidence: ["compute mode \(mode == .exclusiveProcess ? "Exclusive_Process" : "Exclusive_Thread") (NVML): one process at a time may use the GPU"],
                fix: fix)
        case .prohibited:
            check = HealthCheck(
                name: "compute_mode", level: .critical, subject: gpu.address,
                evidence: ["compute mode Prohibited (NVML): no process may use the GPU"], fix: fix)
        }
        outcome.checks.append(check)
    }

    static func temperature(
        _ gpu: GPUHealthReading, _ thresholds: HealthThresholds, _ labels: [(name: String, value: String)],
        _ outcome: inout HealthOutcome
    ) {
        guard let celsius = gpu.temperature.value else {
            outcome.checks.append(unanswered("temperature", gpu, gpu.temperature, what: "the temperature")!)
            return
        }
        outcome.metrics.append(
            HealthMetric(
                name: "guestprep_gpu_temperature_celsius", help: "GPU die temperature (NVML).", labels: labels,
                value: Double(celsius)))
        let limit: Int
        var evidence = ["\(celsius) °C (NVML)"]
        if let slowdown = gpu.slowdownThreshold.value {
            limit = slowdown
            evidence.append("the board slows down at \(slowdown) °C (NVML's slowdown threshold)")
            outcome.metrics.append(
                HealthMetric(
                    name: "guestprep_gpu_slowdown_threshold_celsius", help: "The board's slowdown temperature (NVML).",
                    labels: labels, value: Double(slowdown)))
        } else {
            limit = fallbackCriticalCelsius
            evidence.append("the board gives no slowdown threshold: judged by Bitfusion's rule, below \(limit) °C")
        }
        let margin = thresholds.temperatureMarginCelsius
        let level: HealthCheck.Level = celsius >= limit ? .critical : celsius >= limit - margin ? .warn : .pass
        if level == .warn { evidence.append("within \(margin) °C of it (health threshold temperatureMarginCelsius)") }
        outcome.checks.append(
            HealthCheck(
                name: "temperature", level: level, subject: gpu.address, evidence: evidence,
                fix: level == .pass ? nil : "check the host's airflow and fans for this GPU, and lower its load until it cools"))
    }

    static func ecc(_ gpu: GPUHealthReading, _ labels: [(name: String, value: String)], _ outcome: inout HealthOutcome) {
        if case .notSupported = gpu.volatileDoubleBitErrors {
            outcome.checks.append(
                HealthCheck(
                    name: "ecc", level: .unknown, subject: gpu.address,
                    evidence: ["NVML: ECC is off or the board has none, so double-bit errors are not counted"],
                    fix: "turn ECC on where the board has it: nvidia-smi -i \(gpu.address) -e 1, then reboot"))
            return
        }
        guard let count = gpu.volatileDoubleBitErrors.value else {
            outcome.checks.append(unanswered("ecc", gpu, gpu.volatileDoubleBitErrors, what: "the ECC error count")!)
            return
        }
        outcome.metrics.append(
            HealthMetric(
                name: "guestprep_gpu_ecc_volatile_dbe", help: "Uncorrected (double-bit) ECC errors since the driver loaded (NVML).",
                labels: labels, value: Double(count)))
        let evidence = ["\(count) uncorrected (double-bit) ECC error\(count == 1 ? "" : "s") since the driver loaded (NVML, volatile)"]
        outcome.checks.append(
            count == 0
                ? HealthCheck(name: "ecc", level: .pass, subject: gpu.address, evidence: evidence)
                : HealthCheck(
                    name: "ecc", level: .critical, subject: gpu.address, evidence: evidence,
                    fix: "drain the GPU and reset it (reboot the VM); if errors return, the board needs service"))
    }

    static func retiredPages(
        _ gpu: GPUHealthReading, _ thresholds: HealthThresholds, _ labels: [(name: String, value: String)],
        _ outcome: inout HealthOutcome
    ) {
        if case .notSupported = gpu.retiredPages {
            outcome.checks.append(
                HealthCheck(
                    name: "retired_pages", level: .pass, subject: gpu.address,
                    evidence: ["NVML: this board does not retire pages (Ampere and newer remap rows instead: see row_remap)"]))
            return
        }
        guard let pages = gpu.retiredPages.value else {
            outcome.checks.append(unanswered("retired_pages", gpu, gpu.retiredPages, what: "the retired pages")!)
            return
        }
        outcome.metrics.append(
            HealthMetric(
                name: "guestprep_gpu_retired_pages", help: "GPU memory pages retired by ECC errors (NVML).", labels: labels,
                value: Double(pages.total)))
        var evidence = [
            "\(plural(pages.total, "retired page")) (\(pages.doubleBit) for double-bit errors, \(pages.multipleSingleBit) for repeated single-bit errors; NVML)"
        ]
        if pages.pending == true { evidence.append("more pages are pending retirement until the driver reloads") }
        if pages.pending == nil { evidence.append("NVML did not say whether pages are pending retirement") }
        let level: HealthCheck.Level
        let fix: String?
        if pages.total >= thresholds.retiredPagesCritical {
            level = .critical
            evidence.append("\(thresholds.retiredPagesCritical) or more is DCGM's limit (health threshold retiredPagesCritical)")
            fix = "the board has used up its spare pages: drain it and have it serviced"
        } else if pages.pending == true {
            level = .warn
            fix = "reboot the VM (or reset the GPU) so the pending pages are retired"
        } else {
            level = .pass
            fix = nil
        }
        outcome.checks.append(HealthCheck(name: "retired_pages", level: level, subject: gpu.address, evidence: evidence, fix: fix))
    }

    static func rowRemap(_ gpu: GPUHealthReading, _ outcome: inout HealthOutcome) {
        if case .notSupported = gpu.rowRemap {
            outcome.checks.append(
                HealthCheck(
                    name: "row_remap", level: .pass, subject: gpu.address,
                    evidence: ["NVML: no row remapper to ask (a board before Ampere retires pages instead, see retired_pages; or MIG is on)"]))
            return
        }
        guard let remap = gpu.rowRemap.value else {
            outcome.checks.append(unanswered("row_remap", gpu, gpu.rowRemap, what: "the remapped rows")!)
            return
        }
        let rows = plural(remap.uncorrectable + remap.correctable, "remapped row")
        var evidence = ["\(rows) (\(remap.uncorrectable) for uncorrectable errors, \(remap.correctable) for correctable ones; NVML)"]
        let level: HealthCheck.Level
        let fix: String?
        if remap.failed {
            level = .critical
            evidence.append("a row remapping has failed")
            fix = "the board can no longer hide its memory faults: drain it and have it serviced"
        } else if remap.pending {
            level = .warn
            evidence.append("a remapping is pending until the GPU is reset")
            fix = "reboot the VM (or reset the GPU) to apply the pending remapping"
        } else {
            level = .pass
            fix = nil
        }
        outcome.checks.append(HealthCheck(name: "row_remap", level: level, subject: gpu.address, evidence: evidence, fix: fix))
    }

    // MARK: xid

    static func xid(_ facts: GPUHealthFacts, _ memory: [String: Double], _ outcome: inout HealthOutcome) {
        // The kept totals, `xid/ADDRESS/CODE`.
        var keys: Set<String> = []
        for key in memory.keys {
            let parts = key.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 3, parts[0] == "xid", Int(parts[2]) != nil { keys.insert(key) }
        }
        guard let records = facts.xids else {
            outcome.checks.append(
                HealthCheck(
                    name: "xid", level: .unknown,
                    evidence: ["the kernel log could not be read: \(facts.kernelLogProblem ?? "no reason given")"],
                    fix: "run guestprep health as root (the kernel log needs it)"))
            // The counters go on as they were.
            for key in keys.sorted() {
                outcome.memory[key] = memory[key]
                outcome.memory[key + "/boot"] = memory[key + "/boot"] ?? 0
                outcome.metrics.append(xidMetric(key, memory[key] ?? 0))
            }
            if let kept = memory[bootTimeKey] { outcome.memory[bootTimeKey] = kept }
            return
        }
        var counts: [String: Int] = [:]
        for record in records {
            counts["xid/\(record.device?.description ?? "unknown")/\(record.code)", default: 0] += 1
        }
        keys.formUnion(counts.keys)
        // Another boot's log when the boot time changed; the same boot's (read again, or with
        // its oldest records overwritten in the ring buffer) otherwise: it never counts twice
        // and a counter never goes down.
        let sameBoot = facts.bootTime == nil || memory[bootTimeKey] == nil || memory[bootTimeKey] == facts.bootTime
        for key in keys.sorted() {
            let kept = memory[key] ?? 0
            let keptBoot = memory[key + "/boot"] ?? 0
            let now = Double(counts[key] ?? 0)
            let boot = sameBoot ? max(keptBoot, now) : now
            let total = sameBoot ? kept - keptBoot + boot : kept + now
            outcome.memory[key] = total
            outcome.memory[key + "/boot"] = boot
            outcome.metrics.append(xidMetric(key, total))
        }
        if let bootTime = facts.bootTime ?? memory[bootTimeKey] { outcome.memory[bootTimeKey] = bootTime }

        // One check per GPU on the bus, so each keeps its subject from run to run; then one per
        // other address the records name (a GPU gone from the bus), and one for records
        // without an address.
        guard !(records.isEmpty && facts.bus.isEmpty) else {
            outcome.checks.append(HealthCheck(name: "xid", level: .pass, evidence: ["no Xid record in the kernel log since boot"]))
            return
        }
        var devices: [PCIAddress?] = facts.bus.map(\.address)
        for record in records where !devices.contains(record.device) { devices.append(record.device) }
        for device in devices {
            let own = records.filter { $0.device == device }
            guard !own.isEmpty else {
                outcome.checks.append(
                    HealthCheck(name: "xid", level: .pass, subject: device?.description, evidence: ["no Xid record in the kernel log since boot"]))
                continue
            }
            var perCode: [(code: Int, count: Int)] = []
            for record in own {
                if let index = perCode.firstIndex(where: { $0.code == record.code }) {
                    perCode[index].count += 1
                } else {
                    perCode.append((record.code, 1))
                }
            }
            let critical = perCode.filter { criticalXids[$0.code] != nil }
            var evidence = perCode.map { entry in
                let meaning = criticalXids[entry.code].map { " (\($0))" } ?? ""
                return "Xid \(entry.code)\(meaning): \(plural(entry.count, "record")) since boot"
            }
            evidence.append("last: \(own.last!.message)")
            outcome.checks.append(
                HealthCheck(
                    name: "xid", level: critical.isEmpty ? .warn : .critical, subject: device?.description, evidence: evidence,
                    fix: critical.isEmpty
                        ? "look the code up in NVIDIA's Xid catalog (docs.nvidia.com/deploy/xid-errors); most follow an application fault"
                        : "drain the GPU and reboot the VM; if it recurs, check the host (PCIe slot, power, cooling) and have the board serviced"))
        }
    }

    static func xidMetric(_ key: String, _ total: Double) -> HealthMetric {
        let parts = key.split(separator: "/")
        return HealthMetric(
            name: "guestprep_gpu_xid_total", help: "Xid records of the NVIDIA driver in the kernel log, over every boot.",
            kind: .counter, labels: [(name: "pci", value: String(parts[1])), (name: "code", value: String(parts[2]))], value: total)
    }

    // MARK: pci_width

    /// `8.0 GT/s PCIe` → 8.0; nil for `Unknown` and anything else.
    static func gigatransfers(_ text: String?) -> Double? {
        guard let text else { return nil }
        return Double(text.prefix { $0.isNumber || $0 == "." })
    }

    static func pciWidth(_ facts: GPUHealthFacts, _ outcome: inout HealthOutcome) {
        var states: [String: Int] = [:]
        if case .readings(let readings) = facts.driver {
            for gpu in readings.gpus { states[gpu.address] = gpu.performanceState.value }
        }
        for device in facts.bus {
            let address = device.address.description
            let labels = [(name: "pci", value: address)]
            guard let current = device.currentLinkWidth, let maximum = device.maxLinkWidth, current > 0, maximum > 0 else {
                outcome.checks.append(
                    HealthCheck(
                        name: "pci_width", level: .unknown, subject: address,
                        evidence: ["sysfs gives no link width for this function (current_link_width, max_link_width)"],
                        fix: "none in the guest: the hypervisor's virtual bridge does not report the link; check it on the host"))
                continue
            }
            outcome.metrics.append(
                HealthMetric(name: "guestprep_gpu_pcie_link_width", help: "Current PCIe link width (sysfs).", labels: labels, value: Double(current)))
            outcome.metrics.append(
                HealthMetric(
                    name: "guestprep_gpu_pcie_link_width_max", help: "Maximum PCIe link width (sysfs).", labels: labels, value: Double(maximum)))
            var evidence = ["link x\(current) of x\(maximum)"]
            var level: HealthCheck.Level = .pass
            if current < maximum {
                level = .warn
                evidence[0] += ": narrower than the GPU can run"
            }
            let currentSpeed = gigatransfers(device.currentLinkSpeed)
            let maximumSpeed = gigatransfers(device.maxLinkSpeed)
            if let currentSpeed, let maximumSpeed {
                let speeds = "\(device.currentLinkSpeed!) of \(device.maxLinkSpeed!)"
                if currentSpeed >= maximumSpeed {
                    evidence.append(speeds)
                } else if states[address] == 0 {
                    level = .warn
                    evidence.append("\(speeds): slower than the GPU can run while it works (performance state P0, NVML)")
                } else {
                    // A GPU at rest lowers its link speed to save power and raises it under load.
                    let state = states[address].map { "P\($0)" } ?? "not known"
                    evidence.append("\(speeds): below the maximum, not judged: an idle GPU lowers its link speed (performance state \(state))")
                }
            }
            outcome.checks.append(
                HealthCheck(
                    name: "pci_width", level: level, subject: address, evidence: evidence,
                    fix: level == .pass ? nil : "reseat the GPU or move it to a full-width slot on the host; check the host's BIOS PCIe settings"))
        }
    }
}
