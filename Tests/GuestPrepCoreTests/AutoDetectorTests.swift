import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Synchronization
import Testing

/// A drive's answers in order; the last one repeats. Counts the pauses between them.
final class ScriptedDriveProbe: OpticalDriveProbe {
    private let state: Mutex<(answers: [OpticalMedium], asked: [String], pauses: Int)>
    /// Runs at each pause with the pauses so far: the world changing while guestprep waits.
    private let onPause: @Sendable (Int) -> Void

    init(_ answers: [OpticalMedium], onPause: @escaping @Sendable (Int) -> Void = { _ in }) {
        state = Mutex((answers, [], 0))
        self.onPause = onPause
    }

    func medium(_ device: String) -> OpticalMedium {
        state.withLock { state in
            state.asked.append(device)
            return state.answers.count > 1 ? state.answers.removeFirst() : state.answers[0]
        }
    }

    func pause(seconds: Double) {
        let pauses = state.withLock { $0.pauses += 1; return $0.pauses }
        onPause(pauses)
    }

    var asked: [String] { state.withLock { $0.asked } }
    var pauses: Int { state.withLock { $0.pauses } }
}

@Suite struct AutoDetectorTests {
    static let vmware = ["/sys/class/dmi/id/sys_vendor": "VMware, Inc.\n", "/sys/class/dmi/id/product_name": "VMware Virtual Platform\n"]

    func dmi(_ vendor: String, _ product: String, extra: [String: String] = [:]) -> InMemoryFileSystem {
        InMemoryFileSystem(
            ["/sys/class/dmi/id/sys_vendor": vendor + "\n", "/sys/class/dmi/id/product_name": product + "\n"]
                .merging(extra) { $1 })
    }

    /// The first 18 sectors of an ISO 9660 volume labelled `label`: the system area, the
    /// primary volume descriptor, the terminator (ECMA-119 6.2.1, 8.4, 8.3).
    static func medium(label: String) -> [UInt8] {
        var image = [UInt8](repeating: 0, count: 16 * 2048)
        var primary = [UInt8](repeating: 0, count: 2048)
        primary[0] = 1
        primary.replaceSubrange(1..<6, with: Array("CD001".utf8))
        primary[6] = 1
        primary.replaceSubrange(40..<72, with: Array(label.padding(toLength: 32, withPad: " ", startingAt: 0).utf8))
        var terminator = [UInt8](repeating: 0, count: 2048)
        terminator[0] = 255
        terminator.replaceSubrange(1..<6, with: Array("CD001".utf8))
        terminator[6] = 1
        image += primary + terminator
        return image
    }

    /// Adds block device `name` to `fs`: its sysfs entry with SCSI type `type` (5: CD/DVD, 0:
    /// disk) and, when `label` is given, /dev/NAME holding an ISO 9660 medium with that label.
    func addDrive(_ fs: InMemoryFileSystem, _ name: String, type: String = "5", label: String?) {
        fs.setText("/sys/class/block/\(name)/device/type", type + "\n")
        fs.setText("/sys/class/block/\(name)/size", label == nil ? "0\n" : "36\n")
        if let label { fs.setBytes("/dev/\(name)", Self.medium(label: label)) }
    }

    @Test func vmwareWithoutAnOpticalDriveReadsGuestinfo() throws {
        let detection = try AutoDetector(fs: dmi("VMware, Inc.", "VMware7,1")).detect()
        #expect(detection.sources == [.vmware])
        #expect(detection.diagnostics.isEmpty)
    }

    @Test func theOVFENVCDROMIsFoundByTheLabelOnItsMedium() throws {
        let fs = InMemoryFileSystem(Self.vmware)
        addDrive(fs, "sr0", label: "OVF-ENV")
        #expect(try AutoDetector(fs: fs).detect().sources == [.ovf(path: "/dev/sr0"), .vmware])
    }

