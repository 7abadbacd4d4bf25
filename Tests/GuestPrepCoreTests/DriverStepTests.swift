import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Synchronization
import Testing

/// A driver that answers as scripted.
struct ScriptedDriverProbe: DriverProbe {
    var answer: @Sendable () throws -> DriverQuery
    func query() throws -> DriverQuery { try answer() }
}

/// An Ubuntu 24.04 guest with a Tesla T4 at 0000:0b:00.0, nouveau loaded, and Canonical's
/// precompiled modules for its kernel in the package index.
func ubuntuT4Guest(nouveauLoaded: Bool = true, secureBoot: Bool = false, boot: String = "boot-1") -> InMemoryFileSystem {
    let sys = PCISysfsBuilder()
    var config = [UInt8](repeating: 0, count: 64)
    for (offset, value) in [(0, UInt32(0x1eb8_10de)), (0x08, 0x0302_00a1), (0x2c, 0x12a2_10de)] {
        for i in 0..<4 { config[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }
    sys.function("0000:0b:00.0", device: "0x1eb8", subsystem: ("0x10de", "0x12a2"), class: "0x030200", config: config)
    let fs = sys.fs
    fs.setText("/etc/os-release", "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\nPRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\n")
    fs.setText("/proc/sys/kernel/osrelease", "6.8.0-45-generic\n")
    fs.setText("/proc/sys/kernel/random/boot_id", boot + "\n")
    fs.setText("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
    fs.setText(
        "/var/lib/apt/lists/archive.ubuntu.com_ubuntu_dists_noble-updates_restricted_binary-amd64_Packages",
        "Package: linux-modules-nvidia-580-server-open-6.8.0-45-generic\nVersion: 6.8.0-45.45+1\n\nPackage: linux-modules-nvidia-580-server-open-generic\nVersion: 6.8.0-45.45+1\n")
    // dpkg's database: the GA kernel meta, depending on the running kernel's image.
    fs.setText(
        "/var/lib/dpkg/status",
        "Package: linux-image-6.8.0-45-generic\nStatus: install ok installed\nDepends: linux-modules-6.8.0-45-generic\n\n"
            + "Package: linux-image-generic\nStatus: install ok installed\nDepends: linux-image-6.8.0-45-generic,\n linux-firmware\n")
    if nouveauLoaded { fs.setText("/sys/module/nouveau/refcnt", "1\n") }
    fs.setText("/sys/firmware/efi/fw_platform_size", "64\n")
    fs.setBytes(
        "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c", [6, 0, 0, 0, secureBoot ? 1 : 0])
    return fs
}

@Suite struct DriverStepTests {
    func plan(_ fs: InMemoryFileSystem, _ spec: GuestSpec = GuestSpec(installNvidiaPackages: true), onHost: Bool = true) throws -> StepPlan {
        try DriverStep().plan(StepContext(spec: spec, fs: fs, onHost: onHost))
    }

    func argv(_ plan: StepPlan) -> [[String]] {
        plan.changes.compactMap { if case .run(let argv) = $0.action { argv } else { nil } }
    }

    @Test func nothingWhenNotAskedFor() throws {
        let result = try plan(ubuntuT4Guest(), GuestSpec())
        #expect(result.changes.isEmpty)
        #expect(result.diagnostics.first?.message.contains("neither the profile nor install_nvidia_packages asks for it") == true)
    }

    @Test func installsCanonicalsSignedModulesAndRebootsWhileNouveauHoldsTheGPU() throws {
        let result = try plan(ubuntuT4Guest(secureBoot: true))
        #expect(
            argv(result) == [
                [
                    "apt-get", "install", "-y", "--no-install-recommends", "-o", "Dpkg::Options::=--force-confold",
                    "linux-modules-nvidia-580-server-open-6.8.0-45-generic", "linux-modules-nvidia-580-server-open-generic",
                    "nvidia-headless-no-dkms-580-server-open", "nvidia-utils-580-server",
                ]
            ])
        #expect(result.rebootAfter)
        #expect(result.notes == ["driver: branch 580, open kernel modules, by Ubuntu precompiled signed modules"])
    }

    @Test func anHWEKernelTakesTheMetaOfTheKernelMetaInDpkgsDatabase() throws {
        let fs = ubuntuT4Guest()
        fs.setText("/etc/os-release", "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\n")
        fs.setText(
            "/var/lib/dpkg/status",
            "Package: linux-image-generic\nStatus: install ok installed\nDepends: linux-image-5.15.0-100-generic\n\n"
                + "Package: linux-image-generic-hwe-22.04\nStatus: install ok installed\nDepends: linux-image-6.8.0-45-generic\n\n"
                + "Package: linux-image-generic-hwe-24.04\nStatus: deinstall ok config-files\nDepends: linux-image-6.8.0-45-generic\n")
        fs.setText(
            "/var/lib/apt/lists/archive.ubuntu.com_ubuntu_dists_jammy-updates_restricted_binary-amd64_Packages",
            "Package: linux-modules-nvidia-580-server-open-6.8.0-45-generic\n\nPackage: linux-modules-nvidia-580-server-open-generic\n\n"
                + "Package: linux-modules-nvidia-580-server-open-generic-hwe-22.04\n")
        let packages = argv(try plan(fs)).first ?? []
        #expect(packages.contains("linux-modules-nvidia-580-server-open-generic-hwe-22.04"))
        #expect(!packages.contains("linux-modules-nvidia-580-server-open-generic"))
    }

    @Test func debianWithoutContribInItsIndexIsRefusedNamingContrib() throws {
        let fs = ubuntuT4Guest(nouveauLoaded: false)
        fs.setText("/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
        fs.setText("/proc/sys/kernel/osrelease", "6.1.0-26-amd64\n")
        try fs.delete("/var/lib/apt/lists/archive.ubuntu.com_ubuntu_dists_noble-updates_restricted_binary-amd64_Packages", syncDirectory: false)
        fs.setText(
            "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_non-free_binary-amd64_Packages",
            "Package: nvidia-kernel-dkms\n\nPackage: nvidia-smi\n\nPackage: libcuda1\n")
        fs.setText(
            "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_non-free-firmware_binary-amd64_Packages", "Package: firmware-nvidia-gsp\n")
        #expect { try plan(fs) } throws: {
            "\($0)".contains("nvidia-open-kernel-dkms (contrib), nvidia-persistenced (contrib)") && "\($0)".contains("Add the component contrib")
        }
        fs.setText(
            "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_contrib_binary-amd64_Packages",
            "Package: nvidia-open-kernel-dkms\n\nPackage: nvidia-persistenced\n")
        let result = try plan(fs)
        #expect(argv(result).first?.contains("nvidia-persistenced") == true)
        #expect(result.diagnostics.contains { $0.message.contains("the APT sources need the components main contrib non-free non-free-firmware") })
    }

    @Test func loadsTheModuleWhenNothingHoldsTheGPU() throws {
        let result = try plan(ubuntuT4Guest(nouveauLoaded: false))
        #expect(argv(result).last == ["modprobe", "nvidia"])
        #expect(!result.rebootAfter)
    }

    @Test func secureBootRefusesARouteWithUnsignedModulesBeforeAnythingIsInstalled() throws {
        let fs = ubuntuT4Guest(secureBoot: true)
        var spec = GuestSpec(installNvidiaPackages: true)
        spec.driver = DriverRequest(modules: .proprietary, route: .distro)
        fs.setText("/var/lib/apt/lists/archive.ubuntu.com_ubuntu_dists_noble-updates_restricted_binary-amd64_Packages", "")
        #expect {
            try plan(fs, spec)
        } throws: { "\($0)".hasPrefix("Secure Boot is on, and Ubuntu DKMS installs kernel modules that no key the firmware trusts has signed") }
        #expect(fs.journal.isEmpty)
    }

    @Test func aBranchTheGPUsCannotTakeIsRefused() throws {
        var spec = GuestSpec(installNvidiaPackages: true)
        spec.driver = DriverRequest(branch: 470, modules: .open)
        #expect { try plan(ubuntuT4Guest(), spec) } throws: { "\($0)".contains("the open kernel modules start at branch 515") }
    }

    @Test func aDriverOfTheChosenBranchAlreadyLoadedIsLeftAlone() throws {
        let fs = ubuntuT4Guest(nouveauLoaded: false)
        fs.setText("/sys/module/nvidia/version", "580.95.05\n")
        fs.setText("/proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05\n")
        let result = try plan(fs)
        #expect(result.changes.isEmpty)
        #expect(result.notes == ["driver 580.95.05 already loaded"])
    }

    @Test func noGPUIsALoudFailure() {
        let fs = InMemoryFileSystem(["/etc/os-release": "ID=debian\nVERSION_ID=12\n"])
        #expect { try plan(fs) } throws: { "\($0)".contains("no NVIDIA GPU is visible to this VM") }
    }
}

@Suite struct PersistenceStepTests {
    func plan(_ fs: InMemoryFileSystem, _ spec: GuestSpec = GuestSpec(installNvidiaPackages: true)) throws -> StepPlan {
        try PersistenceStep().plan(StepContext(spec: spec, fs: fs, onHost: true))
    }

    /// Ubuntu's packaged unit as Canonical ships it (canonical/nvidia-graphics-drivers, branch
    /// 580-server-noble, debian/nvidia-compute-utils-580-server.nvidia-persistenced.service):
    /// no [Install] section, since udev starts it when the driver binds.
    static let ubuntuUnit = """
        [Unit]
        Description=NVIDIA Persistence Daemon
        Wants=syslog.target
        StopWhenUnneeded=true
        Before=systemd-backlight@backlight:nvidia_0.service

        [Service]
        Type=forking
        ExecStart=/usr/bin/nvidia-persistenced --user nvidia-persistenced --no-persistence-mode --verbose
        ExecStopPost=/bin/rm -rf /var/run/nvidia-persistenced

        """
    /// NVIDIA's RPM unit (NVIDIA/yum-packaging-nvidia-persistenced, branch 570).
    static let nvidiaRPMUnit = """
        [Unit]
        Description=NVIDIA Persistence Daemon
        After=syslog.target

        [Service]
        Type=forking
        PIDFile=/var/run/nvidia-persistenced/nvidia-persistenced.pid
        Restart=always
        ExecStart=/usr/bin/nvidia-persistenced --verbose
        ExecStopPost=/bin/rm -rf /var/run/nvidia-persistenced/*
        TimeoutSec=300

        [Install]
        WantedBy=multi-user.target

        """
    static let dropIn = "/etc/systemd/system/nvidia-persistenced.service.d/guestprep-persistence-mode.conf"

    @Test func ubuntusUnitGetsADropInAndARestartButNoEnableAndTheNextRunChangesNothing() throws {
        let fs = InMemoryFileSystem([
            "/lib/systemd/system/nvidia-persistenced.service": Self.ubuntuUnit,
            "/usr/bin/nvidia-persistenced": "",
        ])
        let result = try plan(fs)
        #expect(
            result.changes == [
                .write(
                    step: "persistence", path: Self.dropIn,
                    text: "# Written by guestprep: the packaged unit starts the daemon with --no-persistence-mode.\n[Service]\nExecStart=\nExecStart=/usr/bin/nvidia-persistenced --user nvidia-persistenced --persistence-mode --verbose\n"),
                .run(step: "persistence", ["systemctl", "daemon-reload"]),
                .run(step: "persistence", ["systemctl", "restart", "nvidia-persistenced.service"]),
            ])
        #expect(result.diagnostics.contains { $0.message.contains("udev starts it when the driver binds, so it is not enabled") })
        // `systemctl enable` makes no link for a unit without [Install]: the next run must not
        // wait for one.
        fs.setText(Self.dropIn, result.changes[0].text ?? "")
        #expect(try plan(fs).changes.isEmpty)
    }

    @Test func nvidiasRPMUnitIsEnabledAsItIsWithoutADropIn() throws {
        let fs = InMemoryFileSystem([
            "/usr/lib/systemd/system/nvidia-persistenced.service": Self.nvidiaRPMUnit,
            "/usr/bin/nvidia-persistenced": "",
        ])
        let result = try plan(fs)
        #expect(result.changes == [.run(step: "persistence", ["systemctl", "enable", "--now", "nvidia-persistenced.service"])])
        #expect(result.diagnostics.contains { $0.message.contains("does not pass --no-persistence-mode") })
        fs.setText("/etc/systemd/system/multi-user.target.wants/nvidia-persistenced.service", "")
        #expect(try plan(fs).changes.isEmpty)
    }

    @Test func anEarlierDropInIsRemovedWhenThePackagedUnitNoLongerNeedsIt() throws {
        let fs = InMemoryFileSystem([
            "/usr/lib/systemd/system/nvidia-persistenced.service": Self.nvidiaRPMUnit,
            "/usr/bin/nvidia-persistenced": "",
            Self.dropIn: "[Service]\nExecStart=\nExecStart=/usr/bin/nvidia-persistenced --persistence-mode\n",
            "/etc/systemd/system/multi-user.target.wants/nvidia-persistenced.service": "",
        ])
        #expect(
            try plan(fs).changes == [
                .delete(step: "persistence", path: Self.dropIn),
                .run(step: "persistence", ["systemctl", "daemon-reload"]),
                .run(step: "persistence", ["systemctl", "restart", "nvidia-persistenced.service"]),
            ])
    }

    @Test func theRunfilesDaemonGetsAUnitOfGuestpreps() throws {
        let fs = InMemoryFileSystem([
            "/usr/bin/nvidia-persistenced": "",
            "/etc/passwd": "root:x:0:0::/root:/bin/sh\nnvidia-persistenced:x:120:128::/nonexistent:/usr/sbin/nologin\n",
        ])
        let result = try plan(fs)
        #expect(result.changes.first?.path == "/etc/systemd/system/nvidia-persistenced.service")
        #expect(result.changes.first?.text?.contains("ExecStart=/usr/bin/nvidia-persistenced --user nvidia-persistenced --persistence-mode --verbose\n") == true)
        #expect(
            Array(result.changes.dropFirst()) == [
                .run(step: "persistence", ["systemctl", "daemon-reload"]),
                .run(step: "persistence", ["systemctl", "enable", "nvidia-persistenced.service"]),
                .run(step: "persistence", ["systemctl", "restart", "nvidia-persistenced.service"]),
            ])
    }

    @Test func withoutTheDaemonNvidiaSmiSetsItAtBoot() throws {
        let result = try plan(InMemoryFileSystem())
        #expect(result.changes.first?.path == "/etc/systemd/system/guestprep-nvidia-persistence.service")
        #expect(result.changes.last == .run(step: "persistence", ["systemctl", "restart", "guestprep-nvidia-persistence.service"]))
        #expect(result.changes.contains(.run(step: "persistence", ["systemctl", "enable", "guestprep-nvidia-persistence.service"])))
    }

    @Test func offByPropertyChangesNothing() throws {
        var spec = GuestSpec(installNvidiaPackages: true)
        spec.driver.persistence = false
        #expect(try plan(InMemoryFileSystem(), spec).changes.isEmpty)
    }
}

