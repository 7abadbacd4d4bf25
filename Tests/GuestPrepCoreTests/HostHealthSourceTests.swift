import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel
import GuestPrepRender
import GuestPrepTesting
import Testing

/// Figures for `diskspace`, by mount point.
private struct FixedDisk: DiskSpaceProbe {
    var usages: [String: DiskUsage]
    func usage(of path: String) throws -> DiskUsage {
        guard let usage = usages[path] else { throw GuestPrepError.io(path: path, operation: "statvfs", reason: "No such file or directory") }
        return usage
    }
}

/// An answer for `time_sync`, or a failure.
private struct FixedClockSync: ClockSyncProbe {
    var answer: ClockSync?
    func read() throws -> ClockSync {
        guard let answer else { throw GuestPrepError.io(path: "adjtimex", operation: "read", reason: "Operation not permitted") }
        return answer
    }
}

private let server = Profile(name: "bitfusion-server", description: "s", steps: ["network", "driver", "bitfusion-server-check"])
private let client = Profile(name: "bitfusion-client", description: "c", steps: ["network", "bitfusion-limits", "bitfusion-client"])
private let passthrough = Profile(name: "gpu-passthrough", description: "g", steps: ["network", "driver"])

private func context(
    _ fs: InMemoryFileSystem, profile: Profile?, spec: GuestSpec? = nil, onHost: Bool = true, memory: [String: Double] = [:],
    now: Double = 1_000_000, thresholds: HealthThresholds = HealthThresholds()
) -> HealthContext {
    HealthContext(
        fs: fs, runner: ScriptedProcessRunner(installed: []), onHost: onHost, thresholds: thresholds, profile: profile, spec: spec, memory: memory,
        now: now)
}

private func checks(_ outcome: HealthOutcome, _ name: String) -> [HealthCheck] { outcome.checks.filter { $0.name == name } }

private let gib: UInt64 = 1 << 30

@Suite struct HostMemoryHealthTests {
    /// Two A100 PCIe 40GB (10de:20f1, 40 GiB each in the catalog) and MemTotal of `memory` bytes.
    func machine(memory: UInt64, gpus: Int = 2, device: String = "0x20f1") -> InMemoryFileSystem {
        let pci = PCISysfsBuilder()
        for index in 0..<gpus {
            pci.function("0000:0\(index + 3):00.0", device: device, class: "0x030200", driver: "nvidia")
        }
        pci.fs.setText("/proc/meminfo", "MemTotal:       \(memory / 1024) kB\nMemFree:        1000 kB\n")
        return pci.fs
    }

    let source = HostHealthSource(disk: nil, clock: nil)

    @Test func tooLittleRAMOnAServerIsCritical() throws {
        let outcome = try source.evaluate(context(machine(memory: 64 * gib), profile: server))
        let check = try #require(checks(outcome, "hostmem").first)
        #expect(check.level == .critical)
        #expect(check.evidence.contains("MemTotal 64 GiB (/proc/meminfo)"))
        #expect(check.evidence.contains { $0.hasPrefix("2 GPU(s), 80 GiB of memory together") })
        #expect(check.fix != nil)
    }

    @Test func enoughRAMPasses() throws {
        let outcome = try source.evaluate(context(machine(memory: 96 * gib), profile: server))
        #expect(checks(outcome, "hostmem").map(\.level) == [.pass])
    }

    @Test func theKernelsShareIsAllowedByTheThreshold() throws {
        // 78 GiB is 97.5% of 80 GiB: above the default 95%, below a profile's 100%.
        #expect(checks(try source.evaluate(context(machine(memory: 78 * gib), profile: server)), "hostmem").map(\.level) == [.pass])
        var strict = HealthThresholds()
        strict.hostMemoryPercent = 100
        let outcome = try source.evaluate(context(machine(memory: 78 * gib), profile: server, thresholds: strict))
        #expect(checks(outcome, "hostmem").map(\.level) == [.critical])
    }

    @Test func anotherRoleWithGPUsIsAWarning() throws {
        let outcome = try source.evaluate(context(machine(memory: 32 * gib), profile: passthrough))
        #expect(checks(outcome, "hostmem").map(\.level) == [.warn])
    }

    @Test func aClientHasNoHostmemCheck() throws {
        let outcome = try source.evaluate(context(machine(memory: 8 * gib, gpus: 0), profile: client))
        #expect(checks(outcome, "hostmem").isEmpty)
    }