    @Test func aCDROMWithAnotherLabelOrNoMediumIsPassedOver() throws {
        let fs = InMemoryFileSystem(Self.vmware)
        addDrive(fs, "sr0", label: "DEBIAN_12")
        addDrive(fs, "sr1", label: nil)
        #expect(try AutoDetector(fs: fs).detect().sources == [.vmware])
        // The second drive of two holds it: drives are taken in the kernel's order.
        addDrive(fs, "sr10", label: "OVF-ENV")
        addDrive(fs, "sr2", label: "OVF-ENV")
        #expect(try AutoDetector(fs: fs).detect().sources == [.ovf(path: "/dev/sr2"), .vmware])
    }

    /// Item 9 of issue 18: the label on a data disk, a partition or a USB stick is not the OVF
    /// transport, even with udev's by-label link pointing at it.
    @Test func aDataDiskLabelledOVFENVIsIgnored() throws {
        let fs = InMemoryFileSystem(Self.vmware)
        addDrive(fs, "sdb", type: "0", label: "OVF-ENV")
        fs.setLink("/dev/disk/by-label/OVF-ENV", to: "../../sdb")
        #expect(try AutoDetector(fs: fs).detect().sources == [.vmware])
        // A drive named like an optical one whose SCSI type is a disk's is not one either.
        let renamed = InMemoryFileSystem(Self.vmware)
        addDrive(renamed, "sr0", type: "0", label: "OVF-ENV")
        #expect(try AutoDetector(fs: renamed).detect().sources == [.vmware])
        // On a machine whose hypervisor DMI does not tell, nothing is left to read.
        let unknown = dmi("Dell Inc.", "PowerEdge R750")
        addDrive(unknown, "sdb", type: "0", label: "OVF-ENV")
        #expect { try AutoDetector(fs: unknown).detect() } throws: { "\($0)".contains("Dell Inc.") }
    }

    @Test func aMediumThatIsNotReadyYetIsWaitedFor() throws {
        let fs = InMemoryFileSystem(Self.vmware)
        addDrive(fs, "sr0", label: "OVF-ENV")
        let probe = ScriptedDriveProbe([.notReady, .notReady, .ready])
        #expect(try AutoDetector(fs: fs, probe: probe).detect().sources == [.ovf(path: "/dev/sr0"), .vmware])
        #expect(probe.pauses == 2)
        #expect(probe.asked == ["/dev/sr0", "/dev/sr0", "/dev/sr0"])
    }

    @Test func aDriveWithNoMediumIsNotWaitedForNorRead() throws {
        let fs = InMemoryFileSystem(Self.vmware)
        // The device file holds a labelled medium, but the drive says there is none: its
        // answer decides, without a wait.
        addDrive(fs, "sr0", label: "OVF-ENV")
        let probe = ScriptedDriveProbe([.absent])
        let detection = try AutoDetector(fs: fs, probe: probe).detect()
        #expect(detection.sources == [.vmware])
        #expect(detection.diagnostics.isEmpty)
        #expect(probe.pauses == 0)
    }

    @Test func aMediumNeverReadyIsWaitedForBoundedAndReported() throws {
        let fs = InMemoryFileSystem(Self.vmware)
        addDrive(fs, "sr0", label: "OVF-ENV")
        addDrive(fs, "sr1", label: "OVF-ENV")
        let probe = ScriptedDriveProbe([.notReady])
        let detection = try AutoDetector(fs: fs, probe: probe, readyTimeout: 1).detect()
        #expect(detection.sources == [.vmware])
        // 1 s in 50 ms steps, shared by both drives: the second is not waited for again.
        #expect(probe.pauses == 20)
        #expect(detection.diagnostics.count == 2)
        #expect(detection.diagnostics.allSatisfy { $0.severity == .warning })
        #expect(detection.diagnostics.first?.message.contains("optical drive /dev/sr0 passed over: its medium was not ready after 1 s") == true)
        #expect(detection.diagnostics.last?.message.contains("--source ovf:/dev/sr1") == true)
    }

    // MARK: Drives still on their way: loaded, then waited for, bounded

    static let piix = "/sys/bus/pci/devices/0000:00:01.1"
    static let piixAlias = "pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80"

    /// A machine whose IDE controller has no driver yet (an initramfs made for the root disk
    /// alone): `load` binds it as modprobe would, probing a CD-ROM with `label` on it.
    func unboundController(_ fs: InMemoryFileSystem) {
        fs.setText("\(Self.piix)/class", "0x010180\n")
        fs.setText("\(Self.piix)/modalias", Self.piixAlias + "\n")
    }

