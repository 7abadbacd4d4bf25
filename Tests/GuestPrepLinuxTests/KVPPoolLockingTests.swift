#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
import Dispatch
import GuestPrepConfig
import GuestPrepCore
@testable import GuestPrepLinux
import GuestPrepModel
import Synchronization
import Testing

/// KVP pools read and written as hv_kvp_daemon does, while a stand-in for the daemon rewrites
/// the pool the way tools/hv/hv_kvp_daemon.c's kvp_update_file does: a traditional fcntl write
/// lock (F_SETLKW) on the descriptor it keeps open, fopen("w") (truncate), fwrite in stdio's
/// 4096-byte buffers, fclose, unlock. Without the lock a reader sees the pool empty or cut
/// inside a record; issue 20 measured 7 failed reads of 3,043 at 20 ms appends.
@Suite(.serialized) struct KVPPoolLockingTests {
    /// What the writer thread and the test share.
    final class Shared: Sendable {
        let stop = Atomic<Bool>(false)
        let rewrites = Atomic<Int>(0)
        let finished = Atomic<Bool>(false)
    }

    static let pool = "/var/lib/hyperv/.kvp_pool_1"

    /// The pool of `count` records k0…k(count-1), each value long, as the daemon lays it out.
    static func records(_ count: Int) -> [UInt8] {
        (0..<count).flatMap { try! KVPPoolEncoder.record(key: "k\($0)", value: String(repeating: "v", count: 1500)) }
    }

    /// Whether `pairs` is a pool the writer wrote whole: k0…k(n-1) for some n ≥ 1.
    static func isWhole(_ keys: [String]) -> Bool {
        !keys.isEmpty && keys == (0..<keys.count).map { "k\($0)" }
    }

    /// Rewrites the pool under the daemon's lock, growing it by one record each time (1…12,
    /// then again), every `pause` microseconds, until `stop`.
    static func daemon(_ path: String, pause: useconds_t, shared: Shared) {
        let lockFD = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        precondition(lockFD >= 0)
        defer { close(lockFD) }
        var count = 1
        while !shared.stop.load(ordering: .relaxed) {
            var lock = flock()
            lock.l_type = Int16(F_WRLCK)
            lock.l_whence = Int16(SEEK_SET)
            lock.l_pid = getpid()
            precondition(fcntl(lockFD, F_SETLKW, &lock) == 0)
            let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
            precondition(fd >= 0)
            let bytes = records(count)
            for start in stride(from: 0, to: bytes.count, by: 4096) {
                let chunk = Array(bytes[start..<min(start + 4096, bytes.count)])
                precondition(chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == chunk.count)
            }
            close(fd)
            lock.l_type = Int16(F_UNLCK)
            precondition(fcntl(lockFD, F_SETLK, &lock) == 0)
            shared.rewrites.add(1, ordering: .relaxed)
            count = count % 12 + 1
            if pause > 0 { usleep(pause) }
        }
    }