    @Test func aVGPUGuestHasNoHostmemCheck() throws {
        let vgpu = Profile(name: "vgpu-guest", description: "v", steps: ["driver", "vgpu-license", "vgpu-license-verify"])
        #expect(checks(try source.evaluate(context(machine(memory: 8 * gib), profile: vgpu)), "hostmem").isEmpty)
    }

    @Test func noGPUOnAServerIsUnknownNotAPass() throws {
        let outcome = try source.evaluate(context(machine(memory: 64 * gib, gpus: 0), profile: server))
        let check = try #require(checks(outcome, "hostmem").first)
        #expect(check.level == .unknown)
        #expect(check.evidence.first?.contains("no NVIDIA GPU is visible") == true)
    }

    @Test func aGPUOutsideTheCatalogIsUnknown() throws {
        let outcome = try source.evaluate(context(machine(memory: 64 * gib, gpus: 1, device: "0x1fff"), profile: server))
        let check = try #require(checks(outcome, "hostmem").first)
        #expect(check.level == .unknown)
        #expect(check.evidence.first?.contains("10de:1fff") == true)
    }

    @Test func noMeminfoIsUnknown() throws {
        let fs = machine(memory: 64 * gib)
        try fs.delete("/proc/meminfo")
        let found = checks(try source.evaluate(context(fs, profile: server)), "hostmem")
        #expect(found.map(\.level) == [.unknown])
        #expect(found.first?.evidence == ["/proc/meminfo is missing"])
        fs.setText("/proc/meminfo", "MemFree: 1 kB\n")
        #expect(checks(try source.evaluate(context(fs, profile: server)), "hostmem").first?.evidence == ["/proc/meminfo has no MemTotal line"])
    }
}

@Suite struct OpenFilesHealthTests {
    let source = HostHealthSource(disk: nil, clock: nil)

    @Test func theLimitsFileGuestprepWritesPasses() throws {
        let fs = InMemoryFileSystem([BitfusionLimitsRenderer.path: BitfusionLimitsRenderer.render()])
        let found = checks(try source.evaluate(context(fs, profile: client)), "ulimit_n")
        #expect(found.map(\.level) == [.pass])
        #expect(found.first?.evidence.first == "\(BitfusionLimitsRenderer.path): soft 100000, hard 100000")
    }

    @Test func aLowSoftLimitIsCriticalAndNamesTheFile() throws {
        let fs = InMemoryFileSystem([BitfusionLimitsRenderer.path: "@bitfusion soft nofile 1024\n@bitfusion hard nofile 100000\n"])
        let check = try #require(checks(try source.evaluate(context(fs, profile: client)), "ulimit_n").first)
        #expect(check.level == .critical)
        #expect(check.subject == "@bitfusion")
        #expect(check.evidence.first == "\(BitfusionLimitsRenderer.path): soft 1024, hard 100000")
    }

    @Test func aMissingLimitsFileIsCritical() throws {
        let check = try #require(checks(try source.evaluate(context(InMemoryFileSystem(), profile: client)), "ulimit_n").first)
        #expect(check.level == .critical)
        #expect(check.evidence == ["\(BitfusionLimitsRenderer.path) is missing"])
    }

    @Test func dashSetsBothAndUnlimitedCounts() {
        let limits = HostHealthSource.groupNofile("@bitfusion - nofile unlimited\n@other soft nofile 1\n", group: "bitfusion")
        #expect(limits.soft == Int.max && limits.hard == Int.max)
    }

    @Test func aServiceGetsSystemdsDefaultUnlessRaised() throws {
        let fs = InMemoryFileSystem(["/usr/lib/systemd/system/bitfusion-manager.service": "[Service]\nExecStart=/usr/bin/bf\n"])
        var check = try #require(checks(try source.evaluate(context(fs, profile: nil)), "ulimit_n").first)
        #expect(check.level == .critical)
        #expect(check.subject == "bitfusion-manager.service")
        #expect(check.evidence.first?.contains("systemd's default DefaultLimitNOFILE=1024:524288") == true)

        fs.setText("/etc/systemd/system.conf", "[Manager]\nDefaultLimitNOFILE=8192:524288\n")
        check = try #require(checks(try source.evaluate(context(fs, profile: nil)), "ulimit_n").first)
        #expect(check.level == .pass)
        #expect(check.evidence.first == "soft nofile 8192 (/etc/systemd/system.conf: DefaultLimitNOFILE=8192:524288); at least 4096 needed")

        fs.setText("/etc/systemd/system/bitfusion-manager.service.d/low.conf", "[Service]\nLimitNOFILE=2048\n")
        check = try #require(checks(try source.evaluate(context(fs, profile: nil)), "ulimit_n").first)
        #expect(check.level == .critical)
    }

