import Foundation
import GuestPrepConfig
import GuestPrepModel
import Testing

/// Builds ISO images with genisoimage, when it is installed.
enum ISOBuilder {
    static let genisoimage = "/usr/bin/genisoimage"
    static let available = FileManager.default.isExecutableFile(atPath: genisoimage)
    static let skipReason: Comment =
        "genisoimage is not installed at /usr/bin/genisoimage (apt-get install genisoimage)"

    /// An image of a directory holding `files`, made with genisoimage and `options`.
    static func image(_ files: [String: String], options: [String]) throws -> [UInt8] {
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("guestprep-iso-\(UUID().uuidString)")
        let content = temporary.appendingPathComponent("content")
        try FileManager.default.createDirectory(at: content, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        for (name, text) in files {
            try Data(text.utf8).write(to: content.appendingPathComponent(name))
        }
        let output = temporary.appendingPathComponent("image.iso")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: genisoimage)
        process.arguments = ["-quiet"] + options + ["-V", "OVF-ENV", "-o", output.path, content.path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "genisoimage \(options) failed")
        return [UInt8](try Data(contentsOf: output))
    }
}

@Suite struct ISO9660ReaderTests {
    private static let environment =
        #"<Environment xmlns="http://schemas.dmtf.org/ovf/environment/1" "#
        + #"xmlns:oe="http://schemas.dmtf.org/ovf/environment/1"><PropertySection>"#
        + #"<Property oe:key="guestinfo.bitfusion.host.hostname" oe:value="bf-iso"/></PropertySection></Environment>"#

    /// A reader over bytes in memory that returns fewer bytes at the end, as a file does.
    private static func reader(_ image: [UInt8]) -> ISO9660Reader {
        ISO9660Reader { offset, length in
            guard offset < UInt64(image.count) else { return [] }
            let start = Int(offset)
            return Array(image[start..<min(start + length, image.count)])
        }
    }

