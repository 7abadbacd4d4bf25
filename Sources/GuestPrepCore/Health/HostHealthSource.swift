import GuestPrepConfig
import GuestPrepModel
import GuestPrepRender

/// The host's health checks: `hostmem`, `ulimit_n`, `diskspace`, `mtu`, `network` and
/// `time_sync`, named as the Bitfusion appliance's own health checks name them (the vSphere
/// Bitfusion user guide's health-check table). Every fact is read through the context's file
/// system or the probes given here, so a fixture root or figures in a test stand in for the
/// machine; a check whose source is missing is `unknown`, never a pass.
public struct HostHealthSource: HealthSource {
    public let name = "host checks"
    /// The OVF environment's Ethernet adapters (by MAC), for mapping netN to its interface as
    /// the network step does; empty: by PCI order.
    public var adapters: [EthernetAdapter]
    /// statvfs on the running system; nil on a fixture root (`diskspace` is unknown then).
    public var disk: (any DiskSpaceProbe)?
    /// adjtimex on the running system; nil on a fixture root (`time_sync` is unknown then).
    public var clock: (any ClockSyncProbe)?

    public init(adapters: [EthernetAdapter] = [], disk: (any DiskSpaceProbe)?, clock: (any ClockSyncProbe)?) {
        self.adapters = adapters
        self.disk = disk
        self.clock = clock
    }

    /// The file systems `diskspace` looks at: the root, and /var where guestprep's state, the
    /// journal and the package caches grow.
    public static let mountPoints = ["/", "/var"]

    public func evaluate(_ context: HealthContext) throws -> HealthOutcome {
        var outcome = HealthOutcome()
        let role = BitfusionRole(profile: context.profile)
        outcome.checks += hostMemory(context, role: role)
        outcome.checks += openFiles(context, role: role)
        outcome.checks += diskSpace(context)
        let nics = configuredNICs(context)
        if role != nil { outcome.checks += mtu(context, nics: nics, role: role) }
        let network = network(context, nics: nics)
        outcome.checks += network.checks
        outcome.memory = network.memory
        outcome.checks += timeSync(context)
        return outcome
    }

    // MARK: - Role

    /// The Bitfusion role a profile prepares, judged by its steps (a site profile may have any
    /// name): a server checks its GPUs and vCenter, a client installs Bitfusion's limits.
    enum BitfusionRole: Equatable {
        case server, client

        init?(profile: Profile?) {
            guard let steps = profile?.steps else { return nil }
            if steps.contains("bitfusion-server-check") || steps.contains("vcenter-verify") {
                self = .server
            } else if steps.contains("bitfusion-client") || steps.contains("bitfusion-limits") {
                self = .client
            } else {
                return nil
            }
        }
    }

    // MARK: - hostmem

