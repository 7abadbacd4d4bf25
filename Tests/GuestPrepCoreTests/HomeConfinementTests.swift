import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

/// Writes and deletes below a Bitfusion user's home follow no link the user made and go only
/// into directories of the user's (issue 18, item 2), with the in-memory file system.
@Suite struct HomeConfinementTests {
    let alice = FileOwner(user: "alice", group: "alice")
    var aliceHome: UserHome { UserHome(owner: alice, directory: "/home/alice") }
    let shadow = "root:$6$secret-hash:20000::::::\n"

    func guest() -> InMemoryFileSystem {
        let fs = bitfusionGuest(["/etc/shadow": shadow])
        return fs
    }

    func enroll(_ fs: InMemoryFileSystem) throws -> [Change] {
        try BitfusionClientStep().plan(
            StepContext(spec: clientSpec(archive: sampleArchive(), users: ["alice"]), fs: fs, onHost: false, instance: "i-1")
        ).changes
    }

    /// True when `error` names alice and `path`.
    func namesAlice(_ error: any Error, _ path: String) -> Bool {
        "\(error)".contains("user alice") && "\(error)".contains(path)
    }

    @Test func aMissingBitfusionDirectoryIsCreatedForTheUserAndTheFilesAreTheirs() throws {
        let fs = guest()
        try PlanApplier(fs: fs, runner: nil).apply(try enroll(fs)) { _, _ in }
        #expect(fs.directory("/home/alice/.bitfusion")?.owner == alice)
        #expect(fs.directory("/home/alice/.bitfusion")?.mode == 0o700)
        #expect(fs.entry("/home/alice/.bitfusion/client.yaml")?.owner == alice)
        #expect(fs.entry("/home/alice/.bitfusion/client.yaml")?.mode == 0o600)
        #expect(fs["/home/alice/.bitfusion/client.yaml"] == clientYAMLSecret)
        #expect(fs.journal.contains("create directory /home/alice/.bitfusion"))
    }

    @Test func aBitfusionDirectoryThatIsALinkIsRefusedWhilePlanning() throws {
        let fs = guest()
        fs.setLink("/home/alice/.bitfusion", to: "/etc")
        #expect { try enroll(fs) } throws: { namesAlice($0, "/home/alice/.bitfusion") && "\($0)".contains("symbolic link") }
    }

