#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import GuestPrepModel
import Testing

@testable import GuestPrepLinux

@Suite struct CommandLockTests {
    /// The message of the error `body` throws, or nil when it throws none.
    private func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func theLockFileIsRunGuestprepLockUnderTheRootPrivateToRoot() throws {
        let dir = TemporaryDirectory()
        let lock = try CommandLock.acquire(root: dir.path, timeout: 0)
        #expect(lock.hostPath == dir.path + "/run/guestprep.lock")
        var info = stat()
        #expect(lstat(lock.hostPath, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFREG)
        #expect(info.st_mode & 0o7777 == 0o600)
        #expect(stat(dir.path + "/run", &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o755)
    }

    /// A second holder (another open file description, as another process has) waits the
    /// timeout, then fails with a message that names the lock file and the pid holding it.
    @Test func aSecondHolderWaitsTheTimeoutThenFailsNamingTheFileAndTheHolder() throws {
        let dir = TemporaryDirectory()
        let first = try CommandLock.acquire(root: dir.path, timeout: 0)
        var waits: [String] = []
        let started = Date()
        let text = message { _ = try CommandLock.acquire(root: dir.path, timeout: 0.4) { waits.append($0) } }
        let elapsed = Date().timeIntervalSince(started)
        withExtendedLifetime(first) {}
        let error = try #require(text)
        #expect(error.hasPrefix("lock \(dir.path)/run/guestprep.lock: another guestprep is changing this machine"), "\(error)")
        #expect(error.contains("held by pid \(getpid())"), "\(error)")
        #expect(error.contains("waited 0.4 s"), "\(error)")
        #expect(error.contains("nothing was changed"), "\(error)")
        #expect(elapsed >= 0.4 && elapsed < 5, "waited \(elapsed) s")
        #expect(waits.count == 1 && waits[0].hasPrefix("held by pid \(getpid())"), "\(waits)")
    }

    /// How long a released lock may still be held by a program just started, in this test or
    /// in another one running in parallel: execve(2) wakes posix_spawn's caller (the vfork
    /// completion, in exec_mmap) before it closes the new program's close-on-exec descriptors
    /// (do_close_on_exec, later in begin_new_exec), so for a moment after posix_spawn returns
    /// the child still holds the lock's open file description. A 0 s wait failed in CI for that.
    static let spawnWindow: Double = 10

    @Test func aLockIsFreeAgainOnceItsHolderIsReleased() throws {
        let dir = TemporaryDirectory()
        var first: CommandLock? = try CommandLock.acquire(root: dir.path, timeout: 0)
        #expect(message { _ = try CommandLock.acquire(root: dir.path, timeout: 0) } != nil)
        first = nil
        _ = first
        #expect(message { _ = try CommandLock.acquire(root: dir.path, timeout: Self.spawnWindow) } == nil)
    }

