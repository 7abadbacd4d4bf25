#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Testing

/// One mutating guestprep at a time (CommandLock): concurrent runs on one root serialize and
/// end as one run would; while the lock is held, read-only commands answer at once and the
/// mutating ones give up after --lock-timeout with a message, having changed nothing.
@Suite struct CommandLockBlackBoxTests {
    static let ovf = GuestPrepBinary.packageRoot.appendingPathComponent("demo/ovf-env.xml").path

    func demoRoot(in scratch: TemporaryDirectory, _ name: String) throws -> String {
        try scratch.copy(GuestPrepBinary.packageRoot.appendingPathComponent("demo/root"), to: name).path
    }

    @Test func concurrentRunsOnOneRootEndAsOneRunWould() throws {
        let scratch = try TemporaryDirectory()
        let reference = try demoRoot(in: scratch, "reference")
        let single = try GuestPrepBinary.run(["run", "--root", reference, "--source", "ovf:" + Self.ovf])
        #expect(single.status == 0, "\(single.stderr)")

        let shared = try demoRoot(in: scratch, "shared")
        let count = 8
        let results = Mutex<[GuestPrepBinary.Result]>([])
        let finished = DispatchGroup()
        // Threads, not a dispatch queue: all of them start at once, whatever the core count.
        for _ in 0..<count {
            finished.enter()
            Thread.detachNewThread {
                let result = (try? GuestPrepBinary.run(["run", "--root", shared, "--source", "ovf:" + Self.ovf]))
                    ?? GuestPrepBinary.Result(status: -1, stdout: "", stderr: "could not start")
                results.withLock { $0.append(result) }
                finished.leave()
            }
        }
        finished.wait()
        let all = results.withLock { $0 }
        #expect(all.count == count)
        for result in all { #expect(result.status == 0, "\(result.stdout)\(result.stderr)") }
        // One of them made the changes; each of the others, after it, found nothing to do.
        let changed = all.filter { $0.stdout.contains("changes made") }
        let idle = all.filter { $0.stdout.contains("nothing to do") }
        #expect(changed.count == 1, "\(changed.count) runs made changes:\n\(changed.map(\.stdout).joined(separator: "\n---\n"))")
        #expect(idle.count == count - 1, "\(all.map(\.stdout))")
        let statePath = shared + TreeSnapshot.statePath
        #expect(throws: Never.self) { _ = try TreeSnapshot.meaning(ofState: Data(contentsOf: URL(fileURLWithPath: statePath))) }
        let differences = try TreeSnapshot(shared).differences(from: TreeSnapshot(reference))
        #expect(differences.isEmpty, "the tree differs from one run's:\n\(differences.joined(separator: "\n"))")
    }

    /// The lock held by this test process (as another guestprep would hold it): an open file
    /// description with an exclusive flock(2) on ROOT/run/guestprep.lock.
    final class HeldLock {
        let fd: Int32
        init(root: String) {
            _ = mkdir(root + "/run", 0o755)
            fd = open(root + "/run/guestprep.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            precondition(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0, "cannot lock \(root)/run/guestprep.lock")
        }
        deinit { close(fd) }
    }

    @Test func whileTheLockIsHeldReadOnlyCommandsAnswerAndMutatingOnesChangeNothing() throws {
        let scratch = try TemporaryDirectory()
        let root = try demoRoot(in: scratch, "root")
        let source = ["--source", "ovf:" + Self.ovf]
        // A first run, so that clean has state to remove, then a drift for an every-boot step
        // (network) to repair.
        #expect(try GuestPrepBinary.run(["run", "--root", root] + source).status == 0)
        let networkFile = root + "/etc/systemd/network/10-guestprep-net1.network"
        let written = try String(contentsOfFile: networkFile, encoding: .utf8)
        try "drifted\n".write(toFile: networkFile, atomically: true, encoding: .utf8)
        var held: HeldLock? = HeldLock(root: root)
        let lockFile = root + "/run/guestprep.lock"
        let before = try TreeSnapshot(root)

        // Read-only commands take no lock: each answers at once (a locking one would wait 60 s).
        for arguments in [
            ["status"], ["doctor"], ["plan"] + source, ["validate"] + source, ["properties"] + source,
            ["run", "--dry-run"] + source,
        ] {
            let started = Date()
            let result = try GuestPrepBinary.run(arguments + ["--root", root])
            let elapsed = Date().timeIntervalSince(started)
            #expect(elapsed < 20, "\(arguments[0]) took \(elapsed) s while the lock was held")
            #expect(!result.stderr.contains("guestprep.lock"), "\(arguments): \(result.stderr)")
            #expect(arguments[0] == "doctor" || result.status == 0, "\(arguments): \(result.stdout)\(result.stderr)")
        }

        // Mutating commands wait --lock-timeout, then exit 1 naming the file and its holder.
        for (arguments, timeout) in [
            (["run"] + source, 1), (["clean"], 0), (["reenable-client"] + source, 0), (["revoke-client"] + source, 0),
        ] {
            let started = Date()
            let result = try GuestPrepBinary.run(arguments + ["--root", root, "--lock-timeout", "\(timeout)"])
            let elapsed = Date().timeIntervalSince(started)
            #expect(result.status == 1, "\(arguments): \(result.stdout)\(result.stderr)")
            #expect(
                result.stderr.contains(
                    "guestprep: lock \(lockFile): another guestprep is changing this machine (held by pid \(getpid()): "),
                "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("waited \(timeout) s for it: nothing was changed"), "\(result.stderr)")
            #expect(
                result.stderr.hasPrefix("guestprep: waiting up to \(timeout) s for /run/guestprep.lock (held by pid \(getpid())"),
                "\(result.stderr)")
            #expect(elapsed >= Double(timeout) && elapsed < Double(timeout) + 20, "\(arguments[0]) gave up after \(elapsed) s")
            #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
        }
        let differences = try TreeSnapshot(root).differences(from: before)
        #expect(differences.isEmpty, "changed while the lock was held:\n\(differences.joined(separator: "\n"))")

        // Once the holder lets go, a run takes the lock at once and repairs the drift.
        held = nil
        _ = held
        let run = try GuestPrepBinary.run(["run", "--root", root, "--lock-timeout", "0"] + source)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(try String(contentsOfFile: networkFile, encoding: .utf8) == written)
    }

    /// The kernel releases the lock of a process killed with SIGKILL (the debug build's crash
    /// point kills the run after it took the lock): the next run takes it without waiting.
    @Test func aRunKilledWhileHoldingTheLockLeavesItFree() throws {
        let scratch = try TemporaryDirectory()
        let root = try demoRoot(in: scratch, "root")
        let source = ["--source", "ovf:" + Self.ovf]
        let killed = try GuestPrepBinary.run(["run", "--root", root] + source, environment: ["GUESTPREP_TEST_CRASH_AFTER": "5"])
        #expect(killed.status == SIGKILL, "\(killed.stdout)\(killed.stderr)")
        #expect(FileManager.default.fileExists(atPath: root + "/run/guestprep.lock"))
        let next = try GuestPrepBinary.run(["run", "--root", root, "--lock-timeout", "0"] + source)
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
    }

    @Test func aNegativeLockTimeoutIsAUsageError() throws {
        let result = try GuestPrepBinary.run(["run", "--root", "/nonexistent", "--lock-timeout=-1"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--lock-timeout must be 0 or more seconds"), "\(result.stderr)")
    }
}
