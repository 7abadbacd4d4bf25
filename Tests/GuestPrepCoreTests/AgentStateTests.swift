import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

@Suite struct AgentStateTests {
    /// Every field set, with strings that need escaping: what `save` writes, `load` reads back.
    static let full = AgentState(
        identity: InstanceIdentity(productUUID: "4201b3c2-7d5e", macs: ["00:50:56:9a:10:02", "00:50:56:9a:10:01"], instanceID: "vm \"7\"\\"),
        steps: [
            "network": StepRecord(
                status: .done, identity: "adc5b9db70c40127", boot: nil, at: "2026-11-21T10:00:00Z", changes: 0,
                notes: ["net1 → ens192 00:50:56:9a:10:01 0000:0b:00.0 vmxnet3 (by OVF adapter 1)", "files for systemd-networkd"]),
            "hostname": StepRecord(
                status: .failed, identity: "adc5b9db70c40127", boot: "b-1", at: "2026-11-21T10:00:01Z", changes: 2,
                message: "hostname exited with status 1: line\n\ttab\u{1}/etc/hostname é"),
        ],
        pendingReboot: PendingReboot(step: "nouveau", boot: "b-1", at: "2026-11-21T10:00:02Z"),
        lastRun: RunRecord(
            stage: "early", startedAt: "2026-11-21T10:00:00Z", finishedAt: "2026-11-21T10:00:03Z", outcome: "failed",
            processesStarted: 3))

    @Test func savedStateLoadsBackEqual() throws {
        for state in [Self.full, AgentState()] {
            let fs = InMemoryFileSystem()
            try state.save(fs: fs)
            #expect(try AgentState.load(fs: fs) == state)
            #expect(try fs.mode(AgentState.path) == 0o600)
        }
    }

    @Test func writesTheDocumentedLayout() throws {
        let fs = InMemoryFileSystem()
        var state = AgentState(identity: InstanceIdentity(productUUID: nil, macs: [], instanceID: nil))
        state.steps["hostname"] = StepRecord(status: .done, identity: "d", boot: nil, at: "t", changes: 1)
        try state.save(fs: fs)
        #expect(
            try fs.readText(AgentState.path) == """
                {
                  "identity" : {
                    "macs" : [

                    ]
                  },
                  "schemaVersion" : 1,
                  "steps" : {
                    "hostname" : {
                      "at" : "t",
                      "changes" : 1,
                      "identity" : "d",
                      "status" : "done"
                    }
                  }
                }

                """)
    }

    @Test func escapesQuotesBackslashesAndControlCharactersButNotSlashes() {
        let state = AgentState(
            steps: [
                "s": StepRecord(status: .failed, identity: "d", boot: nil, at: "t", changes: -3, message: "a\"b\\c\nd\re\tf\u{0}\u{1f}/é")
            ])
        #expect(state.json.contains(#""message" : "a\"b\\c\nd\re\tf\u0000\u001f/é""#), "\(state.json)")
        #expect(state.json.contains(#""changes" : -3"#))
    }
}
