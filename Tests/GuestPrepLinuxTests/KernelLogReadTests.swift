#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepConfig
import GuestPrepCore
import GuestPrepLinux
import Testing

/// `readAvailable`, the read `doctor` makes of /dev/kmsg: whatever is there now, never waiting.
@Suite struct KernelLogReadTests {
    @Test func aRegularFileIsReadToItsEnd() throws {
        let dir = TemporaryDirectory()
        dir.write("dev/kmsg", "6,1,100,-;first\n6,2,200,-;second\n")
        let fs = RootedFileSystem(root: dir.path)
        #expect(try fs.readAvailable("/dev/kmsg", limit: 1 << 20) == Array("6,1,100,-;first\n6,2,200,-;second\n".utf8))
        #expect(try fs.readAvailable("/dev/kmsg", limit: 10) == Array("6,1,100,-;".utf8))
        #expect(try fs.readAvailable("/dev/missing", limit: 10) == nil)
    }

    /// A FIFO whose writer stays open and has nothing more to say: a blocking read would hang
    /// here forever, as it would on /dev/kmsg once the ring buffer is drained.
    @Test func aSourceWithNothingMoreReturnsWhatItHadWithoutWaiting() throws {
        let dir = TemporaryDirectory()
        dir.makeDirectories(dir.file("dev"))
        #expect(mkfifo(dir.file("dev/kmsg"), 0o600) == 0)
        // O_RDWR: opening a FIFO's write end alone blocks until a reader comes.
        let writer = open(dir.file("dev/kmsg"), O_RDWR | O_NONBLOCK)
        #expect(writer >= 0)
        defer { close(writer) }
        let record = Array("3,7,300,-;pci 0000:0b:00.0: BAR 1: no space for [mem size 0x2000000000 64bit pref]\n".utf8)
        #expect(record.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) } == record.count)
        let read = try RootedFileSystem(root: dir.path).readAvailable("/dev/kmsg", limit: 1 << 20)
        #expect(read == record)
    }

    /// /dev/kmsg is readable by root (and by others unless kernel.dmesg_restrict is set).
    static let kernelLogReadable = access("/dev/kmsg", R_OK) == 0

    @Test(.enabled(if: kernelLogReadable, "needs a readable /dev/kmsg (run as root)"))
    func theRealKernelLogReadsWithoutBlockingAndDecodes() throws {
        let fs = RootedFileSystem(root: "/")
        let bytes = try fs.readAvailable("/dev/kmsg", limit: 16 << 20)
        let text = String(decoding: try #require(bytes), as: UTF8.self)
        // Every record line is PRIORITY,SEQUENCE,TIMESTAMP,FLAGS;MESSAGE.
        let records = text.split(separator: "\n").filter { !$0.hasPrefix(" ") }
        #expect(!records.isEmpty)
        #expect(records.allSatisfy { $0.contains(";") && $0.first?.isNumber == true })
    }
}
