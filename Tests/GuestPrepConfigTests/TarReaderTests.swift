import GuestPrepConfig
import Testing

/// Writes ustar archives in memory, for members the fixtures do not have.
struct TarBuilder {
    private(set) var bytes: [UInt8] = []

    /// A header for `name` of type `type` whose data is `data`; `size` overrides the size field's
    /// bytes (12), `edit` changes the header before its checksum is computed.
    mutating func add(
        _ name: String, _ data: [UInt8] = [], type: Character = "0", link: String = "",
        size: [UInt8]? = nil, edit: (inout [UInt8]) -> Void = { _ in }
    ) {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
        }
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        if let size {
            header.replaceSubrange(124..<136, with: size)
        } else {
            put(Self.octal(data.count, digits: 11), at: 124)
        }
        put("14544045400", at: 136)
        header[156] = type.asciiValue!
        put(link, at: 157)
        put("ustar", at: 257)
        put("00", at: 263)
        edit(&header)
        Self.setChecksum(&header)
        bytes += header
        bytes += data
        bytes += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    /// The archive with its two zero blocks.
    var archive: [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }

    static func octal(_ value: Int, digits: Int) -> String {
        let text = String(value, radix: 8)
        return String(repeating: "0", count: digits - text.count) + text
    }

    static func setChecksum(_ header: inout [UInt8]) {
        for index in 148..<156 { header[index] = 0x20 }
        let sum = header.reduce(0) { $0 + Int($1) }
        let text = Array((octal(sum, digits: 6)).utf8) + [0, 0x20]
        header.replaceSubrange(148..<156, with: text)
    }
}

@Suite struct TarReaderTests {
    private static let caCertificate = "-----BEGIN CERTIFICATE-----"

    private func fixture(_ name: String) throws -> [UInt8] {
        try FixtureSupport.bytes("bitfusion/\(name)")
    }

    private func error(_ bytes: [UInt8]) -> TarError? {
        do {
            let entries = try TarReader.entries(bytes)
            Issue.record("expected an error, got \(entries.map(\.path))")
            return nil
        } catch {
            return error
        }
    }

    @Test func readsAUstarArchive() throws {
        let bytes = try fixture("client-token.tar")
        #expect(TarReader.isTar(bytes))
        let entries = try TarReader.entries(bytes)
        #expect(entries.map(\.path) == ["ca.crt", "client.yaml", "servers.conf"])
        #expect(entries.allSatisfy { $0.kind == .file })
        #expect(String(decoding: entries[0].contents, as: UTF8.self).hasPrefix(Self.caCertificate))
        #expect(String(decoding: entries[2].contents, as: UTF8.self).hasPrefix("servers:\n"))
    }