@Suite struct DriverVerifierTests {
    let device = NVIDIADevice(address: PCIAddress("0000:0b:00.0")!, deviceID: 0x1eb8, classCode: 0x030200)

    @Test func aGPUTheDriverDoesNotSeeIsNamedWithTheDoctorsCause() {
        let finding = Finding(.critical, code: "bar-unassigned", device: device.address, summary: "BAR1 has no address")
        let problems = DriverVerifier.problems(
            scanned: [device], query: DriverQuery(driverVersion: "580.95.05", gpus: [], source: "NVML"), branch: 580,
            persistence: true, findings: [finding], label: { "\($0.address) (Tesla T4)" })
        #expect(
            problems == [
                "0000:0b:00.0 (Tesla T4) is on the PCI bus but the driver (NVML) does not see it; likely cause: bar-unassigned: BAR1 has no address"
            ])
    }

    @Test func persistenceAndBranchAreChecked() {
        let query = DriverQuery(
            driverVersion: "570.172.08", gpus: [.init(address: "0000:0b:00.0", name: "Tesla T4", persistenceMode: false)],
            source: "nvidia-smi")
        let problems = DriverVerifier.problems(
            scanned: [device], query: query, branch: 580, persistence: true, findings: [], label: { "\($0.address)" })
        #expect(problems.count == 2)
        #expect(problems[0].contains("has persistence mode off"))
        #expect(problems[1].contains("the driver loaded is 570.172.08, not branch 580"))
    }
}

