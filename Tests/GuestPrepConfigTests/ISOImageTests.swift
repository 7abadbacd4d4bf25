import Foundation
import GuestPrepConfig
import GuestPrepModel
import Synchronization
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
        process.arguments = ["-quiet", "-no-pad"] + options + ["-V", "OVF-ENV", "-o", output.path, content.path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "genisoimage \(options) failed")
        return [UInt8](try Data(contentsOf: output))
    }
}

/// ISO 9660 images read by ArchiveReader (libarchive) through a read-at closure, as
/// OVFProvider reads a CD-ROM: the committed fixtures (plain, Joliet, Rock Ridge, both, and
/// xorriso's; Fixtures/iso/make-fixtures.sh), damaged images, and images genisoimage makes.
@Suite struct ISOImageTests {
    private static let source = "ovf:/dev/sr0"
    private static let limits = ArchiveReader.Limits(entries: 64, entrySize: 1 << 20, totalSize: 2 << 20)
    private static let environment =
        #"<Environment xmlns="http://schemas.dmtf.org/ovf/environment/1" "#
        + #"xmlns:oe="http://schemas.dmtf.org/ovf/environment/1"><PropertySection>"#
        + #"<Property oe:key="guestinfo.bitfusion.host.hostname" oe:value="bf-iso"/></PropertySection></Environment>"#

    private static func fixture(_ name: String) throws -> [UInt8] {
        try FixtureSupport.bytes("iso/\(name)")
    }

    /// The entries of `image`, read as a file or device is: fewer bytes at its end.
    private static func entries(_ image: [UInt8], limits: ArchiveReader.Limits = limits) throws(ArchiveError) -> [ArchiveEntry] {
        try ArchiveReader(source: source, format: .iso9660, limits: limits).entries(readingAt: { offset, length in
            guard offset < UInt64(image.count) else { return [] }
            let start = Int(offset)
            return Array(image[start..<min(start + length, image.count)])
        })
    }

    /// The root directory's files, by lowercased name, with their contents.
    private static func rootFiles(_ image: [UInt8]) throws -> [String: String] {
        var files: [String: String] = [:]
        for entry in try entries(image) where entry.kind == .file && !entry.path.contains("/") {
            files[entry.path] = String(decoding: entry.contents, as: UTF8.self)
        }
        return files
    }

