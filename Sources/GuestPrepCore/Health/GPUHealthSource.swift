import GuestPrepConfig
import GuestPrepModel

/// The GPU checks of `guestprep health`: reads the PCI bus (sysfs), the kernel log's Xid
/// records, the branch the last run chose and, on the running system, what the driver says
/// through `probe`; `GPUHealthEvaluator` judges them. Under `--root` the driver is not asked,
/// so its checks are `unknown`, while `xid` and `pci_width` read the fixture's files.
public struct GPUHealthSource: HealthSource {
    public let name = "GPU checks"
    let probe: any GPUHealthProbe

    /// `probe` is the driver's: GuestPrepLinux's `NVMLHealthProbe()` on a real system.
    public init(probe: any GPUHealthProbe) {
        self.probe = probe
    }

    public func evaluate(_ context: HealthContext) throws -> HealthOutcome {
        GPUHealthEvaluator.evaluate(try facts(context), thresholds: context.thresholds, memory: context.memory)
    }

    static let kernelLogPath = "/dev/kmsg"
    static let procStat = "/proc/stat"

    /// What the checks judge, read from the context's file system and the probe.
    public func facts(_ context: HealthContext) throws -> GPUHealthFacts {
        let fs = context.fs
        var bus = try NVIDIADeviceScanner.scan(fs: fs).filter(\.isGPU)
        // The scan reads the speeds only for a narrow link (the doctor's need); this check
        // reports them for every GPU.
        for index in bus.indices {
            let path = "/sys/bus/pci/devices/\(bus[index].address)"
            bus[index].currentLinkSpeed = bus[index].currentLinkSpeed ?? fs.attribute(path + "/current_link_speed")
            bus[index].maxLinkSpeed = bus[index].maxLinkSpeed ?? fs.attribute(path + "/max_link_speed")
        }
        let driver: GPUHealthFacts.Driver
        if !context.onHost {
            driver = .notAsked
        } else {
            do {
                driver = .readings(try probe.read())
            } catch DriverQueryError.notInstalled(let why) {
                driver = .notInstalled(why)
            } catch DriverQueryError.notResponding(let why) {
                driver = .notResponding(why)
            }
        }
        var facts = GPUHealthFacts(
            bus: bus,
            expectsGPU: context.profile.map { GPURole(profile: $0, source: "the profile").expectsGPU } ?? true,
            driver: driver, chosenBranch: Self.chosenBranch(context),
            persistenceWanted: context.spec?.driver.persistence ?? context.profile?.driver.persistence ?? true,
            xids: nil, bootTime: Self.bootTime(fs: fs))
        do {
            if let log = try fs.readAvailable(Self.kernelLogPath, limit: 8 << 20) {
                facts.xids = KernelLogDecoder.xids(in: String(decoding: log, as: UTF8.self))
            } else {
                facts.kernelLogProblem = "\(Self.kernelLogPath) does not exist"
            }
        } catch {
            // Unprivileged reads fail when kernel.dmesg_restrict is 1.
            facts.kernelLogProblem = "\(error)"
        }
        if case .readings(let readings) = driver {
            let seen = Set(readings.gpus.map(\.address))
            if bus.contains(where: { !seen.contains($0.address.description) }) {
                // Only when a GPU is missing: the doctor reads the bus and the log again.
                let findings = GPUDoctor(environment: try GPUEnvironment.read(fs: fs)).findings().filter { $0.level == .critical }
                for device in bus where !seen.contains(device.address.description) {
                    let own = findings.filter { $0.device == device.address || $0.device == nil }
                    facts.causes[device.address] = own.map { "\($0.code): \($0.summary)" }
                }
            }
        }
        return facts
    }

    /// The branch the last run's driver step chose (its note in state.json), else the one
    /// guestprep would choose now from the properties; nil when it installs no driver.
    static func chosenBranch(_ context: HealthContext) -> GPUHealthFacts.ChosenBranch? {
        let source = "the driver step of the last run (\(AgentState.path))"
        if let state = try? AgentState.load(fs: context.fs), let notes = state.steps["driver"]?.notes {
            for note in notes {
                if note.hasPrefix("driver: branch (") { return GPUHealthFacts.ChosenBranch(branch: nil, source: source) }
                if note.hasPrefix("driver: branch "), let branch = Int(note.dropFirst("driver: branch ".count).prefix { $0.isNumber }) {
                    return GPUHealthFacts.ChosenBranch(branch: branch, source: source)
                }
                // `driver 580.95.05 already loaded`: the driver step kept the driver it found.
                if note.hasPrefix("driver "), note.hasSuffix(" already loaded"),
                    let branch = DriverStep.branch(of: String(note.dropFirst("driver ".count)))
                {
                    return GPUHealthFacts.ChosenBranch(branch: branch, source: source)
                }
            }
        }
        guard let spec = context.spec, DriverStep.wanted(spec),
            let choice = try? DriverFacts.read(fs: context.fs).choose(spec.driver).0
        else { return nil }
        return GPUHealthFacts.ChosenBranch(branch: choice.branch, source: "guestprep's choice for these GPUs and properties")
    }

    /// `btime 1733380000` of /proc/stat: when this boot began (after the `intr` line, which runs
    /// long on a machine of many interrupts: up to 1 MiB is read).
    static func bootTime(fs: any FileSystem) -> Double? {
        guard let bytes = try? fs.readRange(procStat, offset: 0, limit: 1 << 20) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst("btime ".count).prefix { $0.isNumber })
        }
        return nil
    }
}