    /// `hostmem`: MemTotal at least the GPUs' memory together (the guide's `hostmem` and
    /// `shadow_mem`: "system memory at least equal to the frame-buffer memory on the GPUs").
    /// Critical on a Bitfusion server, whose memory shadows the GPUs' for its clients; warn on
    /// another role with GPUs. Not checked on a client (its GPUs are the servers', which it
    /// does not know) nor on a vGPU guest.
    func hostMemory(_ context: HealthContext, role: BitfusionRole?) -> [HealthCheck] {
        if role == .client { return [] }
        // A vGPU's frame buffer is the slice its vGPU type gives, which the PCI IDs do not tell
        // (the catalog has the whole board's): no figure to compare with.
        if let steps = context.profile?.steps, steps.contains("vgpu-license") || steps.contains("vgpu-license-verify") { return [] }
        let name = "hostmem"
        let fix = "give the VM at least the GPUs' memory together (Bitfusion: reserve all guest memory), then reboot"
        let meminfo: String?
        let memTotal: UInt64?
        do {
            meminfo = try context.fs.readText(GPUEnvironment.meminfoPath)
            memTotal = try meminfo.flatMap { try GPUEnvironment.memTotal(meminfo: $0) }
        } catch {
            return [HealthCheck(name: name, level: .unknown, evidence: ["\(GPUEnvironment.meminfoPath): \(error)"], fix: "run guestprep health on the running system")]
        }
        guard let memTotal else {
            let seen = meminfo == nil ? "is missing" : "has no MemTotal line"
            return [HealthCheck(name: name, level: .unknown, evidence: ["\(GPUEnvironment.meminfoPath) \(seen)"], fix: "mount /proc")]
        }
        let devices: [NVIDIADevice]
        do { devices = try NVIDIADeviceScanner.scan(fs: context.fs).filter(\.isGPU) } catch {
            return [HealthCheck(name: name, level: .unknown, evidence: ["the PCI bus could not be read: \(error)"], fix: "mount /sys")]
        }
        guard !devices.isEmpty else {
            if role == nil, let profile = context.profile, !GPURole(profile: profile, source: "").expectsGPU { return [] }
            return [
                HealthCheck(
                    name: name, level: .unknown,
                    evidence: ["no NVIDIA GPU is visible on the PCI bus, so there is no GPU memory to compare MemTotal with"],
                    fix: "pass the GPUs through to the VM (see the doctor check and `guestprep doctor`)")
            ]
        }
        let environment = GPUEnvironment(hypervisor: .unknown, firmware: .efi, memTotalBytes: memTotal, devices: devices)
        let doctor = GPUDoctor(environment: environment, models: GPUCatalog.models(deviceIDs: Set(devices.map(\.deviceID))))
        var gib: [Int] = []
        for device in devices {
            guard let memory = doctor.gpuMemory(of: device) else {
                return [
                    HealthCheck(
                        name: name, level: .unknown,
                        evidence: ["GPU \(device.address) (device 10de:\(String(device.deviceID, radix: 16))) is not in guestprep's GPU catalog, so its memory is unknown"],
                        fix: "compare MemTotal with nvidia-smi's total memory of the GPUs by hand")
                ]
            }
            gib.append(memory.gib)
        }
        let gpuGiB = GPUDoctor.gibTotal(gib)
        let gpuBytes = SaturatingSize.multiplying(gpuGiB, 1 << 30)
        let evidence = [
            "MemTotal \(MMIOSizing.describe(bytes: memTotal)) (\(GPUEnvironment.meminfoPath))",
            "\(devices.count) GPU(s), \(gpuGiB) GiB of memory together (GPU catalog); threshold \(context.thresholds.hostMemoryPercent)% of it",
        ]
        guard GPUDoctor.isBelow(memTotal, percent: UInt64(clamping: context.thresholds.hostMemoryPercent), of: gpuBytes) else {
            return [HealthCheck(name: name, level: .pass, evidence: evidence)]
        }
        return [HealthCheck(name: name, level: role == .server ? .critical : .warn, evidence: evidence, fix: fix)]
    }

    // MARK: - ulimit_n

    /// systemd's own default when neither a unit nor system.conf sets one (systemd-system.conf(5),
    /// DefaultLimitNOFILE=: "defaults to 1024:524288").
    static let systemdDefaultNofile = (soft: 1024, hard: 524_288)
    static let unitDirectories = ["/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"]