    @Test func noRoleAndNoServiceHasNoCheck() throws {
        #expect(checks(try source.evaluate(context(InMemoryFileSystem(), profile: passthrough)), "ulimit_n").isEmpty)
    }
}

@Suite struct DiskSpaceHealthTests {
    func levels(_ freePercent: UInt64, thresholds: HealthThresholds = HealthThresholds()) throws -> [HealthCheck.Level] {
        let usage = DiskUsage(totalBytes: 100 * gib, availableBytes: freePercent * gib)
        let source = HostHealthSource(disk: FixedDisk(usages: ["/": usage, "/var": usage]), clock: nil)
        return checks(try source.evaluate(context(InMemoryFileSystem(), profile: nil, thresholds: thresholds)), "diskspace").map(\.level)
    }

    @Test func levelsByFreeShare() throws {
        #expect(try levels(50) == [.pass, .pass])
        #expect(try levels(8) == [.warn, .warn])
        #expect(try levels(3) == [.critical, .critical])
        var thresholds = HealthThresholds()
        thresholds.diskFreeWarnPercent = 60
        #expect(try levels(50, thresholds: thresholds) == [.warn, .warn])
    }

    @Test func evidenceGivesTheFigures() throws {
        let source = HostHealthSource(
            disk: FixedDisk(usages: ["/": DiskUsage(totalBytes: 20 * gib, availableBytes: gib)]), clock: nil)
        let found = checks(try source.evaluate(context(InMemoryFileSystem(), profile: nil)), "diskspace")
        #expect(found.map(\.subject) == ["/", "/var"])
        #expect(found[0].level == .warn)
        #expect(found[0].evidence == ["1 GiB of 20 GiB free (5%); warn below 10%, critical below 5%"])
        #expect(found[1].level == .unknown)
        #expect(found[1].evidence.first?.contains("statvfs(/var)") == true)
    }

    @Test func notTheRunningSystemIsUnknown() throws {
        let source = HostHealthSource(disk: FixedDisk(usages: [:]), clock: nil)
        let found = checks(try source.evaluate(context(InMemoryFileSystem(), profile: nil, onHost: false)), "diskspace")
        #expect(found.map(\.level) == [.unknown, .unknown])
    }
}

@Suite struct NICHealthTests {
    /// net1 ens192 (MTU 1500) and net2 ens224 (MTU `dataMTU`) with the given counters.
    func machine(dataMTU: Int, errors: [String: Int] = [:], uptime: Double = 3600) -> InMemoryFileSystem {
        let sys = SysfsBuilder()
        sys.pciNIC("ens192", pci: "0000:0b:00.0", mac: "00:50:56:00:00:01", driver: "vmxnet3")
        sys.pciNIC("ens224", pci: "0000:13:00.0", mac: "00:50:56:00:00:02", driver: "vmxnet3", bridge: "0000:00:16.0")
        // Written where /sys/class/net/NAME points, as the kernel keeps them.
        for (name, mtu, base) in [
            ("ens192", 1500, "/sys/devices/pci0000:00/0000:00:15.0/0000:0b:00.0/net/ens192"),
            ("ens224", dataMTU, "/sys/devices/pci0000:00/0000:00:16.0/0000:13:00.0/net/ens224"),
        ] {
            sys.fs.setText(base + "/mtu", "\(mtu)\n")
            for counter in HostHealthSource.counters {
                sys.fs.setText(base + "/statistics/\(counter)", "\(name == "ens224" ? errors[counter] ?? 0 : 0)\n")
            }
        }
        sys.fs.setText("/proc/uptime", "\(uptime) 100.00\n")
        return sys.fs
    }

    var spec: GuestSpec {
        var spec = GuestSpec()
        spec.nics[1] = NICSpec(index: 2, configure: true, mtu: 9000)
        return spec
    }

    let source = HostHealthSource(disk: nil, clock: nil)

