#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import GuestPrepLinux
import GuestPrepModel
import Testing

private struct InjectedFault: Error {}

/// An owner this process may give files to: root:root as root, else the current ids (numeric
/// names resolve as ids, as with chown(1)).
private let owner = runningAsRoot ? FileOwner.root : FileOwner(user: "\(geteuid())", group: "\(getegid())")

/// Whether `body` throws a `GuestPrepError.io` for `path` and `operation`.
private func throwsIO(path: String, operation: String? = nil, _ body: () throws -> Void) -> Bool {
    do {
        try body()
        return false
    } catch let GuestPrepError.io(failedPath, failedOperation, _) {
        return failedPath == path && (operation == nil || failedOperation == operation)
    } catch {
        return false
    }
}

/// A PCI driver's `unbind` attribute in this machine's sysfs, writable by root; nil when none is.
private let unbindAttribute: String? = {
    guard geteuid() == 0, let drivers = try? RootedFileSystem(root: "/").list("/sys/bus/pci/drivers") else { return nil }
    return drivers.map { "/sys/bus/pci/drivers/\($0)/unbind" }.first { access($0, W_OK) == 0 }
}()

@Suite struct RootedFileSystemTests {
    @Test func writeAttributeWritesInPlaceWithoutCreatingTruncatingOrFollowing() throws {
        let dir = TemporaryDirectory()
        let fs = RootedFileSystem(root: dir.path)
        dir.write("sys/bus/pci/drivers/nouveau/unbind", "old-content")
        try fs.writeAttribute("/sys/bus/pci/drivers/nouveau/unbind", "abc")
        #expect(try fs.readText("/sys/bus/pci/drivers/nouveau/unbind") == "abc-content", "no O_TRUNC: a store sees one write")
        #expect(throwsIO(path: "/sys/bus/pci/drivers/nvidia/unbind", operation: "write") { try fs.writeAttribute("/sys/bus/pci/drivers/nvidia/unbind", "x") })
        #expect(!fs.exists("/sys/bus/pci/drivers/nvidia/unbind"), "nothing is created")
        #expect(symlink(dir.file("sys/bus/pci/drivers/nouveau/unbind"), dir.file("sys/link")) == 0)
        #expect(throwsIO(path: "/sys/link", operation: "write") { try fs.writeAttribute("/sys/link", "zzz") })
        #expect(try fs.readText("/sys/bus/pci/drivers/nouveau/unbind") == "abc-content", "a link at the path is not followed")
    }

    @Test(.enabled(if: unbindAttribute != nil, "needs root and a PCI driver in sysfs"))
    func theKernelsRefusalOfAnUnbindIsTheError() throws {
        let path = try #require(unbindAttribute)
        // No function has this address, so none is bound to the driver: unbind_store says ENODEV.
        do {
            try RootedFileSystem(root: "/").writeAttribute(path, "0000:ff:1f.7")
            Issue.record("the kernel took an unbind of a function that does not exist")
        } catch let GuestPrepError.io(failed, operation, reason) {
            #expect(failed == path && operation == "write" && reason == "No such device")
        }
    }

    @Test func hostPathJoinsUnderTheRoot() {
        #expect(RootedFileSystem(root: "/srv/image/").hostPath("/etc/hostname") == "/srv/image/etc/hostname")
        #expect(RootedFileSystem(root: "/srv/image").hostPath("/etc/hostname") == "/srv/image/etc/hostname")
        #expect(RootedFileSystem(root: "/").hostPath("/etc/hostname") == "/etc/hostname")
        #expect(RootedFileSystem(root: "/srv/image").root == "/srv/image")
    }

    @Test func writeCreatesParentsAndSetsTheModeExactly() throws {
        let dir = TemporaryDirectory()
        let fs = RootedFileSystem(root: dir.path)
        try fs.writeAtomically("/etc/bitfusion/secret.conf", Array("token=x\n".utf8), mode: 0o600, owner: owner)

        let file = try #require(statOf(dir.file("etc/bitfusion/secret.conf")))
        #expect(file.st_mode == 0o100600)
        let parent = try #require(statOf(dir.file("etc/bitfusion")))
        #expect(parent.st_mode == 0o040755)
        #expect(try fs.readText("/etc/bitfusion/secret.conf") == "token=x\n")
        #expect(try fs.mode("/etc/bitfusion/secret.conf") == 0o600)
    }