    /// `ulimit_n`: on a client, the `@bitfusion` nofile lines of the limits file guestprep writes
    /// (BitfusionLimitsRenderer; pam_limits applies them at login), soft and hard; and for each
    /// installed `bitfusion*.service`, the soft limit systemd gives it: its LimitNOFILE= (the
    /// unit, then its drop-ins in /etc/systemd/system/NAME.d), else DefaultLimitNOFILE= of
    /// /etc/systemd/system.conf and system.conf.d/*.conf, else systemd's 1024.
    func openFiles(_ context: HealthContext, role: BitfusionRole?) -> [HealthCheck] {
        let minimum = context.thresholds.nofileMinimum
        var checks: [HealthCheck] = []
        if role == .client {
            let path = BitfusionLimitsRenderer.path
            let fix = "run guestprep run --stage main (the bitfusion-limits step writes \(path) with nofile 100000)"
            switch Result(catching: { try context.fs.readText(path) }) {
            case .failure(let error):
                checks.append(HealthCheck(name: "ulimit_n", level: .unknown, subject: "@bitfusion", evidence: ["\(path): \(error)"], fix: fix))
            case .success(nil):
                checks.append(HealthCheck(name: "ulimit_n", level: .critical, subject: "@bitfusion", evidence: ["\(path) is missing"], fix: fix))
            case .success(let text?):
                let limits = Self.groupNofile(text, group: "bitfusion")
                let seen = "\(path): soft \(limits.soft.map(Self.describe) ?? "not set"), hard \(limits.hard.map(Self.describe) ?? "not set")"
                let low = [limits.soft, limits.hard].contains { ($0 ?? 0) < minimum }
                checks.append(
                    HealthCheck(
                        name: "ulimit_n", level: low ? .critical : .pass, subject: "@bitfusion",
                        evidence: [seen, "at least \(minimum) needed (Bitfusion: \"Cannot allocate memory\" below it)"], fix: low ? fix : nil))
            }
        }
        for unit in bitfusionUnits(context.fs) {
            let (soft, source) = serviceNofile(unit: unit.name, path: unit.path, fs: context.fs)
            let low = soft < minimum
            checks.append(
                HealthCheck(
                    name: "ulimit_n", level: low ? .critical : .pass, subject: unit.name,
                    evidence: ["soft nofile \(Self.describe(soft)) (\(source)); at least \(minimum) needed"],
                    fix: low ? "add a drop-in /etc/systemd/system/\(unit.name).d/nofile.conf with [Service] LimitNOFILE=100000, then systemctl daemon-reload and restart it" : nil))
        }
        return checks
    }

    /// `Int.max` for unlimited.
    static func describe(_ value: Int) -> String { value == Int.max ? "unlimited" : String(value) }

