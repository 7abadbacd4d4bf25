#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// Crash consistency, proven: `guestprep run` (and `clean`) killed with SIGKILL at every point
/// where it changes the tree, then run again, leaves exactly the tree an uninterrupted run
/// leaves, and state.json parses after every kill.
///
/// The points are the debug build's crash points (Sources/GuestPrepLinux/CrashPoints.swift,
/// `GUESTPREP_TEST_CRASH_AFTER=N`): in every write, after the temp file is created, after half
/// its content, after the whole content is fsynced and after the rename; after every unlink;
/// in every directory created, after the temp directory is made, after its mode is set and
/// after its rename. The step boundaries are among them: the engine saves state.json after each
/// step, so the point after that rename is the boundary. N runs from 1 until a run is no longer
/// killed, so every point of a full run is tried once, and the test fails if the points stop
/// being reached (fewer than `minimumPoints`).
///
/// Bounded for CI (2 cores): one scenario, the demo (a Bitfusion server with four NICs, both
/// stages: 106 points, about 20 files and directories written), each point one killed run and
/// one full run on a copy of the demo root on tmpfs (/dev/shm where there is one: fsync costs
/// nothing there, and SIGKILL leaves the same tree on any file system). The runs are under
/// umask 0077, as the units run (UMask=0077): a directory created with the umask's mode and
/// chmodded after would show here.
@Suite struct CrashConsistencyTests {
    /// The demo's full run reaches 106.
    static let minimumPoints = 50

    /// A scratch directory on tmpfs where there is one, removed at the end.
    final class Scratch {
        let path: String
        init() throws {
            let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : FileManager.default.temporaryDirectory.path
            path = base + "/guestprep-crash-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    enum Ending: Equatable {
        case exited(Int32)
        case killed(Int32)
    }

    /// Runs guestprep under umask 0077 with stdout and stderr in `log`; how it ended.
    static func run(_ arguments: [String], crashAfter: Int? = nil, log: String) throws -> Ending {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "umask 077 && exec \"$0\" \"$@\"", GuestPrepBinary.path] + arguments
        var environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"]
        if let crashAfter { environment["GUESTPREP_TEST_CRASH_AFTER"] = "\(crashAfter)" }
        process.environment = environment
        guard FileManager.default.createFile(atPath: log, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal
            ? .killed(process.terminationStatus) : .exited(process.terminationStatus)
    }

    /// Kills `arguments(ROOT)` at each crash point in turn on a fresh copy of `fixture`, checks
    /// that state.json (when there is one) parses, runs the same command again (with
    /// --lock-timeout 0: the killed one's lock went with it) and compares the tree with an
    /// uninterrupted run's. Returns the number of points and the failures (at most three).
    static func killAtEveryPoint(
        fixture: String, in scratch: Scratch, _ arguments: (String) -> [String]
    ) throws -> (points: Int, interrupted: Int, failures: [String]) {
        let log = scratch.path + "/log"
        func output() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        let referenceRoot = scratch.path + "/reference"
        try FileManager.default.copyItem(atPath: fixture, toPath: referenceRoot)
        let first = try run(arguments(referenceRoot), log: log)
        guard first == .exited(0) else { return (0, 0, ["the uninterrupted run ended \(first):\n\(output())"]) }
        let reference = try TreeSnapshot(referenceRoot)

        var interrupted = 0
        var failures: [String] = []
        for n in 1...1000 {
            let root = scratch.path + "/root-\(n)"
            try FileManager.default.copyItem(atPath: fixture, toPath: root)
            defer { try? FileManager.default.removeItem(atPath: root) }
            let ending = try run(arguments(root), crashAfter: n, log: log)
            if ending == .exited(0) { return (n - 1, interrupted, failures) }
            guard ending == .killed(SIGKILL) else {
                failures.append("point \(n): the command ended \(ending), not by SIGKILL:\n\(output())")
                break
            }
            if try TreeSnapshot(root) != reference { interrupted += 1 }
            if let state = FileManager.default.contents(atPath: root + TreeSnapshot.statePath) {
                do { _ = try TreeSnapshot.meaning(ofState: state) } catch {
                    failures.append("point \(n): state.json does not parse after the kill:\n\(String(decoding: state, as: UTF8.self))")
                }
            }
            let rerun = try run(arguments(root) + ["--lock-timeout", "0"], log: log)
            if rerun != .exited(0) { failures.append("point \(n): the command after the kill ended \(rerun):\n\(output())") }
            let differences = try TreeSnapshot(root).differences(from: reference)
            if !differences.isEmpty {
                failures.append(
                    "point \(n): the tree after the kill and a second run differs from an uninterrupted run's:\n"
                        + differences.joined(separator: "\n"))
            }
            if failures.count >= 3 { break }
        }
        return (0, interrupted, failures)
    }

    @Test func aRunKilledAtAnyPointThenRunAgainLeavesTheTreeOfAnUninterruptedRun() throws {
        let scratch = try Scratch()
        let fixture = GuestPrepBinary.packageRoot.appendingPathComponent("demo/root").path
        let ovf = GuestPrepBinary.packageRoot.appendingPathComponent("demo/ovf-env.xml").path
        let (points, interrupted, failures) = try Self.killAtEveryPoint(fixture: fixture, in: scratch) { root in
            ["run", "--root", root, "--source", "ovf:" + ovf]
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n\n"))")
        if failures.isEmpty {
            #expect(points >= Self.minimumPoints, "only \(points) crash points were reached: is the hook compiled in?")
        }
        #expect(interrupted * 2 >= points, "only \(interrupted) of \(points) kills left a tree other than a finished run's")
    }

    /// The Bitfusion client's writes below users' homes (RootedFileSystem+Home.swift: its
    /// own temp files, and `~/.bitfusion` made under a temp name, given to the user, then
    /// renamed) killed at each point: a run killed after creating `~/.bitfusion` must not leave
    /// a directory of root's that the next run refuses as not the user's.
    @Test func aClientRunKilledAtAnyPointInAHomeThenRunAgainLeavesTheTreeOfAnUninterruptedRun() throws {
        let scratch = try Scratch()
        let folder = BlackBoxCase.casesRoot.appendingPathComponent("positive/run-bitfusion-client-archive").path
        let (points, interrupted, failures) = try Self.killAtEveryPoint(fixture: folder + "/root", in: scratch) { root in
            ["run", "--stage", "main", "--root", root, "--source", "file:" + folder + "/props.env"]
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n\n"))")
        if failures.isEmpty { #expect(points >= 20, "only \(points) crash points were reached") }
        #expect(interrupted * 2 >= points, "only \(interrupted) of \(points) kills left a tree other than a finished run's")
    }

    /// `clean` killed part-way (state, downloads, a link) and run again removes the rest.
    @Test func aCleanKilledAtAnyPointThenRunAgainLeavesTheTreeOfAnUninterruptedClean() throws {
        let scratch = try Scratch()
        let fixture = BlackBoxCase.casesRoot.appendingPathComponent("positive/clean-removes-downloads/root").path
        let (points, interrupted, failures) = try Self.killAtEveryPoint(fixture: fixture, in: scratch) { root in
            ["clean", "--root", root]
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n\n"))")
        if failures.isEmpty { #expect(points >= 4, "only \(points) crash points were reached") }
        // All but the kill after the last removal.
        #expect(interrupted == points - 1, "\(interrupted) of \(points) kills left a tree other than a finished clean's")
    }
}