    @Test func deferredDirectorySyncWritesWholeFilesAndSyncsOnRequest() throws {
        let dir = TemporaryDirectory()
        let fs = RootedFileSystem(root: dir.path)
        try fs.writeAtomically("/etc/a", Array("a\n".utf8), mode: 0o644, owner: owner, syncDirectory: false)
        try fs.writeAtomically("/etc/b", Array("b\n".utf8), mode: 0o644, owner: owner, syncDirectory: false)
        try fs.delete("/etc/a", syncDirectory: false)
        try fs.syncDirectory(of: "/etc/b")
        try fs.syncDirectory(of: "/missing/dir/file")
        #expect(try fs.readText("/etc/b") == "b\n")
        #expect(try fs.read("/etc/a") == nil)
        #expect(try fs.list("/etc") == ["b"])
        #expect(throwsIO(path: "relative", operation: "sync directory") { try fs.syncDirectory(of: "relative") })
    }

    @Test func readsCheckUncleanPathsLikeWrites() throws {
        let dir = TemporaryDirectory()
        let fs = RootedFileSystem(root: dir.path + "//")
        try fs.writeAtomically("/etc/hostname", Array("gpu1\n".utf8), mode: 0o644, owner: owner)
        for path in ["/etc/hostname", "/etc//hostname", "/etc/./hostname", "//etc/hostname"] {
            #expect(try fs.readText(path) == "gpu1\n", "\(path)")
        }
        #expect(try fs.list("/etc/") == ["hostname"])
        #expect(throwsIO(path: "/etc/../etc/hostname", operation: "read") { _ = try fs.read("/etc/../etc/hostname") })
        #expect(throwsIO(path: "/etc/..", operation: "list") { _ = try fs.list("/etc/..") })
        #expect(throwsIO(path: "etc/hostname", operation: "read") { _ = try fs.read("etc/hostname") })
        #expect(!fs.exists("/etc/hostname/.."))
        #expect(try fs.read("/etc/...") == nil, "'...' is a name, not a parent")
    }

    @Test(.enabled(if: runningAsRoot, "needs root (chown clears setuid bits)"))
    func modeIncludingSetuidSurvivesTheChown() throws {
        let dir = TemporaryDirectory()
        let fs = RootedFileSystem(root: dir.path)
        try fs.writeAtomically("/usr/local/bin/tool", Array("#!/bin/true\n".utf8), mode: 0o4755, owner: owner)
        #expect(try fs.mode("/usr/local/bin/tool") == 0o4755)
    }

    @Test func overwriteLeavesNoTemporaryFiles() throws {
        let dir = TemporaryDirectory()
        let fs = RootedFileSystem(root: dir.path)
        try fs.writeAtomically("/etc/hostname", Array("first\n".utf8), mode: 0o644, owner: owner)
        try fs.writeAtomically("/etc/hostname", Array("second\n".utf8), mode: 0o640, owner: owner)
        #expect(dir.names(in: "etc") == ["hostname"])
        #expect(try fs.readText("/etc/hostname") == "second\n")
        #expect(try fs.mode("/etc/hostname") == 0o640)
    }

