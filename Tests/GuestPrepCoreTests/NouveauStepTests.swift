import GuestPrepCore
import GuestPrepModel
import GuestPrepRender
import GuestPrepTesting
import Testing

@Suite struct NouveauStepTests {
    static let debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nID=debian\n"
    static let pendingFile = NouveauBlacklistRenderer.render(pending: true)
    static let doneFile = NouveauBlacklistRenderer.render(pending: false)

    func plan(_ files: [String: String], onHost: Bool = false) throws -> StepPlan {
        try NouveauStep().plan(StepContext(spec: GuestSpec(), fs: InMemoryFileSystem(files), onHost: onHost))
    }

    /// The changes a fresh guest of a distribution gets: the pending file, the tool, the file.
    func expectedChanges(_ argv: [String]) -> [Change] {
        [
            .write(step: "nouveau", path: Self.pendingFile.path, text: Self.pendingFile.text, mode: 0o644),
            .run(step: "nouveau", argv),
            .write(step: "nouveau", path: Self.doneFile.path, text: Self.doneFile.text, mode: 0o644),
        ]
    }

    @Test(arguments: [
        ("ID=debian\nVERSION_ID=\"12\"\n", ["update-initramfs", "-u", "-k", "all"]),
        ("ID=ubuntu\nID_LIKE=debian\n", ["update-initramfs", "-u", "-k", "all"]),
        ("ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n", ["update-initramfs", "-u", "-k", "all"]),
        ("ID=\"rhel\"\nVERSION_ID=\"9.4\"\n", ["dracut", "--force", "--regenerate-all"]),
        (
            "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"8.10\"\n",
            ["dracut", "--force", "--regenerate-all"]
        ),
        ("ID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\n", ["dracut", "--force", "--regenerate-all"]),
        ("ID=fedora\nVERSION_ID=40\n", ["dracut", "--force", "--regenerate-all"]),
        ("ID=\"ol\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"9.3\"\n", ["dracut", "--force", "--regenerate-all"]),
        ("ID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\n", ["dracut", "--force"]),
        ("ID=\"rhel\"\nVERSION_ID=\"7.9\"\n", ["dracut", "--force"]),
        ("ID=\"sles\"\nID_LIKE=\"suse\"\nVERSION_ID=\"15.5\"\n", ["dracut", "--force", "--regenerate-all"]),
        ("ID=\"opensuse-leap\"\nID_LIKE=\"suse opensuse\"\n", ["dracut", "--force", "--regenerate-all"]),
        ("ID=photon\nVERSION_ID=5.0\n", ["mkinitrd"]),
    ])
    func plansTheDistributionsTool(_ osRelease: String, _ argv: [String]) throws {
        let plan = try plan(["/etc/os-release": osRelease])
        #expect(plan.changes == expectedChanges(argv))
        #expect(!plan.rebootAfter, "nouveau is not loaded")
        #expect(plan.notes == ["initramfs tool: " + argv.joined(separator: " ")])
    }

    @Test func fallsBackToUsrLibOSRelease() throws {
        let plan = try plan(["/usr/lib/os-release": "ID=photon\n"])
        #expect(plan.changes.contains(.run(step: "nouveau", ["mkinitrd"])))
        let both = try self.plan(["/etc/os-release": "ID=debian\n", "/usr/lib/os-release": "ID=photon\n"])
        #expect(both.changes.contains(.run(step: "nouveau", ["update-initramfs", "-u", "-k", "all"])), "/etc wins")
    }

    @Test func theFilesAreWhatTheIssueAsks() {
        #expect(Self.doneFile.path == "/etc/modprobe.d/blacklist-nouveau.conf")
        #expect(Self.doneFile.mode == 0o644)
        #expect(Self.doneFile.text.hasSuffix("\nblacklist nouveau\noptions nouveau modeset=0\n"))
        #expect(Self.doneFile.text.hasPrefix("# Written by guestprep"))
        #expect(NouveauBlacklistRenderer.isPending(Self.pendingFile.text))
        #expect(!NouveauBlacklistRenderer.isPending(Self.doneFile.text))
    }