    @Test func aLinkedBitfusionDirectoryIsRefusedWhenTheChangeIsMadeAndNothingLandsWhereItPoints() throws {
        let fs = guest()
        let changes = try enroll(fs)
        // The user swaps the directory for a link between the plan and the run.
        fs.setLink("/home/alice/.bitfusion", to: "/etc")
        #expect {
            try PlanApplier(fs: fs, runner: nil).apply(changes) { _, _ in }
        } throws: { namesAlice($0, "/home/alice/.bitfusion") && "\($0)".contains("symbolic link") }
        #expect(fs["/etc/client.yaml"] == nil)
        #expect(fs["/etc/shadow"] == shadow)
        #expect(!fs.journal.contains { $0.hasPrefix("write /etc/client.yaml") || $0.contains("/home/alice") })
    }

    @Test func aBitfusionDirectoryOfAnotherUserIsRefused() throws {
        let fs = guest()
        fs.setDirectory("/home/alice/.bitfusion", owner: FileOwner(user: "bob", group: "bob"), mode: 0o777)
        #expect {
            try PlanApplier(fs: fs, runner: nil).apply(try enroll(fs)) { _, _ in }
        } throws: { namesAlice($0, "/home/alice/.bitfusion") && "\($0)".contains("belongs to user bob") }
        #expect(fs["/home/alice/.bitfusion/client.yaml"] == nil)
    }

    @Test func aClientFileThatIsALinkIsNotWrittenThrough() throws {
        let fs = guest()
        fs.setDirectory("/home/alice/.bitfusion", owner: alice, mode: 0o700)
        fs.setLink("/home/alice/.bitfusion/client.yaml", to: "../../../etc/shadow")
        #expect {
            try fs.writeUnderHome("/home/alice/.bitfusion/client.yaml", Array("x".utf8), mode: 0o600, owner: alice, home: aliceHome)
        } throws: { namesAlice($0, "/home/alice/.bitfusion/client.yaml") && "\($0)".contains("symbolic link") }
        #expect(fs["/etc/shadow"] == shadow)
        #expect(fs.entry("/etc/shadow")?.owner == .root)
    }

    @Test func revokeRemovesALinkItselfAndNeverWhatItPointsTo() throws {
        let fs = guest()
        fs.setDirectory("/home/alice/.bitfusion", owner: alice, mode: 0o700)
        // A dangling link is found too: removing it is what revoking asks.
        fs.setLink("/home/alice/.bitfusion/client.yaml", to: "../../../etc/shadow")
        fs.setLink("/home/alice/.bitfusion/servers.conf", to: "/nowhere")
        let plan = try BitfusionRevokeStep().plan(
            StepContext(spec: clientSpec(token: "t", users: ["alice"]), fs: fs, onHost: false))
        #expect(plan.changes.filter { $0.home == aliceHome }.map(\.path) == [
            "/home/alice/.bitfusion/client.yaml", "/home/alice/.bitfusion/servers.conf",
        ])
        try PlanApplier(fs: fs, runner: nil).apply(plan.changes) { _, _ in }
        #expect(fs.link("/home/alice/.bitfusion/client.yaml") == nil)
        #expect(fs.link("/home/alice/.bitfusion/servers.conf") == nil)
        #expect(fs["/etc/shadow"] == shadow)
    }

    @Test func revokeRefusesALinkedBitfusionDirectory() throws {
        let fs = guest()
        fs.setText("/etc/client.yaml", "not alice's")
        fs.setLink("/home/alice/.bitfusion", to: "/etc")
        #expect {
            try BitfusionRevokeStep().plan(StepContext(spec: clientSpec(token: "t", users: ["alice"]), fs: fs, onHost: false))
        } throws: { namesAlice($0, "/home/alice/.bitfusion") }
        #expect {
            try fs.deleteUnderHome("/home/alice/.bitfusion/client.yaml", home: aliceHome)
        } throws: { namesAlice($0, "/home/alice/.bitfusion") }
        #expect(fs["/etc/client.yaml"] == "not alice's")
    }

    @Test func aWriteOutsideTheHomeOrIntoAMissingHomeIsRefused() throws {
        let fs = guest()
        #expect {
            try fs.writeUnderHome("/etc/passwd", [], mode: 0o644, owner: alice, home: aliceHome)
        } throws: { "\($0)".contains("is not below the home directory /home/alice of user alice") }
        let nobody = UserHome(owner: alice, directory: "/home/nobody")
        #expect {
            try fs.writeUnderHome("/home/nobody/.bitfusion/client.yaml", [], mode: 0o600, owner: alice, home: nobody)
        } throws: { "\($0)".contains("the home directory /home/nobody of user alice") && "\($0)".contains("does not exist") }
        #expect(fs.directory("/home/nobody/.bitfusion") == nil)
    }

    @Test func theClientCheckDoesNotReadAServersConfThatIsALink() throws {
        let fs = guest()
        fs.setDirectory("/home/alice/.bitfusion", owner: alice, mode: 0o700)
        fs.setLink("/home/alice/.bitfusion/servers.conf", to: "/etc/shadow")
        let plan = try BitfusionClientCheckStep().plan(
            StepContext(spec: clientSpec(token: "t", users: ["alice"]), fs: fs, onHost: false))
        let text = plan.diagnostics.map(\.description).joined(separator: "\n")
        #expect(text.contains("read /home/alice/.bitfusion/servers.conf: is a symbolic link in the home of user alice"))
        #expect(!text.contains("secret-hash"))
        #expect(plan.diagnostics.contains { $0.severity == .error })
    }
}

@Suite struct HomeConfinementSecretsTests {
    @Test func aClientYAMLThatIsALinkDoesNotCountAsEnrolled() throws {
        let fs = bitfusionGuest()
        fs.setDirectory("/home/alice/.bitfusion", owner: FileOwner(user: "alice", group: "alice"), mode: 0o700)
        fs.setText("/etc/client.yaml", "anything")
        fs.setLink("/home/alice/.bitfusion/client.yaml", to: "/etc/client.yaml")
        let guestinfo = GuestinfoSecrets(direct: [PropertyKeys.clientAccessToken])
        func plan() throws -> StepPlan {
            try SecretsClearStep().plan(
                StepContext(spec: clientSpec(token: "tok", users: ["alice"]), fs: fs, onHost: false, guestinfo: guestinfo))
        }
        // The token stays in guestinfo: the client has not enrolled with it.
        #expect(try plan().changes.isEmpty)
        // alice's own client.yaml: enrolled, the token is cleared.
        try fs.deleteUnderHome("/home/alice/.bitfusion/client.yaml", home: UserHome(owner: FileOwner(user: "alice", group: "alice"), directory: "/home/alice"))
        fs.setText("/home/alice/.bitfusion/client.yaml", "enrolled")
        #expect(try plan().changes == [.run(step: "secrets-clear", ["vmware-rpctool", "info-set \(PropertyKeys.clientAccessToken)"])])
    }
}
