#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import GuestPrepModel
import Testing

@testable import GuestPrepLinux

/// What a write killed half-way leaves is cleaned up by the next write of the same name, and a
/// directory guestprep creates appears whole (Tests/BlackBoxTests/CrashConsistencyTests.swift
/// kills real runs; these pin the pieces).
@Suite struct InterruptedWriteTests {
    private let owner = geteuid() == 0 ? FileOwner.root : FileOwner(user: "\(geteuid())", group: "\(getegid())")

    @Test func tempNamesAreTheTargetsWithSixLettersOrDigits() {
        #expect(TemporaryNames.prefix(of: "hostname") == ".hostname.guestprep-")
        #expect(TemporaryNames.isTemporary(".hostname.guestprep-Ab12Cd", of: "hostname"))
        #expect(TemporaryNames.isTemporary(".hostname.guestprep-" + TemporaryNames.suffix(), of: "hostname"))
        #expect(!TemporaryNames.isTemporary(".hostname.guestprep-Ab12C", of: "hostname"))
        #expect(!TemporaryNames.isTemporary(".hostname.guestprep-Ab12Cde", of: "hostname"))
        #expect(!TemporaryNames.isTemporary(".hostname.guestprep-Ab12C!", of: "hostname"))
        #expect(!TemporaryNames.isTemporary(".hosts.guestprep-Ab12Cd", of: "hostname"))
        #expect(!TemporaryNames.isTemporary("hostname", of: "hostname"))
        // A long name is cut to 200 bytes in the temp name, so it stays within NAME_MAX.
        let long = Substring(String(repeating: "n", count: 300))
        #expect(TemporaryNames.prefix(of: long).utf8.count == 1 + 200 + ".guestprep-".utf8.count)
    }

    @Test func aWriteRemovesTheLeftoversOfAKilledWriteOfTheSameNameOnly() throws {
        let dir = TemporaryDirectory()
        dir.write("etc/.hostname.guestprep-Ab12Cd", "half a hostn")
        dir.makeDirectories(dir.file("etc/.hostname.guestprep-Zz99zz"))
        for kept in [".hostname.guestprep-Ab12C", ".hosts.guestprep-Ab12Cd", "hostname.guestprep-Ab12Cd", "hosts"] {
            dir.write("etc/" + kept, "kept\n")
        }
        try RootedFileSystem(root: dir.path).writeAtomically("/etc/hostname", Array("vm\n".utf8), mode: 0o644, owner: owner)
        #expect(
            dir.names(in: "etc") == [
                ".hostname.guestprep-Ab12C", ".hosts.guestprep-Ab12Cd", "hostname", "hostname.guestprep-Ab12Cd", "hosts",
            ])
    }

    /// A directory made by a killed run under its temp name (always empty: nothing goes in
    /// before the rename) is removed when the directory is made again.
    @Test func newDirectoriesAre0755AndLeaveNoTempDirectory() throws {
        let dir = TemporaryDirectory()
        dir.makeDirectories(dir.file("etc/.network.guestprep-Q1w2E3"))
        try RootedFileSystem(root: dir.path).writeAtomically(
            "/etc/network/sub/file", Array("x\n".utf8), mode: 0o600, owner: owner)
        #expect(dir.names(in: "etc") == ["network"])
        #expect(dir.names(in: "etc/network") == ["sub"])
        #expect(dir.names(in: "etc/network/sub") == ["file"])
        for path in ["etc/network", "etc/network/sub"] {
            var info = stat()
            #expect(lstat(dir.file(path), &info) == 0)
            #expect(info.st_mode & S_IFMT == S_IFDIR && info.st_mode & 0o7777 == 0o755, "\(path)")
        }
    }

    /// A leftover directory that is not empty is not ours to remove: rmdir leaves it.
    @Test func aNonEmptyDirectoryWithATempNameIsLeftAlone() throws {
        let dir = TemporaryDirectory()
        dir.write("etc/.network.guestprep-Q1w2E3/keep", "x")
        try RootedFileSystem(root: dir.path).writeAtomically("/etc/network/file", Array("x\n".utf8), mode: 0o644, owner: owner)
        #expect(dir.names(in: "etc") == [".network.guestprep-Q1w2E3", "network"])
    }
}