    private static func message(_ image: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> String
    {
        FixtureSupport.malformedMessage("ISO 9660 image", sourceLocation: sourceLocation) {
            try reader(image).findOVFEnvironment()
        } ?? ""
    }

    @Test func reportsWhetherGenisoimageIsAvailable() {
        if !ISOBuilder.available {
            print("ISO9660ReaderTests: skipping the genisoimage tests: \(ISOBuilder.skipReason)")
        }
        #expect(Bool(true))
    }

    // MARK: The committed fixture (needs no tool)

    @Test func readsTheCommittedJolietRockRidgeFixture() throws {
        let reader = Self.reader(try FixtureSupport.bytes("ovf-joliet-rr.iso"))
        let bytes = try #require(try reader.findOVFEnvironment())
        let environment = try OVFEnvironmentDecoder.decode(bytes)
        #expect(environment.properties.first?.value == "bf-iso-01")
        #expect(environment.adapters.map(\.mac) == ["00:50:56:8a:3b:10"])
        #expect(try reader.listRootDirectory().sorted() == ["README.TXT", "ovf-env.xml"])
    }

    @Test func readsThroughAnyReadAtErrorUnchanged() throws {
        struct DeviceGone: Error {}
        let reader = ISO9660Reader { _, _ in throw DeviceGone() }
        #expect(throws: DeviceGone.self) { try reader.findOVFEnvironment() }
    }

    @Test func rejectsANonISOFile() {
        #expect(
            Self.message(Array(repeating: 0x41, count: 40_000)).contains(
                "ISO 9660 image: not an ISO 9660 image: it has no \"CD001\" signature at sector 16"))
        #expect(
            Self.message(Array("<Environment/>".utf8)).contains(
                "not an ISO 9660 image: it is too small to hold a volume descriptor at sector 16"))
    }

    @Test func rejectsATruncatedImage() throws {
        let image = try FixtureSupport.bytes("ovf-joliet-rr.iso")
        let text = Self.message(Array(image.prefix(20 * 2048)))
        #expect(text.contains("the image is truncated"))
    }

    @Test func rejectsARootDirectoryBeyondTheVolume() throws {
        var image = try FixtureSupport.bytes("ovf-joliet-rr.iso")
        // The root directory record of every volume descriptor: extent at byte 156 + 2.
        for sector in [16, 17] {
            image.replaceSubrange((sector * 2048 + 158)..<(sector * 2048 + 162), with: [0, 0, 0, 0x10])
        }
        let text = Self.message(image)
        #expect(text.contains("beyond the end of the volume"))
        #expect(text.contains("the image is corrupt"))
    }

    @Test func rejectsAHugeRootDirectory() throws {
        var image = try FixtureSupport.bytes("ovf-joliet-rr.iso")
        for sector in [16, 17] {
            image.replaceSubrange((sector * 2048 + 166)..<(sector * 2048 + 170), with: [0, 0, 0, 0x40])
        }
        #expect(Self.message(image).contains("bytes; refusing more than 1048576 (the image is corrupt)"))
    }

    @Test func rejectsAnOversizedFile() throws {
        var image = try FixtureSupport.bytes("ovf-joliet-rr.iso")
        let name = Array("ovf-env.xml".utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] })
        let at = try #require(image.firstRange(of: name)).lowerBound - 33
        image.replaceSubrange((at + 10)..<(at + 14), with: [0, 0, 0x20, 0])  // 2 MiB
        #expect(
            Self.message(image).contains(
                "ovf-env.xml is 2097152 bytes; refusing to read more than 1048576 bytes"))
    }

    @Test func rejectsABadBlockSize() throws {
        var image = try FixtureSupport.bytes("ovf-joliet-rr.iso")
        image.replaceSubrange((16 * 2048 + 128)..<(16 * 2048 + 130), with: [0x00, 0x03])
        #expect(
            Self.message(image).contains("the logical block size is 768; ISO 9660 allows 512, 1024 or 2048"))
    }

    @Test func rejectsAMissingTerminator() throws {
        var image = try FixtureSupport.bytes("ovf-joliet-rr.iso")
        // Overwrite every descriptor after the primary one with garbage.
        for sector in 17..<20 {
            image.replaceSubrange((sector * 2048)..<(sector * 2048 + 6), with: [0, 0, 0, 0, 0, 0])
        }
        #expect(
            Self.message(image).contains(
                "the volume descriptor at sector 17 has no \"CD001\" signature and no terminator came before it"
            ))
    }

    // MARK: Images built with genisoimage

    @Test(.enabled(if: ISOBuilder.available, ISOBuilder.skipReason))
    func plainISO9660FindsTheMangledName() throws {
        let image = try ISOBuilder.image(["ovf-env.xml": Self.environment], options: [])
        let reader = Self.reader(image)
        #expect(try reader.listRootDirectory() == ["OVF_ENV.XML"])
        #expect(try reader.findOVFEnvironment() == Array(Self.environment.utf8))
    }

    @Test(
        .enabled(if: ISOBuilder.available, ISOBuilder.skipReason),
        arguments: [["-J"], ["-R"], ["-J", "-R"], []])
    func findsEveryNameVariant(options: [String]) throws {
        for name in ["ovf-env.xml", "OVF-ENV.XML", "ovf_env.xml", "Ovf-Env.Xml"] {
            let image = try ISOBuilder.image([name: Self.environment, "other.txt": "x"], options: options)
            let found = try Self.reader(image).findOVFEnvironment()
            #expect(found == Array(Self.environment.utf8), "\(name) with \(options)")
        }
    }

    @Test(.enabled(if: ISOBuilder.available, ISOBuilder.skipReason))
    func jolietNamesArePreferred() throws {
        let image = try ISOBuilder.image(
            ["ovf-env.xml": Self.environment, "Long Name.data": ""], options: ["-J"])
        #expect(try Self.reader(image).listRootDirectory().sorted() == ["Long Name.data", "ovf-env.xml"])
    }

    @Test(.enabled(if: ISOBuilder.available, ISOBuilder.skipReason))
    func rockRidgeNamesAreRead() throws {
        let image = try ISOBuilder.image(
            ["ovf-env.xml": Self.environment, "mixed.Case-name.txt": ""], options: ["-R"])
        #expect(
            try Self.reader(image).listRootDirectory().sorted() == ["mixed.Case-name.txt", "ovf-env.xml"])
    }

    @Test(.enabled(if: ISOBuilder.available, ISOBuilder.skipReason))
    func longRockRidgeNamesFollowContinuationAreas() throws {
        let long = String(repeating: "very-long-name-", count: 14) + "end.txt"
        let image = try ISOBuilder.image(["ovf-env.xml": Self.environment, long: "x"], options: ["-R"])
        #expect(try Self.reader(image).listRootDirectory().contains(long))
    }

    @Test(
        .enabled(if: ISOBuilder.available, ISOBuilder.skipReason),
        arguments: [["-J"], ["-R"], ["-J", "-R"], []])
    func imageWithoutTheFileGivesNil(options: [String]) throws {
        let image = try ISOBuilder.image(
            ["user-data": "#cloud-config\n", "ovf-env.xml.bak": "x"], options: options)
        #expect(try Self.reader(image).findOVFEnvironment() == nil)
    }

    @Test(.enabled(if: ISOBuilder.available, ISOBuilder.skipReason))
    func emptyFileIsReturnedEmpty() throws {
        let image = try ISOBuilder.image(["ovf-env.xml": ""], options: ["-J", "-R"])
        #expect(try Self.reader(image).findOVFEnvironment() == [])
    }
}
