import Foundation
import Testing

/// libarchive is loaded on first use (carchive_loader.h): a run that reads no archive and no
/// ISO image never loads it, and where it cannot be loaded, reading one is an error that names
/// the source and the package to install, not a crash.
@Suite struct ArchiveLibraryTests {
    static let isoFixture = GuestPrepBinary.packageRoot.appendingPathComponent("Tests/GuestPrepConfigTests/Fixtures/iso/ovf-joliet-rr.iso").path
    static let xmlFixture = GuestPrepBinary.packageRoot.appendingPathComponent("Tests/GuestPrepConfigTests/Fixtures/iso/ovf-env.xml").path
    static let tokenFixture = GuestPrepBinary.packageRoot.appendingPathComponent(
        "Tests/GuestPrepConfigTests/Fixtures/bitfusion/client-token.tar.gz")

    /// libarchive.so.13 as the dynamic loader finds it on this machine.
    static let library: String? = {
        for directory in ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"] {
            let path = directory + "/libarchive.so.13"
            if FileManager.default.fileExists(atPath: path) { return URL(fileURLWithPath: path).resolvingSymlinksInPath().path }
        }
        return nil
    }()
    static let canHideLibrary = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") && library != nil
    static let cannotHideLibrary: Comment =
        "needs root, unshare (util-linux) and libarchive.so.13 installed, to bind /dev/null over the library in a mount namespace of its own"

    /// The libraries the dynamic loader loads during a run, as LD_DEBUG=libs reports them.
    private func loadedLibraries(_ arguments: [String]) throws -> String {
        let result = try GuestPrepBinary.run(arguments, environment: ["LD_DEBUG": "libs"])
        return result.stderr
    }

    @Test func aRunWithoutAnArchiveNeverLoadsLibarchive() throws {
        let plain = try loadedLibraries(["properties", "--source", "ovf:\(Self.xmlFixture)"])
        #expect(plain.contains("calling init"), "LD_DEBUG=libs reported nothing: \(plain.prefix(500))")
        #expect(!plain.contains("libarchive.so.13"))
        // The ISO image needs it, and loads it then.
        let iso = try loadedLibraries(["properties", "--source", "ovf:\(Self.isoFixture)"])
        #expect(iso.contains("libarchive.so.13"))
    }

    /// Runs `guestprep ARGUMENTS` with libarchive.so.13 unloadable: /dev/null bound over it in a
    /// mount namespace of the child's own, so the machine's library is untouched.
    private func runWithoutLibarchive(_ arguments: [String]) throws -> GuestPrepBinary.Result {
        try GuestPrepBinary.runInPrivateMountNamespace(after: "mount --bind /dev/null '\(Self.library!)'", arguments)
    }

    @Test(.enabled(if: canHideLibrary, cannotHideLibrary))
    func withoutLibarchiveAnISOIsAnErrorNamingTheSourceAndThePackage() throws {
        let result = try runWithoutLibarchive(["properties", "--source", "ovf:\(Self.isoFixture)"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("source ovf:\(Self.isoFixture): the ISO image cannot be read: libarchive.so.13"))
        #expect(result.stderr.contains("install libarchive13"))
        // Without an ISO image, nothing needs it.
        let plain = try runWithoutLibarchive(["properties", "--source", "ovf:\(Self.xmlFixture)"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("bf-iso-01"))
    }

    @Test(.enabled(if: canHideLibrary, cannotHideLibrary))
    func withoutLibarchiveATokenArchiveIsAnErrorOnItsKey() throws {
        let scratch = try TemporaryDirectory()
        let token = try Data(contentsOf: Self.tokenFixture).base64EncodedString()
        let properties = scratch.url.appendingPathComponent("props.env")
        try Data("guestinfo.guestprep.bitfusion.token-archive=\(token)\n".utf8).write(to: properties)
        let result = try runWithoutLibarchive(["validate", "--root", scratch.path, "--source", "file:\(properties.path)"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("guestinfo.guestprep.bitfusion.token-archive"))
        #expect(result.stderr.contains("the Bitfusion token archive: libarchive.so.13"))
        #expect(result.stderr.contains("install libarchive13"))
    }
}
