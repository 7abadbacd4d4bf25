import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

@Suite struct HostnameStepTests {
    @Test func absentHostnameLeavesEverythingAlone() throws {
        let fs = InMemoryFileSystem(["/etc/hostname": "old\n"])
        let plan = try HostnameStep().plan(StepContext(spec: GuestSpec(), fs: fs, onHost: false))
        #expect(plan.changes.isEmpty)
        #expect(plan.diagnostics.first?.key == PropertyKeys.hostname)
    }

    @Test func plansOnlyWhatDiffers() throws {
        let fs = InMemoryFileSystem([
            "/etc/hostname": "gpu1\n", "/etc/hosts": "127.0.0.1 localhost\n", "/proc/sys/kernel/hostname": "gpu1\n",
        ])
        let plan = try HostnameStep().plan(StepContext(spec: GuestSpec(hostname: "gpu1"), fs: fs, onHost: true))
        #expect(plan.changes == [.write(step: "hostname", path: "/etc/hosts", text: "127.0.0.1 localhost\n127.0.1.1\tgpu1\n")])
    }

    @Test func runsTheHostnameProgramByArgv() throws {
        let fs = InMemoryFileSystem(["/proc/sys/kernel/hostname": "localhost\n"])
        let plan = try HostnameStep().plan(StepContext(spec: GuestSpec(hostname: "bf-1"), fs: fs, onHost: true))
        #expect(plan.changes.last == .run(step: "hostname", ["hostname", "bf-1"]))
        #expect(try HostnameStep().check(StepContext(spec: GuestSpec(hostname: "bf-1"), fs: fs, onHost: true)) == false)
    }

    @Test func applierRunsTheResolvedProgramOnTheHost() throws {
        let fs = InMemoryFileSystem()
        let runner = ScriptedProcessRunner(installed: ["/usr/bin/hostname"])
        let applier = PlanApplier(fs: fs, runner: runner)
        #expect(try applier.apply(.run(step: "hostname", ["hostname", "bf-1"])) == .applied)
        #expect(runner.calls == [.init(executable: "/usr/bin/hostname", arguments: ["bf-1"])])

        let failing = ScriptedProcessRunner(installed: ["/bin/hostname"]) { _, _ in
            ProcessResult(status: 1, standardError: Array("hostname: you must be root\n".utf8))
        }
        #expect { try PlanApplier(fs: fs, runner: failing).apply(.run(step: "hostname", ["hostname", "x"])) } throws: {
            "\($0)".contains("status 1: hostname: you must be root")
        }
        #expect { try PlanApplier(fs: fs, runner: ScriptedProcessRunner(installed: [])).apply(.run(step: "hostname", ["hostname", "x"])) } throws: {
            "\($0)".contains("not installed")
        }
    }
}