    @Test func returnsDirectoriesWithTheirKind() throws {
        let tar = try GzipDecoder.decode(try fixture("client-token.tar.gz"))
        let entries = try TarReader.entries(tar)
        #expect(entries.map(\.path) == [
            "bitfusion-client-token/", "bitfusion-client-token/ca.crt", "bitfusion-client-token/client.yaml",
            "bitfusion-client-token/servers.conf",
        ])
        #expect(entries[0].kind == .directory)
        #expect(entries[0].contents.isEmpty)
        #expect(entries[1].baseName == "ca.crt")
    }

    @Test(arguments: ["long-ustar.tar", "long-gnu.tar", "long-pax.tar"])
    func readsLongNames(_ name: String) throws {
        let directory = "bitfusion-client-token-" + String(repeating: "x", count: 70) + "/nested-"
            + String(repeating: "y", count: 40)
        let file = name == "long-ustar.tar" ? "ca.crt" : String(repeating: "z", count: 120) + ".crt"
        let entries = try TarReader.entries(try fixture(name))
        #expect(entries.map(\.path) == [directory + "/" + file])
        let entry = try #require(entries.first)
        #expect(entry.kind == .file)
        #expect(String(decoding: entry.contents, as: UTF8.self).hasPrefix(Self.caCertificate))
    }

    @Test func readsABase256Size() throws {
        let entries = try TarReader.entries(try fixture("base256-size.tar"))
        #expect(entries.map(\.path) == ["servers.conf"])
        #expect(String(decoding: entries[0].contents, as: UTF8.self).hasSuffix("172.31.51.42 56003\n"))
    }

    @Test func reportsLinksWithoutFollowingThem() throws {
        let hard = try TarReader.entries(try fixture("hardlink.tar"))
        #expect(hard.map(\.kind) == [.file, .hardLink(target: "ca.crt")])
        #expect(hard[1].contents.isEmpty)
        let symbolic = try TarReader.entries(try GzipDecoder.decode(try fixture("symlink-client.tar.gz")))
        #expect(symbolic[1].path == "client.yaml")
        #expect(symbolic[1].kind == .symbolicLink(target: "/etc/shadow"))
    }

    @Test func reportsDevicesPipesAndUnknownTypes() throws {
        var builder = TarBuilder()
        builder.add("dev/sda", type: "4")
        builder.add("dev/tty", type: "3")
        builder.add("pipe", type: "6")
        builder.add("sparse", [1, 2, 3], type: "S")
        builder.add("contiguous", [4, 5], type: "7")
        builder.add("old-style-dir/", type: "\0")
        let entries = try TarReader.entries(builder.archive)
        #expect(entries.map(\.kind) == [
            .device, .device, .fifo, .other("tar entry type 'S'"), .file, .directory,
        ])
        #expect(entries[4].contents == [4, 5])
        #expect(ArchiveEntry.Kind.other("tar entry type 'S'").description == "an unsupported member (tar entry type 'S')")
    }

    @Test(arguments: [("traversal.tar", "../etc/passwd"), ("absolute.tar", "/etc/passwd")])
    func refusesPathsOutsideTheArchive(_ name: String, _ path: String) throws {
        let error = self.error(try fixture(name))
        #expect(error == .unsafePath(path))
        #expect(error?.description.contains("'\(path)'") == true)
    }

    @Test func refusesAParentComponentInsideAPath() {
        var builder = TarBuilder()
        builder.add("token/../../escape", [1])
        #expect(error(builder.archive) == .unsafePath("token/../../escape"))
        var dots = TarBuilder()
        dots.add("token/..hidden/ok..", [1])
        #expect((try? TarReader.entries(dots.archive))?.map(\.path) == ["token/..hidden/ok.."])
    }

    @Test func verifiesTheChecksum() throws {
        var bytes = try fixture("client-token.tar")
        bytes[1536 + 3] ^= 0x01  // client.yaml's header, after ca.crt's header and 631 bytes
        let error = self.error(bytes)
        #expect(error == .badChecksum(offset: 1536))
        #expect(error?.description.contains("byte 1536") == true)
        #expect(error?.description.contains("checksum") == true)
    }

    @Test func acceptsAChecksumOfSignedBytes() throws {
        var builder = TarBuilder()
        builder.add("caf\u{E9}", [1])
        // Recompute the checksum as an old tar did, summing signed bytes.
        var archive = builder.archive
        for index in 148..<156 { archive[index] = 0x20 }
        let signed = archive[0..<512].reduce(0) { $0 + Int(Int8(bitPattern: $1)) }
        archive.replaceSubrange(148..<156, with: Array(TarBuilder.octal(signed, digits: 6).utf8) + [0, 0x20])
        #expect(try TarReader.entries(archive).map(\.path) == ["caf\u{E9}"])
    }

    @Test func reportsTruncation() throws {
        let bytes = try fixture("client-token.tar")
        // Inside ca.crt's data, then inside client.yaml's header.
        #expect(error(Array(bytes[0..<700])) == .truncated(offset: 0))
        #expect(error(Array(bytes[0..<1600])) == .truncated(offset: 1536))
        #expect(error(Array(bytes[0..<700]))?.description.contains("truncated") == true)
    }

    @Test func stopsAtTheZeroBlocksOrTheEnd() throws {
        var builder = TarBuilder()
        builder.add("a", [1, 2, 3])
        // What follows the end-of-archive blocks is ignored.
        #expect(try TarReader.entries(builder.archive + [UInt8](repeating: 0xAA, count: 512)).map(\.path) == ["a"])
        // An archive without end-of-archive blocks ends with its data.
        #expect(try TarReader.entries(builder.bytes).map(\.path) == ["a"])
        #expect(try TarReader.entries([]).isEmpty)
    }

    @Test func rejectsBadNumbers() {
        var octal = TarBuilder()
        octal.add("a", [1], size: Array("0000000009a\0".utf8))
        #expect(error(octal.archive) == .badHeader(offset: 0, reason: "its size field is not an octal number"))
        var negative = TarBuilder()
        negative.add("a", [1], size: [0xFF] + [UInt8](repeating: 0xFF, count: 11))
        #expect(error(negative.archive) == .badHeader(offset: 0, reason: "its size field is negative"))
        var huge = TarBuilder()
        huge.add("a", [1], size: [0x80, 0x7F] + [UInt8](repeating: 0xFF, count: 10))
        #expect(error(huge.archive) == .badHeader(offset: 0, reason: "its size field is too large"))
    }

    @Test func appliesPaxRecordsToTheNextMemberOnly() throws {
        let record = "29 path=renamed/servers.conf\n"
        #expect(record.utf8.count == 29)
        var builder = TarBuilder()
        builder.add("PaxHeader", Array(record.utf8), type: "x")
        builder.add("short", [1])
        builder.add("second", [2])
        #expect(try TarReader.entries(builder.archive).map(\.path) == ["renamed/servers.conf", "second"])

        var bad = TarBuilder()
        bad.add("PaxHeader", Array("99 path=x\n".utf8), type: "x")
        bad.add("short", [1])
        #expect(error(bad.archive) == .badHeader(offset: 0, reason: "its pax record at byte 512 is malformed"))
    }

    @Test func rejectsAMemberWithoutAName() {
        var builder = TarBuilder()
        builder.add("", [1])
        #expect(error(builder.archive) == .badHeader(offset: 0, reason: "its member has no name"))
    }

    @Test func recognisesTarByItsMagic() throws {
        #expect(TarReader.isTar(try fixture("client-token.tar")))
        #expect(!TarReader.isTar(try fixture("client-token.zip")))
        #expect(!TarReader.isTar([UInt8](repeating: 0, count: 100)))
    }
}