    @Test func interruptedWriteLeavesTheOldFileIntact() throws {
        let dir = TemporaryDirectory()
        var fs = RootedFileSystem(root: dir.path)
        try fs.writeAtomically("/etc/hostname", Array("old\n".utf8), mode: 0o644, owner: owner)

        let seen = SeenPath()
        fs.faultInjection = { temporary in
            seen.record(temporary)
            // The temp file is complete at this point: the fault strikes just before the rename.
            #expect(statOf(temporary)?.st_size == 4)
            throw InjectedFault()
        }
        #expect(throws: InjectedFault.self) {
            try fs.writeAtomically("/etc/hostname", Array("new\n".utf8), mode: 0o600, owner: owner)
        }
        let temporary = try #require(seen.path)
        #expect(temporary.hasPrefix(dir.file("etc/.hostname.guestprep-")))
        #expect(statOf(temporary) == nil)
        #expect(dir.names(in: "etc") == ["hostname"])
        #expect(try fs.readText("/etc/hostname") == "old\n")
        #expect(try fs.mode("/etc/hostname") == 0o644)
    }

    @Test(arguments: ["etc/hostname", "", "/etc/../hostname", "/..", "/etc/x/../../../escape"])
    func relativeAndDotDotPathsAreRejected(_ path: String) {
        let dir = TemporaryDirectory()
        let fs = RootedFileSystem(root: dir.path + "/root")
        #expect(throwsIO(path: path, operation: "write") {
            try fs.writeAtomically(path, Array("x".utf8), mode: 0o644, owner: owner)
        })
        #expect(throwsIO(path: path, operation: "read") { _ = try fs.read(path) })
        #expect(throwsIO(path: path, operation: "delete") { try fs.delete(path) })
        #expect(throwsIO(path: path) { _ = try fs.list(path) })
        #expect(!fs.exists(path))
        #expect(dir.names(in: "") == [])  // nothing was created, inside the root or beside it
    }

    @Test func dotAndRepeatedSlashesAreIgnored() throws {
        let dir = TemporaryDirectory()
        let fs = RootedFileSystem(root: dir.path)
        try fs.writeAtomically("//etc/./hostname", Array("h\n".utf8), mode: 0o644, owner: owner)
        #expect(try fs.readText("/etc/hostname") == "h\n")
    }

    @Test func symlinkedParentLeadingOutOfTheRootIsRefused() throws {
        let dir = TemporaryDirectory()
        let outside = TemporaryDirectory()
        dir.makeDirectories(dir.file("root"))
        #expect(symlink(outside.path, dir.file("root/etc")) == 0)
        let fs = RootedFileSystem(root: dir.file("root"))

        #expect(throwsIO(path: "/etc/hostname", operation: "write") {
            try fs.writeAtomically("/etc/hostname", Array("x".utf8), mode: 0o644, owner: owner)
        })
        #expect(throwsIO(path: "/etc/new/dir/file", operation: "write") {
            try fs.writeAtomically("/etc/new/dir/file", Array("x".utf8), mode: 0o644, owner: owner)
        })
        #expect(outside.names(in: "") == [])  // no file, no directory made outside

        outside.write("victim", "keep me")
        #expect(throwsIO(path: "/etc/victim") { try fs.delete("/etc/victim") })
        #expect(outside.names(in: "") == ["victim"])
    }

    @Test func absoluteSymlinkInAnImageIsRefusedForWrites() throws {
        // In a guest image /var/run -> /run means the image's /run, but the kernel would follow it
        // to the host's /run: that must not be written through.
        let dir = TemporaryDirectory()
        dir.makeDirectories(dir.file("var"))
        #expect(symlink("/run", dir.file("var/run")) == 0)
        let fs = RootedFileSystem(root: dir.path)
        #expect(throwsIO(path: "/var/run/guestprep-test-must-not-exist", operation: "write") {
            try fs.writeAtomically("/var/run/guestprep-test-must-not-exist", [], mode: 0o644, owner: owner)
        })
        #expect(statOf("/run/guestprep-test-must-not-exist") == nil)
    }

    @Test func symlinkedParentInsideTheRootIsFollowed() throws {
        let dir = TemporaryDirectory()
        dir.makeDirectories(dir.file("run"))
        dir.makeDirectories(dir.file("var"))
        #expect(symlink("../run", dir.file("var/run")) == 0)
        let fs = RootedFileSystem(root: dir.path)
        try fs.writeAtomically("/var/run/guestprep/state", Array("s".utf8), mode: 0o644, owner: owner)
        #expect(statOf(dir.file("run/guestprep/state"))?.st_size == 1)
    }

    @Test(.enabled(if: runningAsRoot, "needs root to chown"))
    func ownerIsResolvedFromTheRootsOwnAccountFiles() throws {
        let dir = TemporaryDirectory()
        // Ids that surely name no account of the host running the test.
        dir.write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n# comment\nbitfusion:x:43210:43211::/home/bitfusion:/bin/false\n")
        dir.write("etc/group", "root:x:0:\nbitfusion:x:43211:\nvideo:x:43244:bitfusion\n")
        let fs = RootedFileSystem(root: dir.path)

        try fs.writeAtomically("/etc/bitfusion/client.conf", Array("c".utf8), mode: 0o640,
                               owner: FileOwner(user: "bitfusion", group: "video"))
        let info = try #require(statOf(dir.file("etc/bitfusion/client.conf")))
        #expect(info.st_uid == 43210)
        #expect(info.st_gid == 43244)
        #expect(info.st_mode == 0o100640)

        try fs.writeAtomically("/etc/numeric", [], mode: 0o644, owner: FileOwner(user: "4321", group: "bitfusion"))
        #expect(statOf(dir.file("etc/numeric"))?.st_uid == 4321)
        #expect(statOf(dir.file("etc/numeric"))?.st_gid == 43211)

        #expect(throwsIO(path: "/etc/other", operation: "chown") {
            try fs.writeAtomically("/etc/other", [], mode: 0o644, owner: FileOwner(user: "nobody-here", group: "root"))
        })
        #expect(statOf(dir.file("etc/other")) == nil)
        #expect(dir.names(in: "etc") == ["bitfusion", "group", "numeric", "passwd"])
    }

    @Test func rootOwnerNeedsNoAccountFiles() throws {
        let dir = TemporaryDirectory()
        let fs = RootedFileSystem(root: dir.path)
        if runningAsRoot {
            try fs.writeAtomically("/etc/hostname", [], mode: 0o644, owner: .root)
            #expect(statOf(dir.file("etc/hostname"))?.st_uid == 0)
            #expect(statOf(dir.file("etc/hostname"))?.st_gid == 0)
        } else {
            // Not root: giving a file to root cannot be done, and must not be skipped silently.
            #expect(throwsIO(path: "/etc/hostname", operation: "chown") {
                try fs.writeAtomically("/etc/hostname", [], mode: 0o644, owner: .root)
            })
        }
    }

    @Test func deleteRemovesAndToleratesMissingFiles() throws {
        let dir = TemporaryDirectory()
        dir.write("etc/modprobe.d/old.conf", "x")
        let fs = RootedFileSystem(root: dir.path)
        try fs.delete("/etc/modprobe.d/old.conf")
        #expect(statOf(dir.file("etc/modprobe.d/old.conf")) == nil)
        try fs.delete("/etc/modprobe.d/old.conf")
        try fs.delete("/no/such/directory/file")
        #expect(statOf(dir.file("no")) == nil)  // deleting creates nothing
    }

    @Test func readingFunctions() throws {
        let dir = TemporaryDirectory()
        dir.write("etc/os-release", "ID=debian\n", mode: 0o640)
        dir.write("sys/class/net/eth0/address", "00:50:56:aa:bb:cc\n")
        dir.write("iso", "0123456789")
        #expect(symlink("../../devices/pci0000:00/net/eth0", dir.file("sys/class/net/link0")) == 0)
        #expect(symlink("/etc/os-release", dir.file("hostlink")) == 0)
        let fs = RootedFileSystem(root: dir.path)

        #expect(try fs.read("/missing") == nil)
        #expect(try fs.read("/etc/os-release/below-a-file") == nil)
        #expect(try fs.readText("/etc/os-release") == "ID=debian\n")
        #expect(throwsIO(path: "/etc", operation: "read") { _ = try fs.read("/etc") })

        #expect(try fs.readRange("/iso", offset: 2, limit: 3) == Array("234".utf8))
        #expect(try fs.readRange("/iso", offset: 8, limit: 10) == Array("89".utf8))
        #expect(try fs.readRange("/iso", offset: 20, limit: 10) == [])
        #expect(try fs.readRange("/missing", offset: 0, limit: 1) == nil)
        // A device file, read with pread like a block device would be.
        #expect(try RootedFileSystem(root: "/").readRange("/dev/zero", offset: 1 << 40, limit: 4) == [0, 0, 0, 0])

        #expect(try fs.list("/") == ["etc", "hostlink", "iso", "sys"])
        #expect(try fs.list("/sys/class/net") == ["eth0", "link0"])
        #expect(try fs.list("/missing") == nil)

        #expect(try fs.mode("/etc/os-release") == 0o640)
        #expect(try fs.mode("/missing") == nil)

        #expect(try fs.readLink("/sys/class/net/link0") == "../../devices/pci0000:00/net/eth0")
        #expect(try fs.readLink("/etc/os-release") == nil)
        #expect(try fs.readLink("/missing") == nil)

        #expect(fs.exists("/etc"))
        #expect(fs.exists("/etc/os-release"))
        #expect(!fs.exists("/missing"))
        #expect(!fs.exists("/sys/class/net/link0"))  // follows the link, whose target is missing
    }

    /// A link target longer than the first buffer (256 bytes) is read whole.
    @Test func readLinkReadsALongTargetWhole() throws {
        let dir = TemporaryDirectory()
        let target = "../" + String(repeating: "d", count: 200) + "/" + String(repeating: "e", count: 200)
        #expect(symlink(target, dir.file("long")) == 0)
        #expect(try RootedFileSystem(root: dir.path).readLink("/long") == target)
    }
}

/// Records the path the fault hook saw.
private final class SeenPath: @unchecked Sendable {
    var path: String?
    func record(_ path: String) { self.path = path }
}