    /// The nofile limits of `@group` in a limits.conf(5) text: `@group soft|hard|- nofile N`
    /// (`-` sets both; `unlimited`/`infinity` is no limit); the last line of each kind wins.
    public static func groupNofile(_ text: String, group: String) -> (soft: Int?, hard: Int?) {
        var soft: Int?
        var hard: Int?
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 4, words[0] == "@\(group)", words[2] == "nofile" else { continue }
            let value: Int? = words[3] == "unlimited" || words[3] == "infinity" ? Int.max : Int(words[3])
            guard let value else { continue }
            if words[1] == "soft" || words[1] == "-" { soft = value }
            if words[1] == "hard" || words[1] == "-" { hard = value }
        }
        return (soft, hard)
    }

    /// The installed units named `bitfusion*.service`, the first directory holding each.
    func bitfusionUnits(_ fs: any FileSystem) -> [(name: String, path: String)] {
        var found: [String: String] = [:]
        for directory in Self.unitDirectories {
            for name in ((try? fs.list(directory)) ?? nil) ?? [] where name.hasPrefix("bitfusion") && name.hasSuffix(".service") {
                if found[name] == nil { found[name] = directory + "/" + name }
            }
        }
        return found.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// A service's soft nofile limit and where it came from.
    func serviceNofile(unit: String, path: String, fs: any FileSystem) -> (Int, String) {
        var files = [path]
        let dropIns = "/etc/systemd/system/\(unit).d"
        files += (((try? fs.list(dropIns)) ?? nil) ?? []).filter { $0.hasSuffix(".conf") }.map { dropIns + "/" + $0 }
        if let found = Self.lastSetting("LimitNOFILE", files: files, fs: fs) { return found }
        var system = ["/etc/systemd/system.conf"]
        let confD = "/etc/systemd/system.conf.d"
        system += (((try? fs.list(confD)) ?? nil) ?? []).filter { $0.hasSuffix(".conf") }.map { confD + "/" + $0 }
        if let found = Self.lastSetting("DefaultLimitNOFILE", files: system, fs: fs) { return found }
        return (Self.systemdDefaultNofile.soft, "systemd's default DefaultLimitNOFILE=1024:524288")
    }

    /// The soft value of the last `KEY=SOFT[:HARD]` line among `files`, in order, with its file.
    static func lastSetting(_ key: String, files: [String], fs: any FileSystem) -> (Int, String)? {
        var found: (Int, String)?
        for file in files {
            guard let text = try? fs.readText(file) else { continue }
            for line in text.split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: " \t")
                guard trimmed.hasPrefix(key + "=") else { continue }
                let value = trimmed.dropFirst(key.count + 1).split(separator: ":").first.map(String.init) ?? ""
                if value == "infinity" {
                    found = (Int.max, "\(file): \(trimmed)")
                } else if let number = Int(value) {
                    found = (number, "\(file): \(trimmed)")
                }
            }
        }
        return found
    }

    // MARK: - diskspace

    /// `diskspace`: the free share of / and /var against the thresholds.
    func diskSpace(_ context: HealthContext) -> [HealthCheck] {
        let warn = context.thresholds.diskFreeWarnPercent
        let critical = context.thresholds.diskFreeCriticalPercent
        return Self.mountPoints.map { mount in
            guard let disk, context.onHost else {
                return HealthCheck(
                    name: "diskspace", level: .unknown, subject: mount,
                    evidence: ["not the running system (--root): statvfs would measure this machine's disk, not the guest's"],
                    fix: "run guestprep health on the running system")
            }
            let usage: DiskUsage
            do { usage = try disk.usage(of: mount) } catch {
                return HealthCheck(name: "diskspace", level: .unknown, subject: mount, evidence: ["statvfs(\(mount)): \(error)"], fix: "check that \(mount) is mounted")
            }
            guard usage.totalBytes > 0 else {
                return HealthCheck(name: "diskspace", level: .unknown, subject: mount, evidence: ["statvfs(\(mount)) reports a size of 0"], fix: "check that \(mount) is mounted")
            }
            // Whole percent, rounded down, in 128 bits: the figures come from the kernel.
            let percent = Int(usage.totalBytes.dividingFullWidth(usage.availableBytes.multipliedFullWidth(by: 100)).quotient)
            let evidence = [
                "\(MMIOSizing.describe(bytes: usage.availableBytes)) of \(MMIOSizing.describe(bytes: usage.totalBytes)) free (\(percent)%); warn below \(warn)%, critical below \(critical)%"
            ]
            let level: HealthCheck.Level = percent < critical ? .critical : (percent < warn ? .warn : .pass)
            return HealthCheck(
                name: "diskspace", level: level, subject: mount, evidence: evidence,
                fix: level == .pass ? nil : "free space on \(mount) (journalctl --vacuum-size, the package cache) or grow its disk")
        }
    }

    // MARK: - NICs

    /// A NIC the properties configure, and the interface it is.
    struct ConfiguredNIC {
        var spec: NICSpec
        /// The interface's name, nil when no interface is netN.
        var interface: String?
    }

    /// The NICs the properties configure, mapped to interfaces as the network step maps them;
    /// nil when there are no properties to say which.
    func configuredNICs(_ context: HealthContext) -> [ConfiguredNIC]? {
        guard let spec = context.spec else { return nil }
        let devices = (try? NetworkDeviceScanner.scan(fs: context.fs)) ?? []
        let mapping = NICMapping.map(adapters: adapters, devices: devices, softwareLinks: NetworkDeviceScanner.softwareLinks(fs: context.fs))
        return spec.nics.filter(\.configure).map { nic in
            ConfiguredNIC(spec: nic, interface: mapping.slot(nic.index)?.device?.name)
        }
    }

    static let unknownSpecEvidence = "the properties could not be read, so which NICs are configured is unknown"

    /// `mtu`: a Bitfusion data NIC's MTU between the thresholds (the guide: 4096 or more for
    /// Bitfusion's traffic, jumbo frames up to 9000). The data NICs are net2–net4 as configured;
    /// net1 carries the data too when it is the only NIC.
    func mtu(_ context: HealthContext, nics: [ConfiguredNIC]?, role: BitfusionRole?) -> [HealthCheck] {
        guard let nics else {
            return [HealthCheck(name: "mtu", level: .unknown, evidence: [Self.unknownSpecEvidence], fix: "run guestprep validate and fix the properties it names")]
        }
        let data = nics.contains { $0.spec.index > 1 } ? nics.filter { $0.spec.index > 1 } : nics
        let low = context.thresholds.mtuMinimum
        let high = context.thresholds.mtuMaximum
        return data.map { nic in
            let subject = "net\(nic.spec.index)"
            let key = "guestinfo.bitfusion.host.net\(nic.spec.index).mtu"
            guard let interface = nic.interface else {
                return HealthCheck(name: "mtu", level: .unknown, subject: subject, evidence: ["no interface is \(subject)"], fix: "attach the VM's NIC \(nic.spec.index)")
            }
            let path = "/sys/class/net/\(interface)/mtu"
            guard let text = context.fs.attribute(path), let mtu = Int(text) else {
                return HealthCheck(name: "mtu", level: .unknown, subject: "\(subject) (\(interface))", evidence: ["\(path) is unreadable"], fix: "check that sysfs is mounted")
            }
            var evidence = ["\(interface): MTU \(mtu) (\(path)); a Bitfusion data NIC needs \(low) to \(high)"]
            if mtu != nic.spec.mtu { evidence.append("\(key) asks for \(nic.spec.mtu)") }
            let good = (low...high).contains(mtu)
            // The properties ask for a good MTU the NIC does not have: the network files were not
            // applied, or something else sets the MTU.
            let fix = (low...high).contains(nic.spec.mtu)
                ? "the NIC does not have the MTU \(key) asks for: reboot or guestprep run --stage early applies it; check that nothing else sets it"
                : "set \(key) to 9000 (jumbo frames on the vSwitch and the physical switches, and the same MTU on every Bitfusion server and client), then guestprep run --stage early"
            return HealthCheck(
                name: "mtu", level: good ? .pass : .warn, subject: "\(subject) (\(interface))", evidence: evidence, fix: good ? nil : fix)
        }
    }

    /// The counters of /sys/class/net/IF/statistics that `network` adds up.
    public static let counters = ["rx_errors", "tx_errors", "rx_dropped", "tx_dropped"]

    /// `network`: the errors and drops of each configured NIC (the guide's "network error
    /// check": /sys/class/net/IF/statistics/*errors and the dropped counts), as a rate per hour
    /// since the previous health run of the same boot, whose counts and time are kept; since
    /// boot (by /proc/uptime) on the first run of a boot or when the counters went back (a
    /// driver reloaded).
    func network(_ context: HealthContext, nics: [ConfiguredNIC]?) -> (checks: [HealthCheck], memory: [String: Double]) {
        guard let nics else {
            return ([HealthCheck(name: "network", level: .unknown, evidence: [Self.unknownSpecEvidence], fix: "run guestprep validate and fix the properties it names")], [:])
        }
        var memory: [String: Double] = [:]
        var checks: [HealthCheck] = []
        let uptime = context.fs.attribute("/proc/uptime").flatMap { $0.split(separator: " ").first.flatMap { Double($0) } }
        if let uptime { memory["network/boot"] = context.now - uptime }
        for nic in nics {
            let subject = "net\(nic.spec.index)"
            guard let interface = nic.interface else {
                checks.append(HealthCheck(name: "network", level: .unknown, subject: subject, evidence: ["no interface is \(subject)"], fix: "attach the VM's NIC \(nic.spec.index)"))
                continue
            }
            let subjectName = "\(subject) (\(interface))"
            var counts: [String: UInt64] = [:]
            for counter in Self.counters {
                let path = "/sys/class/net/\(interface)/statistics/\(counter)"
                if let value = context.fs.attribute(path).flatMap(UInt64.init) { counts[counter] = value }
            }
            guard counts.count == Self.counters.count else {
                checks.append(
                    HealthCheck(name: "network", level: .unknown, subject: subjectName, evidence: ["/sys/class/net/\(interface)/statistics is unreadable"], fix: "check that sysfs is mounted"))
                continue
            }
            let total = Double(counts.values.reduce(0) { $0.addingReportingOverflow($1).overflow ? UInt64.max : $0 + $1 })
            let key = "network/\(interface)/errors"
            memory[key] = total
            memory["network/\(interface)/at"] = context.now
            var evidence = [Self.counters.map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", ")]
            let rate: Double
            // The same boot when the boot times (now less the uptime) agree within a minute.
            let bootTime = uptime.map { context.now - $0 }
            let sameBoot = bootTime.flatMap { boot in context.memory["network/boot"].map { abs($0 - boot) < 60 } } ?? false
            if sameBoot, let previous = context.memory[key], let at = context.memory["network/\(interface)/at"], previous <= total, context.now - at >= 1 {
                rate = (total - previous) / (context.now - at) * 3600
                evidence.append("\(Int(total - previous)) more since the previous health run \(Int(context.now - at)) s ago")
            } else if let uptime, uptime >= 1 {
                rate = total / uptime * 3600
                evidence.append("\(Int(total)) since boot \(Int(uptime)) s ago (no earlier health run this boot to compare with)")
            } else {
                checks.append(
                    HealthCheck(
                        name: "network", level: .unknown, subject: subjectName,
                        evidence: evidence + ["no earlier health run and no /proc/uptime: no rate to tell"], fix: "run guestprep health again later"))
                continue
            }
            let perHour = Int(rate.rounded(.up))
            let warn = context.thresholds.networkErrorsPerHourWarn
            let critical = context.thresholds.networkErrorsPerHourCritical
            evidence.append("\(perHour) errors and drops an hour; warn from \(warn), critical from \(critical)")
            let level: HealthCheck.Level = perHour >= critical ? .critical : (perHour >= warn ? .warn : .pass)
            checks.append(
                HealthCheck(
                    name: "network", level: level, subject: subjectName, evidence: evidence,
                    fix: level == .pass ? nil : "check the cabling, the switch ports and the MTU on the path (ip -s link show \(interface))"))
        }
        return (checks, memory)
    }

    // MARK: - time_sync

    /// `time_sync`: the kernel's clock synchronized (adjtimex(2); what timedatectl shows as
    /// "System clock synchronized"). TLS to vCenter and to the Bitfusion servers needs it.
    func timeSync(_ context: HealthContext) -> [HealthCheck] {
        guard let clock, context.onHost else {
            return [
                HealthCheck(
                    name: "time_sync", level: .unknown, evidence: ["not the running system (--root): the clock's state is the running kernel's"],
                    fix: "run guestprep health on the running system")
            ]
        }
        do {
            let sync = try clock.read()
            let evidence = ["adjtimex: \(sync.synchronized ? "synchronized" : "not synchronized (TIME_ERROR)"), maximum error \(sync.maxErrorMicroseconds) µs"]
            return [
                HealthCheck(
                    name: "time_sync", level: sync.synchronized ? .pass : .warn, evidence: evidence,
                    fix: sync.synchronized ? nil : "check the NTP client (timedatectl timesync-status, chronyc tracking) and guestinfo.bitfusion.host.net1.ntp")
            ]
        } catch {
            return [HealthCheck(name: "time_sync", level: .unknown, evidence: ["adjtimex: \(error)"], fix: "run guestprep health as root on the running system")]
        }
    }
}