    func bindController(_ fs: InMemoryFileSystem, label: String) {
        fs.setLink("\(Self.piix)/driver", to: "../../../bus/pci/drivers/ata_piix")
        fs.setText("/sys/bus/pci/drivers/ata_piix/bind", "")
        fs.setText("/sys/class/ata_device/dev2.0/class", "atapi\n")
        fs.setText("/sys/class/ata_device/dev2.1/class", "unknown\n")
        fs.setText("/sys/bus/scsi/devices/1:0:0:0/type", "5\n")
        fs.setText("/sys/bus/scsi/devices/1:0:0:0/block/sr0/dev", "11:0\n")
        addDrive(fs, "sr0", label: label)
    }

    @Test func aControllerWithoutItsDriverIsLoadedByItsModalias() throws {
        let fs = InMemoryFileSystem(Self.vmware)
        unboundController(fs)
        let runner = ScriptedProcessRunner(installed: ["/usr/sbin/modprobe"]) { _, arguments in
            if arguments == ["-b", "-a", Self.piixAlias, "sr_mod"] { self.bindController(fs, label: "OVF-ENV") }
            return ProcessResult(status: 0)
        }
        let probe = ScriptedDriveProbe([.ready])
        let detection = try AutoDetector(fs: fs, probe: probe, runner: runner).detect()
        #expect(detection.sources == [.ovf(path: "/dev/sr0"), .vmware])
        #expect(runner.calls.map(\.arguments) == [["-b", "-a", Self.piixAlias, "sr_mod"]])
        #expect(probe.pauses == 0)
        #expect(detection.diagnostics.isEmpty)
    }

    @Test func aCDROMDeviceWaitingForItsBlockDeviceIsWaitedFor() throws {
        // sr_mod is bound (or cannot be loaded here) but the block device is not there yet:
        // an empty ATA slot's class stays "unknown" and holds nothing back.
        let fs = InMemoryFileSystem(Self.vmware)
        fs.setText("/sys/class/ata_device/dev1.0/class", "unknown\n")
        fs.setText("/sys/bus/scsi/devices/1:0:0:0/type", "5\n")
        let probe = ScriptedDriveProbe([.ready]) { pauses in
            if pauses == 3 { self.bindController(fs, label: "OVF-ENV") }
        }
        let detection = try AutoDetector(fs: fs, probe: probe, runner: nil).detect()
        #expect(detection.sources == [.ovf(path: "/dev/sr0"), .vmware])
        #expect(probe.pauses == 3)
    }

    @Test func aCDROMDeviceWithoutSrModGetsIt() throws {
        let fs = InMemoryFileSystem(Self.vmware)
        fs.setText("/sys/bus/scsi/devices/1:0:0:0/type", "5\n")
        fs.setText("/sys/bus/scsi/devices/host1/scan", "")
        let runner = ScriptedProcessRunner(installed: ["/usr/sbin/modprobe"]) { _, arguments in
            if arguments == ["-b", "-a", "sr_mod"] {
                fs.setText("/sys/bus/scsi/devices/1:0:0:0/block/sr0/dev", "11:0\n")
                self.addDrive(fs, "sr0", label: "OVF-ENV")
            }
            return ProcessResult(status: 0)
        }
        #expect(try AutoDetector(fs: fs, probe: ScriptedDriveProbe([.ready]), runner: runner).detect().sources == [.ovf(path: "/dev/sr0"), .vmware])
        #expect(runner.calls.map(\.arguments) == [["-b", "-a", "sr_mod"]])
    }