    /// A waiter takes the lock as soon as the holder lets go, well before its timeout.
    @Test func aWaiterTakesTheLockWhenTheHolderLetsGo() throws {
        let dir = TemporaryDirectory()
        nonisolated(unsafe) var first: CommandLock? = try CommandLock.acquire(root: dir.path, timeout: 0)
        let released = DispatchSemaphore(value: 0)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
            first = nil
            released.signal()
        }
        let started = Date()
        let second = try CommandLock.acquire(root: dir.path, timeout: 30)
        let elapsed = Date().timeIntervalSince(started)
        released.wait()
        #expect(elapsed >= 0.2 && elapsed < 5, "took the lock after \(elapsed) s")
        withExtendedLifetime(second) {}
    }

    /// Locks on different roots are different locks: fixture roots never wait for each other.
    @Test func eachRootHasItsOwnLock() throws {
        let one = TemporaryDirectory()
        let other = TemporaryDirectory()
        let first = try CommandLock.acquire(root: one.path, timeout: 0)
        #expect(message { _ = try CommandLock.acquire(root: other.path, timeout: 0) } == nil)
        withExtendedLifetime(first) {}
    }

    @Test func aSymlinkAtTheLockFileIsRefusedAndNotFollowed() throws {
        let dir = TemporaryDirectory()
        dir.makeDirectories(dir.file("run"))
        #expect(symlink(dir.file("target"), dir.file("run/guestprep.lock")) == 0)
        let error = try #require(message { _ = try CommandLock.acquire(root: dir.path, timeout: 0) })
        #expect(error == "lock \(dir.path)/run/guestprep.lock: is a symlink: refused", "\(error)")
        #expect(access(dir.file("target"), F_OK) != 0, "the link's target was created")
    }

    @Test func aSymlinkedRunDirectoryIsRefused() throws {
        let dir = TemporaryDirectory()
        dir.makeDirectories(dir.file("elsewhere"))
        #expect(symlink(dir.file("elsewhere"), dir.file("run")) == 0)
        let error = try #require(message { _ = try CommandLock.acquire(root: dir.path, timeout: 0) })
        #expect(error.contains("\(dir.path)/run is a symlink or not a directory"), "\(error)")
        #expect(access(dir.file("elsewhere/guestprep.lock"), F_OK) != 0)
    }

    @Test func aLockPathThatIsNotARegularFileIsRefused() throws {
        let dir = TemporaryDirectory()
        dir.makeDirectories(dir.file("run/guestprep.lock"))
        let error = try #require(message { _ = try CommandLock.acquire(root: dir.path, timeout: 0) })
        #expect(error.hasPrefix("lock \(dir.path)/run/guestprep.lock: "), "\(error)")
    }

    /// A program started while the lock is held (apt, an installer, a daemon it leaves
    /// running) does not inherit it: the lock is free once guestprep lets go, even while the
    /// program still runs. The child is started with posix_spawn and no file actions, so it
    /// inherits every descriptor that is not close-on-exec.
    @Test func programsStartedWhileTheLockIsHeldDoNotInheritIt() throws {
        let dir = TemporaryDirectory()
        var first: CommandLock? = try CommandLock.acquire(root: dir.path, timeout: 0)
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("30"), nil]
        defer { argv.forEach { free($0) } }
        #expect(posix_spawn(&pid, "/bin/sleep", nil, nil, argv, environ) == 0)
        defer {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        first = nil
        _ = first
        // Bounded well below the sleep's 30 s: had it inherited the lock, it would still hold it.
        #expect(message { _ = try CommandLock.acquire(root: dir.path, timeout: Self.spawnWindow) } == nil)
    }

    // MARK: - /proc/locks

    @Test func procLocksNamesTheFlockHolderOfTheInode() {
        let table = """
            1: POSIX  ADVISORY  WRITE 17387 fe:00:5719698 1073741824 1073742335
            2: FLOCK  ADVISORY  WRITE 20324 fe:00:16220973 0 EOF
            3: FLOCK  ADVISORY  WRITE 19946 fe:01:16220335 0 EOF
            3: -> FLOCK  ADVISORY  WRITE 555 fe:01:16220335 0 EOF
            4: FLOCK  ADVISORY  WRITE 4242 103:2a:16220335 0 EOF
            5: POSIX  ADVISORY  WRITE 777 00:2b:99 0 EOF
            """
        let device = ProcLocks.Device(major: 0xfe, minor: 0x01)
        #expect(ProcLocks.holder(in: table, device: device, inode: 16_220_335) == 19946)
        #expect(ProcLocks.holder(in: table, device: .init(major: 0x103, minor: 0x2a), inode: 16_220_335) == 4242)
        #expect(ProcLocks.holder(in: table, device: .init(major: 0xfe, minor: 0), inode: 16_220_973) == 20324)
        // A POSIX lock is not guestprep's; a waiting request (->) holds nothing.
        #expect(ProcLocks.holder(in: table, device: .init(major: 0, minor: 0x2b), inode: 99) == nil)
        #expect(ProcLocks.holder(in: "3: -> FLOCK  ADVISORY  WRITE 555 fe:01:7 0 EOF", device: device, inode: 7) == nil)
        #expect(ProcLocks.holder(in: "", device: device, inode: 7) == nil)
        // A holder outside this pid namespace is shown as pid 0 or -1: not named.
        #expect(ProcLocks.holder(in: "1: FLOCK  ADVISORY  WRITE 0 fe:01:7 0 EOF", device: device, inode: 7) == nil)
    }

    /// st_dev split as glibc's major()/minor() do, for small and large numbers.
    @Test func deviceNumbersSplitAsGlibcDoes() {
        func makedev(_ major: UInt64, _ minor: UInt64) -> UInt64 {
            ((major & 0xffff_f000) << 32) | ((major & 0x0000_0fff) << 8) | ((minor & 0xffff_ff00) << 12)
                | (minor & 0x0000_00ff)
        }
        #expect(ProcLocks.Device(makedev(0xfe, 0)) == .init(major: 0xfe, minor: 0))
        #expect(ProcLocks.Device(makedev(8, 17)) == .init(major: 8, minor: 17))
        #expect(ProcLocks.Device(makedev(0x12345, 0xabcdef)) == .init(major: 0x12345, minor: 0xabcdef))
        var info = stat()
        #expect(stat("/", &info) == 0)
        let split = ProcLocks.Device(UInt64(info.st_dev))
        #expect(makedev(UInt64(split.major), UInt64(split.minor)) == UInt64(info.st_dev))
    }

    @Test func commandLinesAreOneLineAndBounded() {
        #expect(ProcLocks.commandLine("guestprep\0run\0--stage\0main\0") == "guestprep run --stage main")
        #expect(ProcLocks.commandLine("a\nb\0c\u{1b}[31m\0") == "a?b c?[31m")
        let long = ProcLocks.commandLine(String(repeating: "x", count: 500))
        #expect(long.count == 200 && long.hasSuffix("…"))
    }
}