/// The whole sequence across simulated reboots: nouveau blacklisted → reboot → package index
/// → driver → persistence → verification; an install cut off resumes on the next run.
@Suite struct DriverSequenceTests {
    static let identity = InstanceIdentity(productUUID: "4201-aaaa", macs: ["00:50:56:00:00:01"], instanceID: nil)

    final class Flags: @unchecked Sendable {
        let lock = Mutex<Void>(())
        var failInstall = 0
    }

    /// The engine with a T4 whose driver answers as 580.95.05 with persistence mode on, and the
    /// steps from nouveau to driver-verify.
    static func driverEngine(_ fs: InMemoryFileSystem, _ runner: ScriptedProcessRunner) -> (Engine, [any Step]) {
        let probe = ScriptedDriverProbe {
            DriverQuery(
                driverVersion: "580.95.05", gpus: [.init(address: "0000:0b:00.0", name: "Tesla T4", persistenceMode: true)],
                source: "NVML")
        }
        let engine = Engine(fs: fs, runner: runner, clock: FixedClock(), notifier: RecordingNotifier(), driverProbe: probe)
        return (engine, StepCatalog.all.filter { ["nouveau", "driver-sources", "driver", "persistence", "driver-verify"].contains($0.id) })
    }

    /// nouveau held (`modprobe -r` says it is in use): the early stage falls back to the reboot,
    /// saying why; the next boot installs, loads and verifies the driver.
    @Test func heldNouveauRebootsThenDriverPersistenceAndVerification() throws {
        let fs = ubuntuT4Guest(boot: "boot-1")
        let flags = Flags()
        let runner = ScriptedProcessRunner(
            installed: ["/usr/sbin/update-initramfs", "/usr/bin/apt-get", "/usr/sbin/modprobe", "/usr/bin/systemctl"]
        ) { executable, arguments in
            if executable == "/usr/bin/apt-get", arguments.first == "install" {
                let fail = flags.lock.withLock { _ in
                    defer { flags.failInstall -= 1 }
                    return flags.failInstall > 0
                }
                if fail { return ProcessResult(status: 100, standardError: Array("E: Could not get lock\n".utf8)) }
                fs.setText("/usr/bin/nvidia-persistenced", "")
                fs.setText("/lib/systemd/system/nvidia-persistenced.service", PersistenceStepTests.ubuntuUnit)
            }
            if executable == "/usr/sbin/modprobe", arguments == ["-r", "nouveau"] {
                return ProcessResult(status: 1, standardError: Array("modprobe: FATAL: Module nouveau is in use.\n".utf8))
            }
            if executable == "/usr/sbin/modprobe" {
                fs.setText("/sys/module/nvidia/version", "580.95.05\n")
                fs.setText("/proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05\n")
            }
            return ProcessResult(status: 0)
        }
        let (engine, steps) = Self.driverEngine(fs, runner)
        let spec = GuestSpec(installNvidiaPackages: true)

        let first = try engine.run(steps: steps, spec: spec, identity: Self.identity, stage: .all, dryRun: false)
        #expect(first.outcome == .rebootNeeded(step: "nouveau"))
        #expect(runner.calls.map { [$0.executable] + $0.arguments } == [["/usr/sbin/update-initramfs", "-u", "-k", "all"], ["/usr/sbin/modprobe", "-r", "nouveau"]])
        let why = "nouveau could not be unloaded: modprobe -r nouveau exited with status 1: modprobe: FATAL: Module nouveau is in use."
        #expect(first.diagnostics.contains { $0.severity == .warning && $0.message == why + "; rebooting" })
        #expect(first.changes.last?.disposition == .rebootInstead)
        let state = try AgentState.load(fs: fs)
        #expect(state.pendingReboot?.reason == why)
        #expect(state.steps["nouveau"]?.reboot == RebootDecision(needed: true, because: why, at: "2026-01-01T00:00:00Z"))
        #expect(state.reboots?["nouveau"]?.count == 1)

        // The reboot: a new boot id, nouveau no longer loaded. The install is cut off once.
        fs.setText("/proc/sys/kernel/random/boot_id", "boot-2\n")
        try fs.delete("/sys/module/nouveau/refcnt")
        flags.lock.withLock { _ in flags.failInstall = 1 }
        let cut = try engine.run(steps: steps, spec: spec, identity: Self.identity, stage: .all, dryRun: false)
        #expect(cut.outcome.name == "failed")
        #expect(cut.diagnostics.contains { $0.message.contains("step driver failed: apt-get: exited with status 100: E: Could not get lock") })

        let resumed = try engine.run(steps: steps, spec: spec, identity: Self.identity, stage: .all, dryRun: false)
        #expect(resumed.outcome == .done, "\(resumed.diagnostics)")
        // After the reboot the nouveau step decides nothing: why there was a reboot is kept.
        #expect(try AgentState.load(fs: fs).steps["nouveau"]?.reboot?.described == "reboot needed because " + why)
        #expect(resumed.steps.map(\.step) == ["nouveau", "driver-sources", "driver", "persistence", "driver-verify"])
        #expect(resumed.steps.map(\.status.rawValue) == ["unchanged", "skipped", "changed", "changed", "unchanged"])
        #expect(
            runner.calls.suffix(3).map { [$0.executable] + $0.arguments } == [
                ["/usr/sbin/modprobe", "nvidia"],
                ["/usr/bin/systemctl", "daemon-reload"],
                ["/usr/bin/systemctl", "restart", "nvidia-persistenced.service"],
            ])
        #expect(fs["/etc/systemd/system/nvidia-persistenced.service.d/guestprep-persistence-mode.conf"]?.contains("--persistence-mode") == true)
        #expect(resumed.diagnostics.contains { $0.message == "driver 580.95.05 (NVML) drives 1 GPU with persistence mode on" })

