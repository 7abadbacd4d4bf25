import GuestPrepConfig
import Testing

/// ArchiveReader over libarchive: the formats of a token archive (tar, tar.gz, zip) and its
/// refusals, each naming the source. The ISO 9660 side is in ISOImageTests.
@Suite struct ArchiveReaderTests {
    private static let source = "test archive"
    private static let caCertificate = "-----BEGIN CERTIFICATE-----"
    private static let limits = ArchiveReader.Limits(entries: 16, entrySize: 1 << 20, totalSize: 4 << 20)

    private func fixture(_ name: String) throws -> [UInt8] {
        try FixtureSupport.bytes("bitfusion/\(name)")
    }

    private func entries(_ bytes: [UInt8], limits: ArchiveReader.Limits = limits) throws -> [ArchiveEntry] {
        try ArchiveReader(source: Self.source, format: .tarOrZip, limits: limits).entries(in: bytes)
    }

    /// The problem reading `bytes` gives, after checking its message names the source.
    private func problem(
        _ bytes: [UInt8], limits: ArchiveReader.Limits = limits, sourceLocation: SourceLocation = #_sourceLocation
    ) -> ArchiveError.Problem? {
        do {
            let entries = try ArchiveReader(source: Self.source, format: .tarOrZip, limits: limits).entries(in: bytes)
            Issue.record("expected an error, got \(entries.map(\.path))", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(error.source == Self.source, sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("\(Self.source): "), sourceLocation: sourceLocation)
            return error.problem
        }
    }

    // MARK: Formats

    @Test func readsAUstarArchive() throws {
        let entries = try entries(try fixture("client-token.tar"))
        #expect(entries.map(\.path) == ["ca.crt", "client.yaml", "servers.conf"])
        #expect(entries.allSatisfy { $0.kind == .file })
        #expect(String(decoding: entries[0].contents, as: UTF8.self).hasPrefix(Self.caCertificate))
        #expect(String(decoding: entries[2].contents, as: UTF8.self).hasPrefix("servers:\n"))
    }

    @Test func readsATarGzWithItsDirectory() throws {
        let entries = try entries(try fixture("client-token.tar.gz"))
        #expect(entries.map(\.path) == [
            "bitfusion-client-token/", "bitfusion-client-token/ca.crt", "bitfusion-client-token/client.yaml",
            "bitfusion-client-token/servers.conf",
        ])
        #expect(entries[0].kind == .directory)
        #expect(entries[0].contents.isEmpty)
        #expect(entries[1].baseName == "ca.crt")
    }

    @Test(arguments: ["client-token.zip", "client-token-stored.zip"])
    func readsZip(_ name: String) throws {
        let entries = try entries(try fixture(name))
        #expect(entries.map(\.baseName) == ["ca.crt", "client.yaml", "servers.conf"])
        #expect(String(decoding: entries[0].contents, as: UTF8.self).hasPrefix(Self.caCertificate))
    }

    @Test(arguments: ["long-ustar.tar", "long-gnu.tar", "long-pax.tar"])
    func readsLongNames(_ name: String) throws {
        let directory = "bitfusion-client-token-" + String(repeating: "x", count: 70) + "/nested-"
            + String(repeating: "y", count: 40)
        let file = name == "long-ustar.tar" ? "ca.crt" : String(repeating: "z", count: 120) + ".crt"
        let entries = try entries(try fixture(name))
        #expect(entries.map(\.path) == [directory + "/" + file])
        #expect(String(decoding: try #require(entries.first).contents, as: UTF8.self).hasPrefix(Self.caCertificate))
    }

    @Test func readsABase256Size() throws {
        let entries = try entries(try fixture("base256-size.tar"))
        #expect(entries.map(\.path) == ["servers.conf"])
        #expect(String(decoding: entries[0].contents, as: UTF8.self).hasSuffix("172.31.51.42 56003\n"))
    }

    @Test func readsOnlyTheContentsWanted() throws {
        let reader = ArchiveReader(source: Self.source, format: .tarOrZip, limits: Self.limits)
        let entries = try reader.entries(in: try fixture("client-token.tar")) { $0 == "servers.conf" }
        #expect(entries.map(\.contents.isEmpty) == [true, true, false])
        let first = try reader.entries(in: try fixture("client-token.tar"), stopAfter: { $0.path == "client.yaml" })
        #expect(first.map(\.path) == ["ca.crt", "client.yaml"])
    }

    @Test func refusesWhatIsNoArchive() throws {
        #expect(problem(Array("hello, this is no archive".utf8)) == .unrecognizedFormat(insideGzip: false))
        #expect(problem(try fixture("not-tar.gz")) == .unrecognizedFormat(insideGzip: true))
        let gzipped = ArchiveError(source: Self.source, .unrecognizedFormat(insideGzip: true))
        #expect(gzipped.description == "test archive: it is gzip-compressed but what it holds is not a tar archive")
    }

    // MARK: Damage

    @Test func reportsTruncation() throws {
        guard case .corrupt(let message) = problem(try fixture("truncated.tar.gz")) else {
            Issue.record("expected a damaged archive")
            return
        }
        #expect(message.contains("truncated"))
        let tar = try fixture("client-token.tar")
        guard case .corrupt(let inside) = problem(Array(tar[0..<1600])) else {
            Issue.record("expected a damaged archive")
            return
        }
        #expect(inside.contains("Truncated tar archive"))
    }

    @Test func verifiesATarHeaderChecksum() throws {
        var bytes = try fixture("client-token.tar")
        bytes[1536 + 3] ^= 0x01  // client.yaml's header, after ca.crt's header and 631 bytes
        #expect(problem(bytes) == .corrupt("Damaged tar archive"))
        #expect(
            ArchiveError(source: Self.source, .corrupt("Damaged tar archive")).description
                == "test archive: it is damaged: Damaged tar archive")
    }

    @Test func verifiesAZipMembersCRC() throws {
        guard case .corrupt(let message) = problem(try fixture("bad-crc.zip")) else {
            Issue.record("expected a damaged archive")
            return
        }
        #expect(message.contains("ZIP bad CRC"))
    }

    // MARK: Refusals

    @Test(arguments: [("traversal.tar", "../etc/passwd"), ("absolute.tar", "/etc/passwd")])
    func refusesPathsOutsideTheArchive(_ name: String, _ path: String) throws {
        #expect(problem(try fixture(name)) == .unsafePath(path))
        let message = ArchiveError(source: Self.source, .unsafePath(path)).description
        #expect(message.contains("entry '\(path)' lies outside it"))
    }

    @Test func refusesAParentComponentInsideAPath() throws {
        var builder = TarBuilder()
        builder.add("token/../../escape", [1])
        #expect(problem(builder.archive) == .unsafePath("token/../../escape"))
        var dots = TarBuilder()
        dots.add("token/..hidden/ok..", [1])
        #expect(try entries(dots.archive).map(\.path) == ["token/..hidden/ok.."])
    }

    @Test func refusesLinksWithoutFollowingThem() throws {
        #expect(problem(try fixture("hardlink.tar")) == .notARegularFile(path: "copy.crt", kind: .hardLink(target: "ca.crt")))
        #expect(
            problem(try fixture("symlink-client.tar.gz"))
                == .notARegularFile(path: "client.yaml", kind: .symbolicLink(target: "/etc/shadow")))
        #expect(
            problem(try fixture("symlink.zip")) == .notARegularFile(path: "client.yaml", kind: .symbolicLink(target: "/etc/shadow")))
        let message = ArchiveError(source: Self.source, .notARegularFile(path: "client.yaml", kind: .symbolicLink(target: "/etc/shadow")))
        #expect(
            message.description
                == "test archive: entry 'client.yaml' is a symbolic link to '/etc/shadow', not a regular file: links and special files are refused, never followed")
    }

    @Test(arguments: [("4", ArchiveEntry.Kind.device), ("3", .device), ("6", .fifo)] as [(Character, ArchiveEntry.Kind)])
    func refusesDevicesAndPipes(_ type: Character, _ kind: ArchiveEntry.Kind) {
        var builder = TarBuilder()
        builder.add("token/ca.crt", [1])
        builder.add("dev/thing", type: type)
        #expect(problem(builder.archive) == .notARegularFile(path: "dev/thing", kind: kind))
    }

    @Test func limitsTheNumberOfEntries() {
        var builder = TarBuilder()
        for index in 0...16 { builder.add("file\(index)", [UInt8(index)]) }
        #expect(problem(builder.archive) == .tooManyEntries(limit: 16))
        var sixteen = TarBuilder()
        for index in 0..<16 { sixteen.add("file\(index)", [UInt8(index)]) }
        #expect((try? entries(sixteen.archive))?.count == 16)
    }

    @Test func limitsAnEntryByItsHeader() throws {
        #expect(problem(try fixture("bomb.tar.gz")) == .entryTooLarge(path: "ca.crt", size: 17 << 20, limit: 1 << 20))
        #expect(problem(try fixture("bomb.zip")) == .entryTooLarge(path: "client.yaml", size: 17 << 20, limit: 1 << 20))
        let message = ArchiveError(source: Self.source, .entryTooLarge(path: "ca.crt", size: 17 << 20, limit: 1 << 20))
        #expect(message.description.contains("entry 'ca.crt' is 17825792 bytes or more, more than the 1 MiB an entry may have"))
        var exact = TarBuilder()
        exact.add("exact", [UInt8](repeating: 7, count: 1 << 20))
        #expect(try entries(exact.archive).first?.contents.count == 1 << 20)
    }

    @Test func limitsAnEntryAsItIsRead() throws {
        // A zip whose headers understate client.yaml's size (100 bytes): the data read is counted.
        var lying = try fixture("bomb.zip")
        let central = try #require((0..<(lying.count - 4)).first { lying[$0..<($0 + 4)].elementsEqual([0x50, 0x4B, 1, 2]) })
        lying.replaceSubrange((central + 24)..<(central + 28), with: [100, 0, 0, 0])
        lying.replaceSubrange(22..<26, with: [100, 0, 0, 0])
        guard case .entryTooLarge(path: "client.yaml", let size, limit: 1 << 20) = problem(lying) else {
            Issue.record("expected an entry over the limit")
            return
        }
        #expect(size > 1 << 20)
    }

    @Test func limitsTheTotal() {
        var builder = TarBuilder()
        for index in 0..<5 { builder.add("part\(index)", [UInt8](repeating: 1, count: 1 << 20)) }
        #expect(problem(builder.archive) == .totalTooLarge(limit: 4 << 20))
        #expect(
            ArchiveError(source: Self.source, .totalTooLarge(limit: 4 << 20)).description.contains(
                "its entries are larger than 4 MiB together"))
        // What is not wanted is not counted.
        let reader = ArchiveReader(source: Self.source, format: .tarOrZip, limits: Self.limits)
        #expect((try? reader.entries(in: builder.archive) { $0 != "part0" })?.count == 5)
    }

    @Test func readsThroughCallbacks() throws {
        let bytes = try fixture("client-token.tar")
        var reads: [UInt64] = []
        let reader = ArchiveReader(source: Self.source, format: .tarOrZip, limits: Self.limits)
        let entries = try reader.entries(readingAt: { offset, length in
            reads.append(offset)
            guard offset < UInt64(bytes.count) else { return [] }
            return Array(bytes[Int(offset)..<min(bytes.count, Int(offset) + length)])
        })
        #expect(entries.map(\.path) == ["ca.crt", "client.yaml", "servers.conf"])
        #expect(reads.first == 0)
    }

    @Test func anOffsetPast63BitsIsAnErrorNotATrap() {
        // A tar entry whose base-256 size is 2^63 - 512: skipping its data (not wanted) would move
        // the image offset past what pread takes.
        var builder = TarBuilder()
        builder.add("huge", [1], size: [0x80, 0, 0, 0] + [0x7F] + [UInt8](repeating: 0xFF, count: 5) + [0xFE, 0x00])
        builder.add("next", [2])
        let bytes = builder.archive
        let reader = ArchiveReader(source: Self.source, format: .tarOrZip, limits: Self.limits)
        do {
            let entries = try reader.entries(
                readingAt: { offset, length in
                    guard offset < UInt64(bytes.count) else { return [] }
                    return Array(bytes[Int(offset)..<min(bytes.count, Int(offset) + length)])
                }, contentsOf: { _ in false })
            Issue.record("expected an error, got \(entries.map(\.path))")
        } catch {
            #expect(error.source == Self.source)
            #expect(error.problem == .offsetOutOfRange)
            #expect(error.description == "test archive: it points at an offset beyond 2^63 bytes: it is corrupt")
        }
    }

    @Test func aReadErrorNamesTheSource() {
        struct DeviceGone: Error, CustomStringConvertible {
            var description: String { "Input/output error" }
        }
        let reader = ArchiveReader(source: "ovf:/dev/sr0", format: .iso9660, limits: Self.limits)
        do {
            _ = try reader.entries(readingAt: { _, _ in throw DeviceGone() })
            Issue.record("expected an error")
        } catch {
            #expect(error.problem == .unreadable("Input/output error"))
            #expect(error.description == "ovf:/dev/sr0: a read of it failed: Input/output error")
        }
    }

    @Test func theMissingLibraryMessageNamesThePackage() {
        let error = ArchiveError(source: "ovf:/dev/sr0", .libraryMissing("libarchive.so.13: cannot open shared object file"))
        #expect(
            error.description
                == "ovf:/dev/sr0: libarchive.so.13, which reads archives and ISO 9660 images, cannot be loaded (libarchive.so.13: cannot open shared object file); install libarchive13 (apt-get install libarchive13)"
        )
    }
}