    @Test func mtu1500OnADataNICIsAWarning() throws {
        let outcome = try source.evaluate(context(machine(dataMTU: 1500), profile: server, spec: spec))
        let found = checks(outcome, "mtu")
        #expect(found.count == 1)
        #expect(found.first?.level == .warn)
        #expect(found.first?.subject == "net2 (ens224)")
        #expect(found.first?.evidence == [
            "ens224: MTU 1500 (/sys/class/net/ens224/mtu); a Bitfusion data NIC needs 4096 to 9000",
            "guestinfo.bitfusion.host.net2.mtu asks for 9000",
        ])
        #expect(found.first?.fix?.hasPrefix("the NIC does not have the MTU guestinfo.bitfusion.host.net2.mtu asks for") == true)
    }

    @Test func jumboFramesPassAndNet1AloneIsTheDataNIC() throws {
        #expect(checks(try source.evaluate(context(machine(dataMTU: 9000), profile: client, spec: spec)), "mtu").map(\.level) == [.pass])
        let alone = GuestSpec()
        let found = checks(try source.evaluate(context(machine(dataMTU: 9000), profile: server, spec: alone)), "mtu")
        #expect(found.map(\.subject) == ["net1 (ens192)"])
        #expect(found.map(\.level) == [.warn])
        #expect(found.first?.fix?.hasPrefix("set guestinfo.bitfusion.host.net1.mtu to 9000") == true)
    }

    @Test func mtuOnlyForBitfusionRolesAndUnknownWithoutProperties() throws {
        #expect(checks(try source.evaluate(context(machine(dataMTU: 1500), profile: passthrough, spec: spec)), "mtu").isEmpty)
        let found = checks(try source.evaluate(context(machine(dataMTU: 1500), profile: server, spec: nil)), "mtu")
        #expect(found.map(\.level) == [.unknown])
    }

    @Test func networkRateSinceBootOnTheFirstRunThenSinceThePreviousRun() throws {
        // First run: 5 errors in the hour since boot: below the warn rate (10 an hour).
        let first = try source.evaluate(context(machine(dataMTU: 9000, errors: ["rx_errors": 5], uptime: 3600), profile: server, spec: spec, now: 1_000_000))
        let firstNet2 = checks(first, "network").first { $0.subject == "net2 (ens224)" }
        #expect(firstNet2?.level == .pass)
        #expect(first.memory["network/ens224/errors"] == 5)
        #expect(first.memory["network/boot"] == 996_400.0)

        // An hour later, same boot: 25 more drops → 25 an hour → warn.
        let second = try source.evaluate(
            context(
                machine(dataMTU: 9000, errors: ["rx_errors": 5, "tx_dropped": 25], uptime: 7200), profile: server, spec: spec,
                memory: first.memory, now: 1_003_600))
        let check = try #require(checks(second, "network").first { $0.subject == "net2 (ens224)" })
        #expect(check.level == .warn)
        #expect(check.evidence.contains("25 more since the previous health run 3600 s ago"))
        #expect(check.evidence.contains("25 errors and drops an hour; warn from 10, critical from 1000"))
    }

    @Test func aRebootStartsTheRateOverFromBoot() throws {
        let memory = ["network/ens224/errors": 2.0, "network/ens224/at": 990_000.0, "network/boot": 500_000.0]
        let outcome = try source.evaluate(
            context(machine(dataMTU: 9000, errors: ["rx_errors": 2000], uptime: 3600), profile: server, spec: spec, memory: memory))
        let check = try #require(checks(outcome, "network").first { $0.subject == "net2 (ens224)" })
        #expect(check.level == .critical)
        #expect(check.evidence.contains { $0.hasPrefix("2000 since boot 3600 s ago") })
    }

    @Test func networkUnknownWithoutProperties() throws {
        #expect(checks(try source.evaluate(context(machine(dataMTU: 9000), profile: server, spec: nil)), "network").map(\.level) == [.unknown])
    }
}

@Suite struct TimeSyncHealthTests {
    fileprivate func level(_ probe: FixedClockSync?, onHost: Bool = true) throws -> HealthCheck? {
        let source = HostHealthSource(disk: nil, clock: probe)
        return checks(try source.evaluate(context(InMemoryFileSystem(), profile: nil, onHost: onHost)), "time_sync").first
    }

    @Test func levels() throws {
        #expect(try level(FixedClockSync(answer: ClockSync(synchronized: true, maxErrorMicroseconds: 5000)))?.level == .pass)
        let unsynced = try level(FixedClockSync(answer: ClockSync(synchronized: false, maxErrorMicroseconds: 16_000_000)))
        #expect(unsynced?.level == .warn)
        #expect(unsynced?.evidence == ["adjtimex: not synchronized (TIME_ERROR), maximum error 16000000 µs"])
        #expect(try level(FixedClockSync(answer: nil))?.level == .unknown)
        #expect(try level(nil)?.level == .unknown)
        #expect(try level(FixedClockSync(answer: ClockSync(synchronized: true, maxErrorMicroseconds: 1)), onHost: false)?.level == .unknown)
    }
}