        // The next boot: nothing to install, the driver is verified again.
        fs.setText("/proc/sys/kernel/random/boot_id", "boot-3\n")
        let calls = runner.calls.count
        let again = try engine.run(steps: steps, spec: spec, identity: Self.identity, stage: .all, dryRun: false)
        #expect(again.outcome == .done)
        #expect(again.changes.isEmpty)
        #expect(runner.calls.count == calls)
    }

    /// nouveau drives the T4 and nothing holds it: the early stage unbinds the T4 and unloads
    /// nouveau, and the same run installs, loads (`modprobe nvidia`) and verifies the driver,
    /// with no reboot.
    @Test func unloadableNouveauGoesOnToTheDriverInTheSameRun() throws {
        let fs = ubuntuT4Guest(boot: "boot-1")
        fs.setText("/sys/bus/pci/drivers/nouveau/unbind", "")
        fs.setText("/sys/bus/pci/drivers/nouveau/0000:0b:00.0/vendor", "0x10de\n")
        fs.onAttributeWrite = { path, text in
            if path == "/sys/bus/pci/drivers/nouveau/unbind" { try fs.delete("/sys/bus/pci/drivers/nouveau/\(text)/vendor") }
        }
        let runner = ScriptedProcessRunner(
            installed: ["/usr/sbin/update-initramfs", "/usr/bin/apt-get", "/usr/sbin/modprobe", "/usr/bin/systemctl"]
        ) { executable, arguments in
            switch (executable, arguments) {
            case ("/usr/bin/apt-get", let arguments) where arguments.first == "install":
                fs.setText("/usr/bin/nvidia-persistenced", "")
                fs.setText("/lib/systemd/system/nvidia-persistenced.service", PersistenceStepTests.ubuntuUnit)
            case ("/usr/sbin/modprobe", ["-r", "nouveau"]):
                try? fs.delete("/sys/module/nouveau/refcnt")
            case ("/usr/sbin/modprobe", ["nvidia"]):
                // nouveau must be gone before the NVIDIA driver loads.
                if fs.exists("/sys/module/nouveau") { return ProcessResult(status: 1) }
                fs.setText("/sys/module/nvidia/version", "580.95.05\n")
            default: break
            }
            return ProcessResult(status: 0)
        }
        let (engine, steps) = Self.driverEngine(fs, runner)

        let report = try engine.run(steps: steps, spec: GuestSpec(installNvidiaPackages: true), identity: Self.identity, stage: .all, dryRun: false)
        #expect(report.outcome == .done, "\(report.diagnostics)")
        #expect(report.steps.map(\.status.rawValue) == ["changed", "changed", "changed", "changed", "unchanged"])
        #expect(fs.attributeWrites == ["/sys/bus/pci/drivers/nouveau/unbind <- 0000:0b:00.0"])
        let modprobes = runner.calls.filter { $0.executable == "/usr/sbin/modprobe" }.map(\.arguments)
        #expect(modprobes == [["-r", "nouveau"], ["nvidia"]])
        let live = "nouveau unloaded live (0000:0b:00.0 unbound, then modprobe -r nouveau)"
        #expect(report.diagnostics.contains { $0.message == live + ": no reboot" })
        #expect(report.diagnostics.contains { $0.message == "driver 580.95.05 (NVML) drives 1 GPU with persistence mode on" })
        let state = try AgentState.load(fs: fs)
        #expect(state.pendingReboot == nil && state.reboots == nil)
        #expect(state.steps["nouveau"]?.reboot == RebootDecision(needed: false, because: live, at: "2026-01-01T00:00:00Z"))
    }

    @Test func aGPUTheDriverDoesNotSeeFailsVerification() throws {
        let fs = ubuntuT4Guest(nouveauLoaded: false)
        let probe = ScriptedDriverProbe { throw DriverQueryError.notResponding("NVML nvmlInit: Driver Not Loaded") }
        let context = StepContext(spec: GuestSpec(installNvidiaPackages: true), fs: fs, onHost: true, driverProbe: probe)
        #expect { try DriverVerifyStep().plan(context) } throws: { "\($0)".hasPrefix("the NVIDIA driver does not answer (NVML nvmlInit: Driver Not Loaded)") }
    }
}

extension Change {
    /// A write's content as text, nil for other actions.
    fileprivate var text: String? {
        if case .write(_, let content, _, _) = action { return String(decoding: content, as: UTF8.self) }
        return nil
    }
}