    @Test func storageThatNeverSettlesIsNotWaitedForOrOnlyBounded() throws {
        let fs = InMemoryFileSystem(Self.vmware)
        unboundController(fs)
        let runner = ScriptedProcessRunner(installed: ["/usr/sbin/modprobe"])  // loads nothing
        let probe = ScriptedDriveProbe([.ready])
        let detection = try AutoDetector(fs: fs, probe: probe, runner: runner, readyTimeout: 0.5).detect()
        #expect(detection.sources == [.vmware])
        // A controller that modprobe cannot bind is not waited for: nothing will bind it.
        #expect(probe.pauses == 0)
        #expect(runner.calls.map(\.arguments) == [["-b", "-a", Self.piixAlias, "sr_mod"]])
        #expect(detection.diagnostics.isEmpty)
        // A CD/DVD device whose block device never comes is, bounded, and reported.
        fs.setText("/sys/bus/scsi/devices/1:0:0:0/type", "5\n")
        let stuck = try AutoDetector(fs: fs, probe: probe, runner: nil, readyTimeout: 0.5).detect()
        #expect(probe.pauses == 10)
        #expect(stuck.diagnostics.map(\.message) == [
            "CD/DVD device 1:0:0:0 had no block device after 0.5 s (is sr_mod available?): an OVF-ENV CD-ROM there was not looked at"
        ])
    }

    @Test func hyperV() throws {
        #expect(try AutoDetector(fs: dmi("Microsoft Corporation", "Virtual Machine")).detect().sources == [.kvp(directory: nil)])
    }

    @Test func qemuNeedsAChannel() throws {
        let fs = dmi("QEMU", "Standard PC (Q35 + ICH9, 2009)", extra: ["/sys/firmware/qemu_fw_cfg/by_name/opt/guestprep/guestinfo.bitfusion.host.hostname/raw": "x"])
        #expect(try AutoDetector(fs: fs).detect().sources == [.fwcfg])
        #expect { try AutoDetector(fs: dmi("QEMU", "Standard PC")).detect() } throws: { "\($0)".contains("fw_cfg") }
    }

    @Test func theFwCfgDriverIsLoadedWhenUdevHasNotYet() throws {
        // The firmware has the device (ACPI QEMU0002), the driver is not bound: modprobe.
        let fs = dmi("QEMU", "Standard PC (i440FX + PIIX, 1996)", extra: ["/sys/bus/acpi/devices/QEMU0002:00/hid": "QEMU0002\n"])
        let runner = ScriptedProcessRunner(installed: ["/usr/sbin/modprobe"]) { _, arguments in
            if arguments == ["qemu_fw_cfg"] {
                fs.setText("/sys/firmware/qemu_fw_cfg/rev", "3\n")
                fs.setText("/sys/firmware/qemu_fw_cfg/by_name/opt/guestprep/bitfusion.host.hostname/raw", "kvm-guest")
            }
            return ProcessResult(status: 0)
        }
        #expect(try AutoDetector(fs: fs, runner: runner).detect().sources == [.fwcfg])
        #expect(runner.calls.map(\.arguments) == [["qemu_fw_cfg"]])
        // Bound already (no entries of guestprep's): nothing is loaded, fw_cfg has none.
        let bound = dmi("QEMU", "Standard PC", extra: ["/sys/firmware/qemu_fw_cfg/rev": "3\n", "/sys/bus/acpi/devices/QEMU0002:00/hid": "QEMU0002\n"])
        let idle = ScriptedProcessRunner(installed: ["/usr/sbin/modprobe"])
        #expect { try AutoDetector(fs: bound, runner: idle).detect() } throws: { "\($0)".contains("fw_cfg") }
        #expect(idle.calls.isEmpty)
    }

    @Test func unknownNamesWhatItSaw() {
        #expect { try AutoDetector(fs: dmi("Dell Inc.", "PowerEdge R750")).detect() } throws: {
            "\($0)".contains("Dell Inc.") && "\($0)".contains("--source")
        }
    }

    @Test func opticalDriveNames() {
        #expect(AutoDetector.isOpticalDriveName("sr0"))
        #expect(AutoDetector.isOpticalDriveName("sr12"))
        for name in ["sr", "sda", "sr0p1", "xsr0", "srA"] { #expect(!AutoDetector.isOpticalDriveName(name), "\(name)") }
    }

    // MARK: Through ProviderContext: what the sources are named, and an explicit ovf:PATH

    @Test func autoNamesTheDriveItRead() throws {
        let fs = InMemoryFileSystem(Self.vmware)
        addDrive(fs, "sr0", label: "OVF-ENV")
        let providers = try ProviderContext(fs: fs, runner: nil).provider(for: .auto)
        #expect(providers.map(\.name) == ["ovf:/dev/sr0", "vmware"])
    }

    @Test func anExplicitOVFSourceOnADiskIsRefused() throws {
        let host = InMemoryFileSystem()
        host.setBytes("/dev/sdb", Self.medium(label: "OVF-ENV"))
        host.setLink("/dev/disk/by-label/OVF-ENV", to: "../../sdb")
        let context = ProviderContext(fs: InMemoryFileSystem(), runner: nil, hostFS: host)
        #expect {
            try context.provider(for: .ovf(path: "/dev/disk/by-label/OVF-ENV"))
        } throws: {
            "\($0)".hasPrefix("source ovf:/dev/disk/by-label/OVF-ENV: /dev/disk/by-label/OVF-ENV is /dev/sdb, which is not an optical drive")
        }
        #expect { try context.provider(for: .ovf(path: "/dev/sdb")) } throws: { "\($0)".contains("/dev/sdb is not an optical drive") }
        // A CD-ROM by any of its names, and an image or a file anywhere else, are read.
        host.setLink("/dev/cdrom", to: "sr0")
        for path in ["/dev/sr0", "/dev/cdrom", "/srv/ovf/image.iso", "/dev/shm/ovf-env.xml"] {
            #expect(try context.provider(for: .ovf(path: path)).map(\.name) == ["ovf:\(path)"])
        }
    }
}

