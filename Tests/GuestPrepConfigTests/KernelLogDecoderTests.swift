import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct KernelLogDecoderTests {
    @Test func findsBARAndDriverTroubleInKmsgRecords() {
        let log = """
            6,339,5140900,-;pci 0000:0b:00.0: [10de:20b5] type 00 class 0x030200
             SUBSYSTEM=pci
             DEVICE=+pci:0000:0b:00.0
            3,340,5141000,-;pci 0000:0b:00.0: BAR 1: no space for [mem size 0x2000000000 64bit pref]
            3,341,5141010,-;pci 0000:0b:00.0: BAR 1: failed to assign [mem size 0x2000000000 64bit pref]
            4,512,9000000,-;NVRM: This PCI I/O region assigned to your NVIDIA device is invalid:
            4,513,9000001,-;NVRM: BAR1 is 0M @ 0x0 (PCI:0000:0b:00.0)
            3,514,9000002,-;nvidia: probe of 0000:0b:00.0 failed with error -1
            4,515,9000003,-;NVRM: The NVIDIA probe routine failed for 1 device(s).
            """
        let events = KernelLogDecoder.events(in: log)
        let address = PCIAddress("0000:0b:00.0")
        #expect(events.map(\.kind) == [.barNoSpace, .barFailedToAssign, .nvrmInvalidRegion, .nvrmBARZero, .probeFailed, .probeFailed])
        #expect(events[0].device == address && events[0].bar == 1)
        #expect(events[0].message == "pci 0000:0b:00.0: BAR 1: no space for [mem size 0x2000000000 64bit pref]")
        #expect(events[1].device == address && events[1].bar == 1)
        #expect(events[3].device == address)
        #expect(events[4].device == address)
        #expect(events[5].device == nil)
    }

    @Test func readsNewerKernelWordingDmesgAndJournalLines() {
        let log = """
            [    0.912345] pci 0000:13:00.0: BAR 1 [mem size 0x1000000000 64bit pref]: can't assign; no space
            [    0.912346] pci 0000:13:00.0: BAR 3 [mem size 0x02000000 64bit pref]: failed to assign
            Nov 21 10:00:01 gpu01 kernel: pci 0000:1b:00.0: BAR 0: no space for [mem size 0x01000000]
            Nov 21 10:00:01 gpu01 kernel: nouveau 0000:1b:00.0: unknown chipset (b77000a1)
            Nov 21 10:00:01 gpu01 kernel: nouveau: probe of 0000:1b:00.0 failed with error -22
            """
        let events = KernelLogDecoder.events(in: log)
        #expect(events.map(\.kind) == [.barNoSpace, .barFailedToAssign, .barNoSpace, .probeFailed])
        #expect(events.map(\.bar) == [1, 3, 0, nil])
        #expect(events.map { $0.device?.description } == ["0000:13:00.0", "0000:13:00.0", "0000:1b:00.0", "0000:1b:00.0"])
    }

    @Test func eachMessageOnceAndNothingFromUnrelatedLines() {
        let line = "pci 0000:0b:00.0: BAR 1: no space for [mem size 0x2000000000 64bit pref]"
        let log = "[1.0] \(line)\n3,1,2,-;\(line)\nusb 1-1: new high-speed USB device\nNVRM: loading NVIDIA UNIX x86_64 Kernel Module\n"
        #expect(KernelLogDecoder.events(in: log).count == 1)
        #expect(KernelLogDecoder.events(in: "").isEmpty)
    }

    @Test func readsHyperVMMIOShortagesWithTheBytesNeeded() {
        let log = """
            6,800,3100000,-;hv_vmbus: registering driver hv_pci
            6,801,3100500,-;hv_pci 1c8a7a7e-3cbb-4b4b-9d1b-3e4f5a6b7c8d: PCI VMBus probing: Using version 0x10004
            3,802,3101000,-;hv_pci 1c8a7a7e-3cbb-4b4b-9d1b-3e4f5a6b7c8d: Need 0x802000000 of high MMIO space. Consider reconfiguring the VM.
            3,803,3101001,-;hv_pci 2d9b8b8f-4dcc-4c5c-ae2c-4f5a6b7c8d9e: Need 0x1000000 of low MMIO space. Consider reconfiguring the VM.
            3,804,3101002,-;hv_pci 1c8a7a7e-3cbb-4b4b-9d1b-3e4f5a6b7c8d: probe of 1c8a7a7e-3cbb-4b4b-9d1b-3e4f5a6b7c8d failed with error -12
            """
        let events = KernelLogDecoder.events(in: log)
        #expect(events.map(\.kind) == [.hypervHighMMIOShort, .hypervLowMMIOShort, .probeFailed])
        #expect(events.map(\.bytes) == [0x8_0200_0000, 0x100_0000, nil])
        #expect(events[0].device == nil && events[2].device == nil)
    }

    /// kmsg escapes NVRM's two-line message as one record with `\x0a`; Hopper names BAR0.
    @Test func splitsEscapedNewlinesAndReadsNewerProbeWording() {
        let log = """
            3,1603,5959120,-;NVRM: This PCI I/O region assigned to your NVIDIA device is invalid:\\x0aNVRM: BAR0 is 0M @ 0x0 (PCI:0000:06:00.0)
            4,1604,5959127,-;nvidia 0000:06:00.0: probe with driver nvidia failed with error -1
            """
        let events = KernelLogDecoder.events(in: log)
        #expect(events.map(\.kind) == [.nvrmInvalidRegion, .nvrmBARZero, .probeFailed])
        #expect(events.map { $0.device?.description } == ["0000:06:00.0", "0000:06:00.0", "0000:06:00.0"])
        #expect(events[1].bar == 0)
        #expect(events[0].message == "NVRM: This PCI I/O region assigned to your NVIDIA device is invalid:")
        #expect(events[1].message == "NVRM: BAR0 is 0M @ 0x0 (PCI:0000:06:00.0)")
    }
}