    @Test func anUnknownDistributionFailsNamingItsIDAndPlansNothing() throws {
        let fs = InMemoryFileSystem(["/etc/os-release": "ID=gentoo\nPRETTY_NAME=\"Gentoo Linux\"\n"])
        #expect {
            try NouveauStep().plan(StepContext(spec: GuestSpec(), fs: fs, onHost: true))
        } throws: { error in
            let text = "\(error)"
            return error is NouveauStep.Unsupported && text.contains("/etc/os-release says ID=gentoo")
                && text.contains("this step changed nothing") && text.contains("photon")
        }
    }

    @Test func noOSReleaseIsLinuxAndFails() throws {
        #expect { try plan([:]) } throws: {
            "\($0)".contains("there is no /etc/os-release or /usr/lib/os-release, so ID=linux")
        }
    }

    @Test func anUnknownDistributionWithTheBlacklistInForceIsFine() throws {
        let plan = try plan([
            "/etc/os-release": "ID=gentoo\n",
            "/etc/modprobe.d/nouveau.conf": "blacklist nouveau\noptions nouveau modeset=0\n",
        ])
        #expect(plan.changes.isEmpty)
    }

    @Test func ourFinishedFileIsNothingToDo() throws {
        let plan = try plan(["/etc/os-release": Self.debian, Self.doneFile.path: Self.doneFile.text])
        #expect(plan.changes.isEmpty)
        #expect(
            plan.diagnostics.map(\.message) == ["nouveau is already blacklisted with modeset=0 (\(Self.doneFile.path))"]
        )
    }

    @Test func aBlacklistInOtherFilesIsNothingToDo() throws {
        let plan = try plan([
            "/etc/os-release": "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n",
            "/usr/lib/modprobe.d/nvidia-installer-disable-nouveau.conf":
                "# generated by nvidia-installer\nblacklist nouveau\n",
            "/etc/modprobe.d/local.conf": "options nouveau modeset=0\n",
        ])
        #expect(plan.changes.isEmpty)
        #expect(
            plan.diagnostics.first?.message.contains("/usr/lib/modprobe.d/nvidia-installer-disable-nouveau.conf")
                == true)
        #expect(plan.diagnostics.first?.message.contains("/etc/modprobe.d/local.conf") == true)
    }

    @Test func halfABlacklistIsCompleted() throws {
        // Blacklisted but modeset not 0, or modeset 0 without the blacklist: written anew.
        for extra in [
            ["/etc/modprobe.d/blacklist-nouveau.conf": "blacklist nouveau\n"],
            ["/lib/modprobe.d/x.conf": "options nouveau modeset=0\n"],
            [
                "/etc/modprobe.d/a.conf": "blacklist nouveau\noptions nouveau modeset=0\n",
                "/etc/modprobe.d/z.conf": "options nouveau modeset=1\n",
            ],
            ["/etc/modprobe.d/a.conf.disabled": "blacklist nouveau\noptions nouveau modeset=0\n"],
        ] {
            let plan = try plan(extra.merging(["/etc/os-release": Self.debian]) { a, _ in a })
            #expect(plan.changes == expectedChanges(["update-initramfs", "-u", "-k", "all"]), "\(extra)")
        }
    }

    @Test func etcHidesTheVendorFileOfTheSameName() throws {
        // An empty /etc file masks /usr/lib's file of the same name, as kmod reads them.
        let plan = try plan([
            "/etc/os-release": Self.debian,
            "/usr/lib/modprobe.d/nouveau.conf": "blacklist nouveau\noptions nouveau modeset=0\n",
            "/etc/modprobe.d/nouveau.conf": "# masked\n",
        ])
        #expect(!plan.changes.isEmpty)
    }

    @Test func aPendingFileRebuildsTheInitramfsAgain() throws {
        let plan = try plan(["/etc/os-release": Self.debian, Self.pendingFile.path: Self.pendingFile.text])
        #expect(Array(plan.changes) == Array(expectedChanges(["update-initramfs", "-u", "-k", "all"]).dropFirst()))
        #expect(plan.diagnostics.first?.message.contains("the last rebuild failed or was cut off") == true)
    }

    @Test func aPendingFileEditedAwayFromTheBlacklistIsWrittenBeforeTheRebuild() throws {
        let edited = Self.pendingFile.text.split(separator: "\n").filter { $0 != "blacklist nouveau" }
            .joined(separator: "\n")
        let plan = try plan(["/etc/os-release": Self.debian, Self.pendingFile.path: edited])
        #expect(plan.changes == expectedChanges(["update-initramfs", "-u", "-k", "all"]))
    }

    @Test(arguments: [
        (["/sys/module/nouveau/refcnt": "0\n"], [String]()),
        (["/proc/modules": "video 65536 1 nouveau, Live 0x0\nnouveau 2306048 0 - Live 0x0000000000000000\n"], []),
        (["/sys/bus/pci/drivers/nouveau/0000:13:00.0/vendor": "0x10de\n", "/sys/bus/pci/drivers/nouveau/bind": ""], ["0000:13:00.0"]),
    ])
    func aLoadedNouveauIsUnloadedLiveAfterTheRebuild(_ evidence: [String: String], unbind: [String]) throws {
        let plan = try plan(evidence.merging(["/etc/os-release": Self.debian]) { a, _ in a }, onHost: true)
        #expect(!plan.rebootAfter && plan.rebootReason == nil)
        #expect(plan.changes == expectedChanges(["update-initramfs", "-u", "-k", "all"]) + [.unloadModule(step: "nouveau", "nouveau", unbind: unbind)])
        #expect(
            plan.diagnostics.contains {
                $0.message.hasPrefix("nouveau is loaded (") && $0.message.hasSuffix("it is unloaded live after the rebuild; if that fails the machine reboots")
            })
    }

    @Test func underAnotherRootTheUnloadIsPlannedAndTheMachineSaidToReboot() throws {
        let plan = try plan(["/etc/os-release": Self.debian, "/sys/module/nouveau/refcnt": "0\n"], onHost: false)
        #expect(plan.changes.last == .unloadModule(step: "nouveau", "nouveau", unbind: []))
        #expect(plan.diagnostics.contains { $0.message.hasSuffix("nothing is unloaded under a root other than /, so the machine reboots after this step") })
    }

    /// nouveau driving 0000:13:00.0, which has fb0; `extra` adds what decides the case.
    func boundGuest(_ extra: [String: String]) -> InMemoryFileSystem {
        let fs = InMemoryFileSystem(
            extra.merging([
                "/etc/os-release": Self.debian, "/sys/module/nouveau/refcnt": "1\n", "/sys/module/nouveau/initstate": "live\n",
                "/sys/bus/pci/drivers/nouveau/0000:13:00.0/vendor": "0x10de\n", "/sys/bus/pci/drivers/nouveau/unbind": "",
                "/sys/class/graphics/fb0/name": "nouveaudrmfb\n", "/proc/consoles": "tty0                 -WU (EC p  )    4:7\n",
            ]) { a, _ in a })
        fs.setLink("/sys/class/graphics/fb0/device", to: "../../../0000:13:00.0")
        return fs
    }

    func plan(_ fs: InMemoryFileSystem) throws -> StepPlan {
        try NouveauStep().plan(StepContext(spec: GuestSpec(), fs: fs, onHost: true))
    }

    @Test func aGPUThatDrivesTheOnlyConsoleIsNotUnboundAndTheMachineReboots() throws {
        let plan = try plan(boundGuest([:]))
        let reason = "0000:13:00.0 drives the VM's only console (fb0 (nouveaudrmfb); no other framebuffer, no serial console), so it is not unbound"
        #expect(plan.rebootAfter && plan.rebootReason == reason)
        #expect(!plan.changes.contains { $0.actionName == "unload" })
        #expect(plan.diagnostics.contains { $0.message == "nouveau is loaded (/sys/module/nouveau exists) and \(reason): the machine reboots after this step" })
    }

    @Test(arguments: [
        ["/proc/consoles": "tty0                 -WU (EC p  )    4:7\nttyS0                -W- (E  p a)    4:64\n"],
        ["/sys/class/graphics/fb1/name": "vmwgfxdrmfb\n"],
    ])
    func aGPUThatDrivesAConsoleBesideAnotherIsUnbound(_ other: [String: String]) throws {
        let plan = try plan(boundGuest(other))
        #expect(!plan.rebootAfter)
        #expect(plan.changes.last == .unloadModule(step: "nouveau", "nouveau", unbind: ["0000:13:00.0"]))
    }

    @Test func aModuleThatDependsOnNouveauMeansAReboot() throws {
        let plan = try plan(boundGuest(["/sys/module/nouveau/holders/nouveau_helper/refcnt": "0\n", "/sys/class/graphics/fb1/name": "vmwgfxdrmfb\n"]))
        #expect(plan.rebootReason == "the module nouveau_helper depends on nouveau, so modprobe -r cannot unload it")
        #expect(!plan.changes.contains { $0.actionName == "unload" })
    }

    @Test(arguments: [
        // Built in: no initstate or refcnt, only parameters.
        ["/sys/module/nouveau/parameters/modeset": "-1\n"],
        // Built in by modules.builtin.
        ["/proc/sys/kernel/osrelease": "6.1.0-27-amd64\n", "/lib/modules/6.1.0-27-amd64/modules.builtin": "kernel/drivers/gpu/drm/drm.ko\nkernel/drivers/gpu/drm/nouveau/nouveau.ko\n"],
    ])
    func aBuiltInNouveauMeansAReboot(_ files: [String: String]) throws {
        let fs = InMemoryFileSystem(
            files.merging(["/etc/os-release": Self.debian, "/sys/bus/pci/drivers/nouveau/0000:13:00.0/vendor": "0x10de\n"]) { a, _ in a })
        let plan = try plan(fs)
        #expect(plan.rebootAfter)
        #expect(plan.rebootReason?.hasPrefix("nouveau is built into the kernel, so it cannot be unloaded;") == true)
        #expect(plan.rebootReason?.hasSuffix("add module_blacklist=nouveau to the kernel command line") == true)
    }

    @Test func aBuiltInNouveauDrivingNothingIsNotLoaded() throws {
        let plan = try plan(InMemoryFileSystem(["/etc/os-release": Self.debian, "/sys/module/nouveau/parameters/modeset": "0\n"]))
        #expect(!plan.rebootAfter)
        #expect(!plan.changes.contains { $0.actionName == "unload" })
    }

    @Test func notLoadedMeansNoReboot() throws {
        let plan = try plan([
            "/etc/os-release": Self.debian, "/proc/modules": "video 65536 0 - Live 0x0\n",
            "/sys/bus/pci/drivers/nouveau/bind": "", "/sys/bus/pci/drivers/nouveau/new_id": "",
        ])
        #expect(!plan.rebootAfter)
        #expect(!plan.changes.isEmpty)
    }

    @Test func blacklistedButLoadedIsUnloadedLiveAndNothingElse() throws {
        let plan = try plan(
            ["/etc/os-release": Self.debian, Self.doneFile.path: Self.doneFile.text, "/sys/module/nouveau/refcnt": "0\n"], onHost: true)
        #expect(plan.changes == [.unloadModule(step: "nouveau", "nouveau", unbind: [])])
        #expect(plan.diagnostics.contains { $0.message.hasPrefix("nouveau is blacklisted but still loaded (/sys/module/nouveau exists): it is unloaded live") })
    }

    @Test func blacklistedButHeldWarnsWithoutChanges() throws {
        let fs = boundGuest([Self.doneFile.path: Self.doneFile.text])
        let plan = try plan(fs)
        #expect(plan.changes.isEmpty && !plan.rebootAfter)
        #expect(
            plan.diagnostics.contains {
                $0.severity == .warning && $0.message.hasPrefix("nouveau is blacklisted but still loaded (/sys/module/nouveau exists), and 0000:13:00.0 drives the VM's only console")
            })
    }

    @Test func theEngineRebootsThenResumesWithNothingToDo() throws {
        let fs = InMemoryFileSystem([
            "/etc/os-release": Self.debian, "/sys/module/nouveau/refcnt": "0\n",
            "/proc/sys/kernel/random/boot_id": "boot-1\n",
        ])
        let identity = InstanceIdentity(productUUID: "u", macs: [], instanceID: nil)
        let engine = Engine(fs: fs, runner: nil, clock: FixedClock(), notifier: RecordingNotifier())
        let steps: [any Step] = [NouveauStep(), MarkerStep(id: "driver", stage: .early)]
        let first = try engine.run(steps: steps, spec: GuestSpec(), identity: identity, stage: .early, dryRun: false)
        #expect(first.outcome == .rebootNeeded(step: "nouveau"))
        #expect(first.outcome.exitCode == 3)
        #expect(
            first.changes.map(\.disposition) == [.applied, .notRun, .applied, .notRun], "nothing runs under a fixture root")
        let state = try AgentState.load(fs: fs)
        #expect(state.pendingReboot?.reason == "nouveau could not be unloaded: nothing is unloaded under a root other than /")
        #expect(fs[Self.doneFile.path] == Self.doneFile.text)
        #expect(fs["/etc/driver"] == nil, "later steps wait for the reboot")

        // The reboot: a new boot id, and nouveau no longer loaded.
        fs.setText("/proc/sys/kernel/random/boot_id", "boot-2\n")
        try fs.delete("/sys/module/nouveau/refcnt")
        let second = try engine.run(steps: steps, spec: GuestSpec(), identity: identity, stage: .early, dryRun: false)
        #expect(second.outcome == .done)
        #expect(second.changes.map(\.change.step) == ["driver"])
    }

    @Test func onTheHostTheToolRunsFromTheTableWithALongTimeout() throws {
        #expect(CommandTable.timeout(for: "update-initramfs") == 600)
        #expect(CommandTable.timeout(for: "dracut") == 600)
        #expect(CommandTable.timeout(for: "mkinitrd") == 600)
        let runner = ScriptedProcessRunner(installed: ["/usr/sbin/update-initramfs"])
        #expect(
            try PlanApplier(fs: InMemoryFileSystem(), runner: runner).apply(
                .run(step: "nouveau", ["update-initramfs", "-u", "-k", "all"])) == .applied)
        #expect(runner.calls == [.init(executable: "/usr/sbin/update-initramfs", arguments: ["-u", "-k", "all"])])
    }

    @Test func aFailedRebuildLeavesThePendingFileForTheNextRun() throws {
        let fs = InMemoryFileSystem(["/etc/os-release": Self.debian])
        let runner = ScriptedProcessRunner(installed: ["/usr/sbin/update-initramfs"]) { _, _ in
            ProcessResult(status: 1, standardError: Array("E: no space left on /boot\n".utf8))
        }
        let plan = try NouveauStep().plan(StepContext(spec: GuestSpec(), fs: fs, onHost: true))
        #expect(throws: (any Error).self) { try PlanApplier(fs: fs, runner: runner).apply(plan.changes) { _, _ in } }
        #expect(fs[Self.pendingFile.path] == Self.pendingFile.text)
        let again = try NouveauStep().plan(StepContext(spec: GuestSpec(), fs: fs, onHost: true))
        #expect(again.changes.first == .run(step: "nouveau", ["update-initramfs", "-u", "-k", "all"]))
    }

    @Test func isInTheCatalogAfterTheNetworkInTheEarlyStage() {
        #expect(
            StepCatalog.all.map(\.id) == [
                "clone-identity", "hostname", "network", "nouveau", "driver-sources", "driver", "persistence",
                "driver-verify", "vgpu-license", "vgpu-license-verify", "bitfusion-server-check", "vcenter-verify", "bitfusion-package", "bitfusion-group",
                "bitfusion-limits", "bitfusion-client", "bitfusion-client-check", "secrets-clear", "health-timer",
            ])
        #expect(NouveauStep().stage == .early)
        #expect(NouveauStep().frequency == .everyBoot)
    }
}