    private static func problem(_ image: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> ArchiveError.Problem? {
        do {
            let found = try entries(image)
            Issue.record("expected an error, got \(found.map(\.path))", sourceLocation: sourceLocation)
        } catch {
            #expect(error.description.hasPrefix("\(source): "), sourceLocation: sourceLocation)
            return error.problem
        }
        return nil
    }

    // MARK: The committed fixtures (need no tool)

    @Test(arguments: [
        ("ovf-plain.iso", "OVF_ENV.XML"), ("ovf-joliet.iso", "ovf-env.xml"), ("ovf-rockridge.iso", "ovf-env.xml"),
        ("ovf-joliet-rr.iso", "ovf-env.xml"), ("ovf-xorriso.iso", "ovf-env.xml"),
    ])
    func readsEveryNameForm(_ name: String, _ stored: String) throws {
        let files = try Self.rootFiles(try Self.fixture(name))
        let document = try #require(files[stored], "\(name) holds \(files.keys.sorted())")
        #expect(Array(document.utf8) == (try Self.fixture("ovf-env.xml")))
        let environment = try OVFEnvironmentDecoder.decode(Array(document.utf8))
        #expect(environment.properties.first?.value == "bf-iso-01")
        #expect(environment.adapters.map(\.mac) == ["00:50:56:8a:3b:10"])
    }

    @Test func rockRidgeKeepsLongMixedCaseNames() throws {
        let files = try Self.rootFiles(try Self.fixture("ovf-rockridge.iso"))
        #expect(files.keys.sorted() == ["README.TXT", "ovf-env.xml", "rock-ridge-keeps-this-long-Mixed-Case-name.txt"])
    }

    @Test func readsOnlyWhatIsWantedAndStops() throws {
        let image = try Self.fixture("ovf-joliet-rr.iso")
        var reads: [UInt64] = []
        let reader = ArchiveReader(source: Self.source, format: .iso9660, limits: Self.limits)
        let entries = try reader.entries(
            readingAt: { offset, length in
                reads.append(offset)
                guard offset < UInt64(image.count) else { return [] }
                return Array(image[Int(offset)..<min(image.count, Int(offset) + length)])
            }, contentsOf: { $0 == "ovf-env.xml" }, stopAfter: { $0.path == "ovf-env.xml" })
        #expect(entries.last?.path == "ovf-env.xml")
        #expect(entries.last?.contents.count == 586)
        #expect(entries.allSatisfy { $0.path == "ovf-env.xml" || $0.contents.isEmpty })
        #expect(reads.first == 0)
    }

    // MARK: Damaged images

    @Test func refusesANonISOFile() {
        #expect(Self.problem(Array(repeating: 0x41, count: 40_000)) == .unrecognizedFormat(insideGzip: false))
        #expect(Self.problem(Array("<Environment/>".utf8)) == .unrecognizedFormat(insideGzip: false))
    }

    @Test func refusesATruncatedImage() throws {
        let image = try Self.fixture("ovf-joliet-rr.iso")
        // Cut before the directories: no volume to recognize.
        #expect(Self.problem(Array(image.prefix(20 * 2048))) == .unrecognizedFormat(insideGzip: false))
        // Cut inside them, and before the files.
        for sectors in [24, 28, 30] {
            guard case .corrupt = Self.problem(Array(image.prefix(sectors * 2048))) else {
                Issue.record("expected a damaged image at \(sectors) sectors")
                continue
            }
        }
    }

    @Test func refusesARootDirectoryBeyondTheVolume() throws {
        var image = try Self.fixture("ovf-joliet-rr.iso")
        // The root directory record of every volume descriptor: extent at byte 156 + 2.
        for sector in [16, 17] {
            image.replaceSubrange((sector * 2048 + 158)..<(sector * 2048 + 162), with: [0, 0, 0, 0x10])
            image.replaceSubrange((sector * 2048 + 162)..<(sector * 2048 + 166), with: [0x10, 0, 0, 0])
        }
        guard case .corrupt = Self.problem(image) else {
            Issue.record("expected a damaged image")
            return
        }
    }

    /// Issue 17's crafted record: a directory record 33 + name length bytes long, with an even
    /// name length (no padding byte) and no system-use area. The home-made reader sliced past
    /// the record's end and trapped (SIGILL); libarchive reads the record and what follows.
    @Test func readsADirectoryRecordWithoutPadding() throws {
        var image = try Self.fixture("ovf-plain.iso")
        let name = Array("README.TXT;1".utf8)
        let record = try #require(image.firstRange(of: name)).lowerBound - 33
        #expect(image[record] == 33 + UInt8(name.count) + 1)
        image[record] = 33 + UInt8(name.count)
        let files = try Self.rootFiles(image)
        #expect(files["OVF_ENV.XML"] != nil)
    }

    /// Found by the iso-ovf fuzz harness: a root directory whose size field says 4 GiB.
    /// libarchive reads a directory whole, so from a disc of that size (here a device that reads
    /// as zeros past the image) it would read 4 GiB into memory; the read budget stops it.
    @Test func aFourGiBDirectoryIsNotReadIntoMemory() throws {
        var image = try Self.fixture("ovf-plain.iso")
        let pvd = 16 * 2048
        image.replaceSubrange((pvd + 80)..<(pvd + 84), with: [0xFF, 0xFF, 0xFF, 0x7F])  // volume: 2^31 - 1 blocks
        image.replaceSubrange((pvd + 166)..<(pvd + 170), with: [0x00, 0x10, 0xF7, 0xFF])  // root: 4294379520 bytes
        let delivered = Mutex(0)
        let bytes = image
        do {
            _ = try OVFEnvironmentImage.document(source: Self.source) { offset, length in
                delivered.withLock { $0 += length }
                guard offset < UInt64(bytes.count) else { return [UInt8](repeating: 0, count: length) }
                let start = Int(offset)
                let end = min(start + length, bytes.count)
                return Array(bytes[start..<end]) + [UInt8](repeating: 0, count: length - (end - start))
            }
            Issue.record("expected an error")
        } catch {
            #expect(
                error == .source(
                    name: Self.source,
                    reason: "the ISO image cannot be read: more than 16 MiB of it would have to be read (directories that large are corrupt, or not those of the disc expected)"))
        }
        #expect(delivered.withLock { $0 } <= InputLimits.isoRead + 128 << 10)
    }

    @Test func limitsTheEntriesAndTheFileSize() throws {
        let image = try Self.fixture("ovf-rockridge.iso")
        let few = ArchiveReader.Limits(entries: 2, entrySize: 1 << 20, totalSize: 1 << 20)
        #expect(throws: ArchiveError(source: Self.source, .tooManyEntries(limit: 2))) { try Self.entries(image, limits: few) }
        let small = ArchiveReader.Limits(entries: 64, entrySize: 100, totalSize: 1 << 20)
        #expect(throws: ArchiveError(source: Self.source, .entryTooLarge(path: "ovf-env.xml", size: 586, limit: 100))) {
            try Self.entries(image, limits: small)
        }
    }

    // MARK: Images built with genisoimage

    @Test(
        .enabled(if: ISOBuilder.available, ISOBuilder.skipReason),
        arguments: [["-J"], ["-R"], ["-J", "-R"], []])
    func readsEveryNameVariant(options: [String]) throws {
        for name in ["ovf-env.xml", "OVF-ENV.XML", "ovf_env.xml", "Ovf-Env.Xml"] {
            let image = try ISOBuilder.image([name: Self.environment, "other.txt": "x"], options: options)
            let files = try Self.rootFiles(image)
            let found = files.first { ["ovf-env.xml", "ovf_env.xml"].contains($0.key.lowercased()) }
            #expect(found?.value == Self.environment, "\(name) with \(options): \(files.keys.sorted())")
        }
    }

    @Test(.enabled(if: ISOBuilder.available, ISOBuilder.skipReason))
    func readsNonASCIIJolietNames() throws {
        let image = try ISOBuilder.image(["ovf-env.xml": Self.environment, "caf\u{E9} \u{2603}.txt": "x"], options: ["-J"])
        #expect(try Self.rootFiles(image).keys.sorted() == ["caf\u{E9} \u{2603}.txt", "ovf-env.xml"])
    }

    @Test(.enabled(if: ISOBuilder.available, ISOBuilder.skipReason))
    func readsAnEmptyFile() throws {
        let image = try ISOBuilder.image(["ovf-env.xml": ""], options: ["-J", "-R"])
        #expect(try Self.rootFiles(image) == ["ovf-env.xml": ""])
    }
}