    /// Reads the pool with `read` while the daemon stand-in rewrites it, at least `reads` times
    /// and until the daemon has rewritten it more than 10 times (at most 60 s: on a busy
    /// machine the reader's thread can finish its reads before the daemon's gets to run);
    /// returns the reads that failed or saw a pool not written whole, and the rewrites.
    static func race(pause: useconds_t, reads: Int, _ read: (RootedFileSystem) throws -> [String]) throws -> (bad: Int, rewrites: Int) {
        let directory = TemporaryDirectory()
        directory.write("var/lib/hyperv/.kvp_pool_1", "")
        let fs = RootedFileSystem(root: directory.path)
        let path = directory.file("var/lib/hyperv/.kvp_pool_1")
        let shared = Shared()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            daemon(path, pause: pause, shared: shared)
            done.signal()
        }
        while shared.rewrites.load(ordering: .relaxed) == 0 { usleep(100) }
        var bad = 0
        var readsDone = 0
        let deadline = Posix.monotonicSeconds() + 60
        while readsDone < reads || (shared.rewrites.load(ordering: .relaxed) <= 10 && Posix.monotonicSeconds() < deadline) {
            do {
                if !isWhole(try read(fs)) { bad += 1 }
            } catch { bad += 1 }
            readsDone += 1
        }
        shared.stop.store(true, ordering: .relaxed)
        done.wait()
        return (bad, shared.rewrites.load(ordering: .relaxed))
    }

    @Test func withoutTheLockAReaderSeesHalfWrittenPools() throws {
        // The harness shows the race: what the reader did before it took the daemon's lock.
        let result = try Self.race(pause: 0, reads: 3000) { fs in
            try KVPPoolDecoder.decode(try fs.read(Self.pool) ?? []).map(\.key)
        }
        #expect(result.rewrites > 10)
        #expect(result.bad > 0)
    }

    @Test func theProvidersLockedReadsNeverSeeOneWhileTheDaemonRewritesContinuously() throws {
        let result = try Self.race(pause: 0, reads: 3000) { fs in
            try KVPProvider(directory: "/var/lib/hyperv", fs: fs).load().properties.map(\.key)
        }
        #expect(result.rewrites > 10)
        #expect(result.bad == 0)
    }

    @Test func theProvidersLockedReadsNeverSeeOneAtMillisecondRewrites() throws {
        let result = try Self.race(pause: 2000, reads: 3000) { fs in
            try KVPProvider(directory: "/var/lib/hyperv", fs: fs).load().properties.map(\.key)
        }
        #expect(result.rewrites > 10)
        #expect(result.bad == 0)
    }

    @Test func anUpdateWaitsForTheDaemonsLock() throws {
        let directory = TemporaryDirectory()
        directory.write("var/lib/hyperv/.kvp_pool_1", "")
        let path = directory.file("var/lib/hyperv/.kvp_pool_1")
        let fs = RootedFileSystem(root: directory.path)
        let held = open(path, O_RDWR | O_CLOEXEC)
        #expect(held >= 0)
        defer { close(held) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        #expect(fcntl(held, F_SETLKW, &lock) == 0)
        let shared = Shared()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? fs.updateLocked(Self.pool, mode: 0o644) { _ in Self.records(2) }
            shared.finished.store(true, ordering: .relaxed)
            done.signal()
        }
        usleep(200_000)
        let finishedEarly = shared.finished.load(ordering: .relaxed)
        #expect(!finishedEarly)
        #expect(try fs.read(Self.pool) == [])
        lock.l_type = Int16(F_UNLCK)
        #expect(fcntl(held, F_SETLK, &lock) == 0)
        done.wait()
        #expect(try fs.read(Self.pool) == Self.records(2))
    }

    @Test func publishingWritesPoolOneInPlaceKeepingOtherRecords() throws {
        let directory = TemporaryDirectory()
        directory.write("var/lib/hyperv/.kvp_pool_1", "")
        let path = directory.file("var/lib/hyperv/.kvp_pool_1")
        let fs = RootedFileSystem(root: directory.path)
        try fs.writeAtomically(Self.pool, try KVPPoolEncoder.record(key: "OtherAgent", value: "v"), mode: 0o644, owner: .root)
        let inode = statOf(path)?.st_ino
        let document = StatusDocument(
            guestprep: "0.1.0", instance: "d", boot: nil, stage: "main", outcome: .done, at: "2026-12-05T05:00:00Z")
        let diagnostics = StatusPublisher(fs: fs, runner: nil).publish(document, health: .ok)
        #expect(diagnostics.map(\.severity) == [.info])
        #expect(statOf(path)?.st_ino == inode)  // the daemon's descriptor and lock stay on it
        let pairs = try KVPPoolDecoder.decode(try #require(try fs.read(Self.pool)))
        #expect(pairs.map(\.key) == ["OtherAgent", StatusPublisher.statusKey, StatusPublisher.readyKey, StatusPublisher.healthKey])
        #expect(pairs.map(\.value) == ["v", try #require(document.json(limit: 4096)), "true", "ok"])
    }

    @Test func aPoolThatCannotBeWrittenIsAWarning() throws {
        let directory = TemporaryDirectory()
        directory.makeDirectories(directory.file("var/lib/hyperv/.kvp_pool_1"))
        let fs = RootedFileSystem(root: directory.path)
        let document = StatusDocument(
            guestprep: "0.1.0", instance: "d", boot: nil, stage: "main", outcome: .failed, step: "network", at: "t")
        let diagnostics = StatusPublisher(fs: fs, runner: nil).publish(document)
        #expect(diagnostics.map(\.severity) == [.warning])
        #expect(diagnostics.first?.message.contains("status not published to Hyper-V KVP pool 1") == true)
        #expect(diagnostics.first?.message.contains("/var/lib/hyperv/.kvp_pool_1") == true)
    }
}
