#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import GuestPrepLinux
import GuestPrepModel
import Testing

/// The reason of a `GuestPrepError.program` thrown by `body` for `argv0`, or nil.
private func programFailure(_ argv0: String, _ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let GuestPrepError.program(failed, reason) where failed == argv0 {
        return reason
    } catch {
        return nil
    }
}

private func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Whether `pid` has exited (gone, or a zombie waiting for its new parent) within a second.
private func processIsGone(_ pid: Int32) -> Bool {
    for _ in 0..<100 {
        guard let stat = try? RootedFileSystem(root: "/").readText("/proc/\(pid)/stat") else { return true }
        // The state follows the parenthesised command name.
        if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
        usleep(10_000)
    }
    return false
}

@Suite struct PosixProcessRunnerTests {
    let runner = PosixProcessRunner()

    @Test func capturesStandardOutput() throws {
        let result = try runner.run(executable: "/bin/echo", arguments: ["hello", "world"], timeout: 10)
        #expect(result.status == 0)
        #expect(result.outputText == "hello world\n")
        #expect(result.standardError.isEmpty)
    }

    @Test func reportsANonzeroExitStatus() throws {
        let result = try runner.run(executable: "/bin/sh", arguments: ["-c", "exit 3"], timeout: 10)
        #expect(result.status == 3)
        #expect(try runner.run(executable: "/bin/false", arguments: [], timeout: 10).status == 1)
    }

    @Test func reportsAKillingSignalAsShellsDo() throws {
        let result = try runner.run(executable: "/bin/sh", arguments: ["-c", "kill -TERM $$"], timeout: 10)
        #expect(result.status == 128 + SIGTERM)
    }

