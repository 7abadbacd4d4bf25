import Foundation
import Testing

/// Without /proc (a bare `chroot ROOT guestprep run`) the Swift runtime cannot find argv; the
/// binary must refuse with exit 2 and say how to fix it, not print the help and exit 0.
@Suite struct NoProcTests {
    static let canHideProc = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")
    static let cannotHideProc: Comment =
        "needs root and unshare (util-linux), to mount an empty tmpfs over /proc in a mount namespace of the child's own"

    /// Runs `guestprep ARGUMENTS` with an empty tmpfs over /proc, in a mount namespace of its own
    /// (the machine's /proc is untouched): what a chroot without /proc mounted looks like to it.
    private func runWithoutProc(_ arguments: [String]) throws -> GuestPrepBinary.Result {
        try GuestPrepBinary.runInPrivateMountNamespace(after: "mount -t tmpfs none /proc", arguments)
    }

    @Test(.enabled(if: canHideProc, cannotHideProc))
    func withoutProcARunIsRefusedWithExit2AndTheFix() throws {
        let scratch = try TemporaryDirectory()
        let result = try runWithoutProc(["run", "--root", scratch.path])
        #expect(result.status == 2, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        #expect(result.stderr.contains("/proc is not mounted"), "\(result.stderr)")
        #expect(result.stderr.contains("mount -t proc proc ROOT/proc"))
        #expect(result.stderr.contains("--root ROOT"))
        #expect(!result.stdout.contains("USAGE"), "no help as if nothing had been asked")
        #expect(TemporaryDirectory.snapshot(scratch.url).isEmpty, "nothing done")
    }

    @Test func withProcHelpStillExits0() throws {
        let result = try GuestPrepBinary.run(["--help"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("USAGE: guestprep <subcommand>"))
        #expect(!result.stderr.contains("/proc is not mounted"))
    }
}
