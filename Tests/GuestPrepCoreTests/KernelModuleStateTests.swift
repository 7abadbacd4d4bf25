import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

/// What sysfs and procfs say of a module and of the consoles, and the nouveau decision over
/// them.
@Suite struct KernelModuleStateTests {
    @Test func aLoadedModuleWithHoldersAndDevices() {
        let fs = InMemoryFileSystem([
            "/sys/module/nouveau/initstate": "live\n", "/sys/module/nouveau/refcnt": "2\n",
            "/sys/module/nouveau/holders/helper/refcnt": "0\n",
            "/proc/modules": "drm 1 2 nouveau, Live 0x0\nnouveau 2306048 2 helper, Live 0x0\n",
            "/sys/bus/pci/drivers/nouveau/0000:13:00.0/vendor": "0x10de\n", "/sys/bus/pci/drivers/nouveau/0000:1b:00.0/vendor": "0x10de\n",
            "/sys/bus/pci/drivers/nouveau/unbind": "", "/sys/bus/pci/drivers/nouveau/module/refcnt": "",
        ])
        let state = KernelModuleState.read("nouveau", fs: fs)
        #expect(
            state
                == KernelModuleState(
                    module: "nouveau", inSysfs: true, listed: true, builtIn: false, holders: ["helper"],
                    boundDevices: ["0000:13:00.0", "0000:1b:00.0"]))
        #expect(state.evidence == "/sys/module/nouveau exists")
    }

    @Test func aModuleNamedInsideAnotherLineIsNotListed() {
        let fs = InMemoryFileSystem(["/proc/modules": "drm 1 2 nouveau, Live 0x0\nnouveau_x 1 0 - Live 0x0\n"])
        #expect(KernelModuleState.read("nouveau", fs: fs).evidence == nil)
    }

    @Test func nothingLeftIsNoEvidence() {
        let state = KernelModuleState.read("nouveau", fs: InMemoryFileSystem(["/proc/modules": "video 1 0 - Live 0x0\n"]))
        #expect(state.evidence == nil && !state.builtIn && state.holders.isEmpty)
    }

    @Test func aBuiltInModuleCountsOnlyWhileItDrivesADevice() {
        let fs = InMemoryFileSystem(["/sys/module/nouveau/parameters/modeset": "-1\n"])
        #expect(KernelModuleState.read("nouveau", fs: fs).builtIn)
        #expect(KernelModuleState.read("nouveau", fs: fs).evidence == nil)
        fs.setText("/sys/bus/pci/drivers/nouveau/0000:13:00.0/vendor", "0x10de\n")
        #expect(KernelModuleState.read("nouveau", fs: fs).evidence == "driving 0000:13:00.0")
    }

    @Test func modulesBuiltinNamesItWithDashesOrUnderscores() {
        let fs = InMemoryFileSystem([
            "/proc/sys/kernel/osrelease": "6.8.0-45-generic\n",
            "/lib/modules/6.8.0-45-generic/modules.builtin": "kernel/drivers/gpu/drm/drm-kms-helper.ko\n",
        ])
        #expect(KernelModuleState.read("drm_kms_helper", fs: fs).builtIn)
        #expect(!KernelModuleState.read("nouveau", fs: fs).builtIn)
    }

    @Test func consolesFromSysfsAndProc() {
        let fs = InMemoryFileSystem([
            "/sys/class/graphics/fb0/name": "vmwgfxdrmfb\n", "/sys/class/graphics/fb1/name": "nouveaudrmfb\n",
            "/sys/class/graphics/fbcon/rotate": "0\n",
            "/proc/consoles": "tty0                 -WU (EC p  )    4:7\nttyS0                -W- (E  p a)    4:64\nhvc0 -W- (E p) 229:0\n",
        ])
        fs.setLink("/sys/class/graphics/fb0/device", to: "../../../0000:00:0f.0")
        fs.setLink("/sys/class/graphics/fb1/device", to: "../../../0000:13:00.0")
        let consoles = SystemConsoles.read(fs: fs)
        #expect(
            consoles
                == SystemConsoles(
                    framebuffers: [
                        .init(name: "fb0", id: "vmwgfxdrmfb", device: "0000:00:0f.0"), .init(name: "fb1", id: "nouveaudrmfb", device: "0000:13:00.0"),
                    ], otherConsoles: ["ttyS0", "hvc0"]))
        #expect(consoles.onlyConsole(drivenBy: ["0000:13:00.0"]).isEmpty)
        let alone = SystemConsoles(framebuffers: [.init(name: "fb0", id: "nouveaudrmfb", device: "0000:13:00.0")])
        #expect(alone.onlyConsole(drivenBy: ["0000:13:00.0"]).map(\.described) == ["fb0 (nouveaudrmfb)"])
        #expect(alone.onlyConsole(drivenBy: ["0000:1b:00.0"]).isEmpty, "another GPU's framebuffer")
    }

    @Test func aSerialPortTheMachineLacksAndOutputOnlyConsolesAreNoConsole() {
        let fs = InMemoryFileSystem([
            "/proc/consoles": "tty0 -WU (EC p  ) 4:7\nttyS0 -W- (E  p a) 4:64\nttyS1 -W- (E p a) 4:65\nnetcon0 -W- (E) 0:0\nttyprintk -W- (E) 5:3\n",
            "/sys/class/tty/ttyS0/type": "0\n", "/sys/class/tty/ttyS1/type": "4\n",
        ])
        #expect(SystemConsoles.read(fs: fs).otherConsoles == ["ttyS1"])
        fs.setText("/sys/class/tty/ttyS1/type", "0\n")
        #expect(SystemConsoles.read(fs: fs).otherConsoles.isEmpty)
    }

    @Test func theDecisionPrefersLive() {
        let bound = KernelModuleState(module: "nouveau", inSysfs: true, listed: true, boundDevices: ["0000:13:00.0"])
        #expect(NouveauRelease.decide(bound, consoles: SystemConsoles()) == .live(unbind: ["0000:13:00.0"]))
        var builtIn = bound
        builtIn.builtIn = true
        guard case .reboot = NouveauRelease.decide(builtIn, consoles: SystemConsoles()) else {
            Issue.record("a built-in nouveau is unloaded live")
            return
        }
        var held = bound
        held.holders = ["a", "b"]
        #expect(NouveauRelease.decide(held, consoles: SystemConsoles()) == .reboot(because: "the modules a, b depend on nouveau, so modprobe -r cannot unload it"))
    }
}