    @Test func capturesStandardErrorSeparately() throws {
        let result = try runner.run(
            executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2; echo out2"], timeout: 10)
        #expect(result.outputText == "out\nout2\n")
        #expect(result.errorText == "err\n")
    }

    @Test func largeOutputOnBothStreamsDoesNotDeadlock() throws {
        // 3 MiB to each stream, interleaved: far beyond a pipe's 64 KiB buffer.
        let script = "i=0; while [ $i -lt 3 ]; do head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2; i=$((i+1)); done"
        let result = try runner.run(executable: "/bin/sh", arguments: ["-c", script], timeout: 30)
        #expect(result.status == 0)
        #expect(result.standardOutput.count == 3 << 20)
        #expect(result.standardError.count == 3 << 20)
    }

    @Test func outputBeyondTheLimitIsDroppedNotBlocking() throws {
        let result = try runner.run(
            executable: "/bin/sh", arguments: ["-c", "head -c 6291456 /dev/zero; echo done >&2"], timeout: 30)
        #expect(result.status == 0)
        #expect(result.standardOutput.count == PosixProcessRunner.outputLimit)
        #expect(result.errorText == "done\n")
    }

    @Test func timeoutKillsTheProgram() {
        let start = now()
        let reason = programFailure("/bin/sleep") {
            _ = try runner.run(executable: "/bin/sleep", arguments: ["5"], timeout: 0.3)
        }
        let elapsed = now() - start
        #expect(reason == "ran past the 0.3 s timeout and was killed")
        #expect(elapsed >= 0.3)
        #expect(elapsed < 1.0)
    }

    @Test func timeoutKillsWhatTheProgramStarted() throws {
        // The shell's child sleep keeps the pipes open; the whole process group must go.
        let dir = TemporaryDirectory()
        let pidFile = dir.file("sleep.pid")
        let start = now()
        let reason = programFailure("/bin/sh") {
            _ = try runner.run(
                executable: "/bin/sh", arguments: ["-c", "/bin/sleep 7 & echo $! > \(pidFile); wait"], timeout: 0.3)
        }
        #expect(reason?.contains("timeout") == true)
        #expect(now() - start < 1.0)
        let text = try #require(try RootedFileSystem(root: "/").readText(pidFile))
        let pid = try #require(Int32(text.split(separator: "\n").first ?? ""))
        #expect(processIsGone(pid))
    }

    @Test func aBackgroundedGrandchildHoldingThePipesDoesNotHoldTheRun() throws {
        let start = now()
        let result = try runner.run(executable: "/bin/sh", arguments: ["-c", "echo started; /bin/sleep 3 & exit 0"], timeout: 10)
        #expect(result.status == 0)
        #expect(result.outputText == "started\n")
        #expect(now() - start < 2.0)
    }

    @Test func missingExecutableIsReported() {
        #expect(programFailure("/nonexistent/guestprep-tool") {
            _ = try runner.run(executable: "/nonexistent/guestprep-tool", arguments: [], timeout: 1)
        } == "not found")
        #expect(programFailure("relative-tool") {
            _ = try runner.run(executable: "relative-tool", arguments: [], timeout: 1)
        } == "is not an absolute path")
        #expect(programFailure("/etc") {
            _ = try runner.run(executable: "/etc", arguments: [], timeout: 1)
        } == "is not a regular file")
    }

    @Test func nonExecutableFileIsReported() throws {
        let dir = TemporaryDirectory()
        dir.write("script", "#!/bin/sh\necho hi\n", mode: 0o644)
        let path = dir.file("script")
        #expect(!runner.isExecutable(path))
        // Without any x bit exec refuses even root.
        let reason = programFailure(path) { _ = try runner.run(executable: path, arguments: [], timeout: 1) }
        #expect(reason == String(cString: strerror(EACCES)))
    }

    @Test func isExecutableWantsARegularExecutableFile() {
        #expect(runner.isExecutable("/bin/sh"))
        #expect(!runner.isExecutable("/etc/passwd"))
        #expect(!runner.isExecutable("/bin"))
        #expect(!runner.isExecutable("/nonexistent/tool"))
    }

    @Test func environmentIsTheFixedOneAndNothingIsInherited() throws {
        setenv("GUESTPREP_TEST_SECRET", "hunter2", 1)
        let result = try runner.run(executable: "/usr/bin/env", arguments: [], timeout: 10)
        #expect(result.status == 0)
        #expect(result.outputText == "PATH=/usr/sbin:/usr/bin:/sbin:/bin\nLANG=C.UTF-8\nDEBIAN_FRONTEND=noninteractive\n")
        #expect(!result.outputText.contains("hunter2"))
    }

    @Test(arguments: [
        "two words", "'single' \"double\"", "$(touch /tmp/guestprep-pwned)", "`id`", "a; echo injected",
        "$HOME", "*", "back\\slash", "line\nbreak", "",
    ])
    func argumentsPassLiterallyNeverThroughAShell(_ argument: String) throws {
        let result = try runner.run(executable: "/usr/bin/printf", arguments: ["[%s]", argument], timeout: 10)
        #expect(result.status == 0)
        #expect(result.outputText == "[\(argument)]")
        #expect(statOf("/tmp/guestprep-pwned") == nil)
    }

    @Test func standardInputIsEmpty() throws {
        let result = try runner.run(executable: "/bin/cat", arguments: [], timeout: 5)
        #expect(result.status == 0)
        #expect(result.standardOutput.isEmpty)
    }

    @Test func noOtherDescriptorIsInherited() throws {
        // A descriptor of the agent opened without O_CLOEXEC must not reach the child.
        let dir = TemporaryDirectory()
        dir.write("agent-private-file", "x")
        let fd = open(dir.file("agent-private-file"), O_RDONLY)
        #expect(fd > 2)
        defer { close(fd) }
        let result = try runner.run(executable: "/bin/ls", arguments: ["-l", "/proc/self/fd/"], timeout: 5)
        #expect(result.status == 0)
        #expect(result.outputText.contains("/dev/null"))  // stdin, so the listing shows targets
        #expect(!result.outputText.contains("agent-private-file"))
    }

    @Test func countsProcessesStarted() throws {
        let fresh = PosixProcessRunner()
        #expect(fresh.processesStarted == 0)
        _ = try fresh.run(executable: "/bin/true", arguments: [], timeout: 5)
        _ = try fresh.run(executable: "/bin/false", arguments: [], timeout: 5)
        _ = try? fresh.run(executable: "/nonexistent/tool", arguments: [], timeout: 5)
        #expect(fresh.processesStarted == 2)
    }
}
