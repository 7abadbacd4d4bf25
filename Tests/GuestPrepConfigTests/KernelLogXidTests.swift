import GuestPrepConfig
import GuestPrepModel
import Testing

/// Xid records as the driver prints them (open-gpu-kernel-modules' kernel_rc.c), in kmsg,
/// dmesg and journal lines.
@Suite struct KernelLogXidTests {
    @Test func readsCodeAndSlotInEveryLineForm() {
        let log = """
            4,900,7100000,-;NVRM: Xid (PCI:0000:0b:00): 79, pid=1234, name=python3, GPU has fallen off the bus.
             SUBSYSTEM=pci
            [ 5107.644336] NVRM: Xid (PCI:0000:13:00): 13, pid=99, name=app, Graphics Exception: ESR 0x404600=0x80000002
            Nov 22 18:29:55 gpu01 kernel: NVRM: Xid (0000:01:00): 31, Ch 0000000b, engmask 00000120, intr 10000000
            4,903,7100100,-;NVRM: Xid (PCI:0000:0b:00 GPU-I:01 GPU-CI:00): 94, pid=7, name=x, Contained ECC error.
            6,904,7100200,-;NVRM: loading NVIDIA UNIX x86_64 Kernel Module  580.95.05
            """
        let records = KernelLogDecoder.xids(in: log)
        #expect(records.map(\.code) == [79, 13, 31, 94])
        #expect(records.map { $0.device?.description } == ["0000:0b:00.0", "0000:13:00.0", "0000:01:00.0", "0000:0b:00.0"])
        #expect(records[0].message == "NVRM: Xid (PCI:0000:0b:00): 79, pid=1234, name=python3, GPU has fallen off the bus.")
    }

    /// A GPU that faults twice logs the same words twice: both count. The same record read
    /// twice (identical with its sequence number) counts once.
    @Test func countsRepeatsButNotTheSameRecordTwice() {
        let message = "NVRM: Xid (PCI:0000:0b:00): 79, pid=1234, name=python3, GPU has fallen off the bus."
        let log = "4,900,7100000,-;\(message)\n4,901,7100500,-;\(message)\n4,900,7100000,-;\(message)\n"
        #expect(KernelLogDecoder.xids(in: log).count == 2)
    }

    @Test func skipsWhatIsNotAnXidRecord() {
        let log = """
            6,1,1,-;NVRM: Xid (PCI:0000:0b:00: 79, no closing parenthesis
            6,2,2,-;NVRM: Xid (PCI:0000:0b:00): seventy-nine
            6,3,3,-;NVRM: Xid (PCI:0000:0b:00): 99999999999999999999999, too large
            6,4,4,-;user text mentioning NVRM: Xid (PCI:0000:0b:00)
            6,5,5,-;NVRM: Xid (PCI:zz): 43, pid=1, Ch 00000008
            """
        let records = KernelLogDecoder.xids(in: log)
        #expect(records.map(\.code) == [43])
        #expect(records[0].device == nil)
        #expect(KernelLogDecoder.xids(in: "").isEmpty)
        #expect(KernelLogDecoder.xids(in: "NVRM: Xid (").isEmpty)
    }
}
