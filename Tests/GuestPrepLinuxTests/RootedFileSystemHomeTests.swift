#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepConfig
import GuestPrepCore
import GuestPrepLinux
import GuestPrepModel
import Testing

/// Root's writes, chowns and deletes below a Bitfusion user's home, on disk with real links
/// (issue 18, item 2): the client step's changes applied to a fixture root where alice made
/// ~/.bitfusion or one of its files a link, or where ~/.bitfusion is another user's.
@Suite struct RootedFileSystemHomeTests {
    /// alice's ids: 1000:1000 as root; the test's own ids otherwise (only root can chown).
    static let aliceUID = runningAsRoot ? uid_t(1000) : geteuid()
    static let aliceGID = runningAsRoot ? gid_t(1000) : getegid()
    static let shadow = "root:$6$not-to-be-touched:20000:0:99999:7:::\n"
    static let credential = "credential-of-alice-93c1"

    /// A guest root with alice's home (root's, as useradd leaves a home's parent), /etc/shadow
    /// (0640) and /etc/servers.conf, a file a redirected delete would remove.
    func fixture() -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        dir.write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:\(Self.aliceUID):\(Self.aliceGID):Alice:/home/alice:/bin/bash\n")
        dir.write("etc/group", "root:x:0:\nalice:x:\(Self.aliceGID):\n")
        dir.write("etc/shadow", Self.shadow, mode: 0o640)
        dir.write("etc/servers.conf", "10.9.9.9\n")
        dir.makeDirectories(dir.file("home/alice"))
        return dir
    }

    func archive() -> TokenArchive {
        TokenArchive(
            caCertificate: Array("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8),
            clientYAML: SecretBytes(Array("token: \(Self.credential)\n".utf8)), serversConf: Array("10.0.0.5\n".utf8),
            servers: [BitfusionServerAddress(address: IPv4Address("10.0.0.5")!, port: 56001)])
    }

    /// What the client step plans for alice: the archive's files in her ~/.bitfusion.
    func enrollment(_ fs: RootedFileSystem) throws -> [Change] {
        var spec = GuestSpec()
        spec.client = ClientEnrollment(accessToken: nil, archive: .decoded(archive()))
        spec.bitfusion.users = ["alice"]
        return try BitfusionClientStep().plan(StepContext(spec: spec, fs: fs, onHost: false, instance: "i-1")).changes
    }

    func revocation(_ fs: RootedFileSystem) throws -> [Change] {
        var spec = GuestSpec()
        spec.bitfusion.users = ["alice"]
        return try BitfusionRevokeStep().plan(StepContext(spec: spec, fs: fs, onHost: false)).changes
    }

    func apply(_ changes: [Change], _ fs: RootedFileSystem) throws {
        try PlanApplier(fs: fs, runner: nil).apply(changes) { _, _ in }
    }

    /// Whether `body` throws an error whose text names alice and `path`.
    func refusesNamingAlice(_ path: String, _ body: () throws -> Void) -> Bool {
        do {
            try body()
            return false
        } catch {
            return "\(error)".contains("user alice") && "\(error)".contains(path)
        }
    }

    func read(_ path: String) -> String? {
        guard let fd = Optional(open(path, O_RDONLY)), fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = Glibc.read(fd, &bytes, bytes.count)
        return count < 0 ? nil : String(decoding: bytes[0..<count], as: UTF8.self)
    }

    /// /etc as the fixture made it: shadow's text, mode and owner, servers.conf, and nothing new
    /// but the step's own /etc/bitfusion (ca.crt).
    func etcIsUntouched(_ dir: TemporaryDirectory) -> Bool {
        let shadow = statOf(dir.file("etc/shadow"))
        return read(dir.file("etc/shadow")) == Self.shadow && shadow?.st_mode == 0o100640 && shadow?.st_uid == geteuid()
            && read(dir.file("etc/servers.conf")) == "10.9.9.9\n"
            && dir.names(in: "etc").filter { $0 != "bitfusion" } == ["group", "passwd", "servers.conf", "shadow"]
    }

    @Test func aBitfusionDirectoryLinkedToEtcIsRefusedAndNothingLandsInEtc() throws {
        let dir = fixture()
        let fs = RootedFileSystem(root: dir.path)
        let changes = try enrollment(fs)
        // alice makes ~/.bitfusion a link to /etc (inside the root) after the plan was made.
        #expect(symlink("../../etc", dir.file("home/alice/.bitfusion")) == 0)
        #expect(refusesNamingAlice("/home/alice/.bitfusion") { try apply(changes, fs) })
        #expect(etcIsUntouched(dir))
        // Planned again, the link is refused before anything is changed.
        #expect(refusesNamingAlice("/home/alice/.bitfusion") { _ = try enrollment(fs) })
        // A delete through it is refused too: /etc/servers.conf stays.
        #expect(refusesNamingAlice("/home/alice/.bitfusion") { _ = try revocation(fs) })
        let home = UserHome(owner: FileOwner(user: "alice", group: "alice"), directory: "/home/alice")
        #expect(refusesNamingAlice("/home/alice/.bitfusion") { try fs.deleteUnderHome("/home/alice/.bitfusion/servers.conf", home: home) })
        #expect(etcIsUntouched(dir))
    }

    @Test func aClientFileLinkedToShadowIsNeitherWrittenNorChownedThroughAndRevokeRemovesTheLinkOnly() throws {
        let dir = fixture()
        let fs = RootedFileSystem(root: dir.path)
        #expect(mkdir(dir.file("home/alice/.bitfusion"), 0o700) == 0)
        #expect(chown(dir.file("home/alice/.bitfusion"), Self.aliceUID, Self.aliceGID) == 0)
        #expect(symlink("../../../etc/shadow", dir.file("home/alice/.bitfusion/client.yaml")) == 0)
        #expect(refusesNamingAlice("/home/alice/.bitfusion/client.yaml") { try apply(try enrollment(fs), fs) })
        #expect(etcIsUntouched(dir))
        #expect(read(dir.file("home/alice/.bitfusion/client.yaml")) == Self.shadow)  // the link is still there

        let revoke = try revocation(fs)
        #expect(revoke.compactMap(\.path).contains("/home/alice/.bitfusion/client.yaml"))
        try apply(revoke, fs)
        #expect(statOf(dir.file("home/alice/.bitfusion/client.yaml")) == nil)
        #expect(etcIsUntouched(dir))
    }

    @Test func theClientCheckReadsNoServersConfThroughALinkNorFromAFIFO() throws {
        let dir = fixture()
        let fs = RootedFileSystem(root: dir.path)
        #expect(mkdir(dir.file("home/alice/.bitfusion"), 0o700) == 0)
        #expect(chown(dir.file("home/alice/.bitfusion"), Self.aliceUID, Self.aliceGID) == 0)
        #expect(symlink("../../../etc/shadow", dir.file("home/alice/.bitfusion/servers.conf")) == 0)
        var spec = GuestSpec()
        spec.bitfusion.users = ["alice"]
        func findings() throws -> String {
            try BitfusionClientCheckStep().plan(StepContext(spec: spec, fs: fs, onHost: false)).diagnostics
                .map(\.description).joined(separator: "\n")
        }
        let linked = try findings()
        #expect(linked.contains("/home/alice/.bitfusion/servers.conf") && linked.contains("user alice") && linked.contains("symbolic link"))
        #expect(!linked.contains("not-to-be-touched"))  // nothing of /etc/shadow is quoted
        // A FIFO would stall an open for reading: refused at once.
        #expect(unlink(dir.file("home/alice/.bitfusion/servers.conf")) == 0)
        #expect(mkfifo(dir.file("home/alice/.bitfusion/servers.conf"), 0o644) == 0)
        #expect(try findings().contains("is not a regular file (in the home of user alice)"))
    }

    @Test(.enabled(if: runningAsRoot, "needs root to give ~/.bitfusion to another uid"))
    func aBitfusionDirectoryOfAnotherUidIsRefused() throws {
        let dir = fixture()
        let fs = RootedFileSystem(root: dir.path)
        #expect(mkdir(dir.file("home/alice/.bitfusion"), 0o777) == 0)
        #expect(chown(dir.file("home/alice/.bitfusion"), 1001, 1001) == 0)
        #expect(refusesNamingAlice("/home/alice/.bitfusion") { try apply(try enrollment(fs), fs) })
        do {
            try apply(try enrollment(fs), fs)
        } catch {
            #expect("\(error)".contains("belongs to uid 1001"))
        }
        #expect(dir.names(in: "home/alice/.bitfusion").isEmpty)
        #expect(statOf(dir.file("home/alice/.bitfusion"))?.st_uid == 1001)
    }

    @Test func aMissingBitfusionDirectoryIsMadeForTheUserAndTheFilesAreTheirs() throws {
        let dir = fixture()
        let fs = RootedFileSystem(root: dir.path)
        try apply(try enrollment(fs), fs)
        let directory = try #require(statOf(dir.file("home/alice/.bitfusion")))
        #expect(directory.st_mode == 0o040700 && directory.st_uid == Self.aliceUID && directory.st_gid == Self.aliceGID)
        let client = try #require(statOf(dir.file("home/alice/.bitfusion/client.yaml")))
        #expect(client.st_mode == 0o100600 && client.st_uid == Self.aliceUID)
        #expect(read(dir.file("home/alice/.bitfusion/client.yaml")) == "token: \(Self.credential)\n")
        #expect(statOf(dir.file("home/alice/.bitfusion/servers.conf"))?.st_mode == 0o100644)
        #expect(dir.names(in: "home/alice/.bitfusion") == ["client.yaml", "servers.conf"])  // no temp file left
        #expect(etcIsUntouched(dir))
    }

    @Test func aHomeThatLeadsOutOfTheRootIsRefused() throws {
        let dir = fixture()
        let outside = TemporaryDirectory()
        let fs = RootedFileSystem(root: dir.path)
        let changes = try enrollment(fs)
        #expect(rmdir(dir.file("home/alice")) == 0)
        #expect(symlink(outside.path, dir.file("home/alice")) == 0)
        #expect(refusesNamingAlice("/home/alice") { try apply(changes, fs) })
        #expect(outside.names(in: "").isEmpty)
    }

    @Test func aMissingHomeIsAnErrorThatNamesTheUser() throws {
        let dir = fixture()
        #expect(rmdir(dir.file("home/alice")) == 0)
        let fs = RootedFileSystem(root: dir.path)
        #expect(refusesNamingAlice("/home/alice") { try apply(try enrollment(fs), fs) })
        #expect(statOf(dir.file("home/alice")) == nil)
    }

    /// On the running system (root `/`): a temp directory stands for the home of the system's
    /// `nobody`, so that no real user's home is touched.
    @Test(.enabled(if: runningAsRoot && getpwnam("nobody") != nil, "needs root and the system user nobody"))
    func onTheRealRootNothingOutsideTheHomeIsTouched() throws {
        let parent = TemporaryDirectory()
        let outside = TemporaryDirectory()
        outside.write("client.yaml", "outside\n")
        let nobody = getpwnam("nobody")!.pointee
        let owner = FileOwner(user: "nobody", group: "\(nobody.pw_gid)")
        parent.makeDirectories(parent.file("home"))
        let home = UserHome(owner: owner, directory: parent.file("home"))
        let fs = RootedFileSystem(root: "/")
        let target = parent.file("home/.bitfusion/client.yaml")
        func write() throws { try fs.writeUnderHome(target, Array("new\n".utf8), mode: 0o600, owner: owner, home: home) }

        #expect(symlink(outside.path, parent.file("home/.bitfusion")) == 0)
        #expect {
            try write()
        } throws: { "\($0)".contains("user nobody") && "\($0)".contains(parent.file("home/.bitfusion")) }
        #expect(read(outside.file("client.yaml")) == "outside\n")
        #expect(statOf(outside.file("client.yaml"))?.st_uid == 0)

        #expect(unlink(parent.file("home/.bitfusion")) == 0)
        #expect(mkdir(parent.file("home/.bitfusion"), 0o755) == 0)  // root's, not nobody's
        #expect { try write() } throws: { "\($0)".contains("user nobody") && "\($0)".contains("belongs to uid 0") }

        #expect(rmdir(parent.file("home/.bitfusion")) == 0)
        try write()
        #expect(statOf(parent.file("home/.bitfusion"))?.st_uid == nobody.pw_uid)
        #expect(statOf(target)?.st_uid == nobody.pw_uid)
        #expect(read(target) == "new\n")
    }
}