/// Drivers a run loads itself rather than wait for udev's coldplug (issue 18, the boot's cost:
/// the KVM boot showed the early stage reading three NICs of four while vmxnet3 was loading).
@Suite struct PendingDevicesTests {
    @Test func aNICWithoutItsDriverIsLoadedByItsModalias() {
        let fs = InMemoryFileSystem()
        let alias = "pci:v000015ADd000007B0sv000015ADsd000007B0bc02sc00i00"
        for (slot, bound) in [("0000:00:03.0", true), ("0000:00:05.0", false), ("0000:00:06.0", false)] {
            fs.setText("/sys/bus/pci/devices/\(slot)/class", "0x020000\n")
            fs.setText("/sys/bus/pci/devices/\(slot)/modalias", alias + "\n")
            if bound { fs.setLink("/sys/bus/pci/devices/\(slot)/driver", to: "../../../bus/pci/drivers/vmxnet3") }
        }
        // A GPU without a driver is none of this (nouveau is blacklisted on purpose).
        fs.setText("/sys/bus/pci/devices/0000:00:07.0/class", "0x030000\n")
        fs.setText("/sys/bus/pci/devices/0000:00:07.0/modalias", "pci:v000010DEd00001DB6\n")
        #expect(PendingDevices.scan(fs: fs).controllers == ["0000:00:05.0", "0000:00:06.0"])
        let runner = ScriptedProcessRunner(installed: ["/sbin/modprobe"]) { _, arguments in
            if arguments == ["-b", "-a", alias] {
                for slot in ["0000:00:05.0", "0000:00:06.0"] {
                    fs.setLink("/sys/bus/pci/devices/\(slot)/driver", to: "../../../bus/pci/drivers/vmxnet3")
                }
            }
            return ProcessResult(status: 0)
        }
        #expect(PendingDevices.loadDrivers(fs: fs, runner: runner).isEmpty)
        // One process, each module once; a NIC needs no sr_mod.
        #expect(runner.calls.map(\.arguments) == [["-b", "-a", alias]])
        // All bound: nothing runs.
        let idle = ScriptedProcessRunner(installed: ["/sbin/modprobe"])
        #expect(PendingDevices.loadDrivers(fs: fs, runner: idle).isEmpty)
        #expect(idle.calls.isEmpty)
    }

    @Test func underAFixtureRootNothingIsLoaded() {
        let fs = InMemoryFileSystem(["/sys/bus/pci/devices/0000:00:06.0/class": "0x020000\n"])
        #expect(PendingDevices.loadDrivers(fs: fs, runner: nil).controllers == ["0000:00:06.0"])
    }
}
