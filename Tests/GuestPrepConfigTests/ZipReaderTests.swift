import GuestPrepConfig
import Testing

@Suite struct ZipReaderTests {
    private func fixture(_ name: String) throws -> [UInt8] {
        try FixtureSupport.bytes("bitfusion/\(name)")
    }

    private func error(_ bytes: [UInt8], limit: Int = Inflate.defaultLimit) -> ZipError? {
        do {
            let entries = try ZipReader.entries(bytes, limit: limit)
            Issue.record("expected an error, got \(entries.map(\.path))")
            return nil
        } catch {
            return error
        }
    }

    /// The index of the first central directory entry (`PK\u{1}\u{2}`).
    private func centralDirectory(_ bytes: [UInt8]) throws -> Int {
        try #require((0..<(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual([0x50, 0x4B, 1, 2]) })
    }

    private func endRecord(_ bytes: [UInt8]) throws -> Int {
        try #require((0..<(bytes.count - 4)).last { bytes[$0..<($0 + 4)].elementsEqual([0x50, 0x4B, 5, 6]) })
    }

    @Test func readsDeflatedMembers() throws {
        let bytes = try fixture("client-token.zip")
        #expect(ZipReader.isZip(bytes))
        let entries = try ZipReader.entries(bytes)
        #expect(entries.map(\.path) == [
            "bitfusion-client-token/ca.crt", "bitfusion-client-token/client.yaml", "bitfusion-client-token/servers.conf",
        ])
        #expect(entries.allSatisfy { $0.kind == .file })
        #expect(String(decoding: entries[2].contents, as: UTF8.self).hasSuffix("172.31.51.42 56003\n"))
    }

    @Test func readsStoredMembers() throws {
        let bytes = try fixture("client-token-stored.zip")
        let entries = try ZipReader.entries(bytes)
        #expect(entries.map(\.baseName) == ["ca.crt", "client.yaml", "servers.conf"])
        #expect(String(decoding: entries[0].contents, as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----\n"))
    }

    @Test func reportsASymbolicLinkWithItsTarget() throws {
        let entries = try ZipReader.entries(try fixture("symlink.zip"))
        #expect(entries.map(\.kind) == [.file, .symbolicLink(target: "/etc/shadow")])
        #expect(entries[1].contents.isEmpty)
    }

    @Test func stopsABombAtTheLimit() throws {
        let bomb = try fixture("bomb.zip")
        #expect(error(bomb) == .limitExceeded(path: "client.yaml", limit: 16 << 20))
        #expect(error(bomb)?.description.contains("more than 16777216 bytes") == true)
        // A central directory that understates the size: decompression still stops at the limit.
        var lying = bomb
        let entry = try centralDirectory(lying)
        lying.replaceSubrange((entry + 24)..<(entry + 28), with: [100, 0, 0, 0])
        #expect(error(lying) == .limitExceeded(path: "client.yaml", limit: 16 << 20))
        #expect(error(lying, limit: 1 << 20) == .limitExceeded(path: "client.yaml", limit: 1 << 20))
    }

    @Test func checksCRCAndSize() throws {
        var crc = try fixture("client-token.zip")
        let entry = try centralDirectory(crc)
        crc[entry + 16] ^= 0xFF
        guard case .crcMismatch(path: "bitfusion-client-token/ca.crt", _, _) = error(crc) else {
            Issue.record("expected a CRC mismatch, got \(String(describing: error(crc)))")
            return
        }
        #expect(error(crc)?.description.contains("CRC-32") == true)

        var size = try fixture("client-token.zip")
        size[entry + 24] &+= 1
        guard case .sizeMismatch(path: "bitfusion-client-token/ca.crt", let expected, let actual) = error(size) else {
            Issue.record("expected a size mismatch, got \(String(describing: error(size)))")
            return
        }
        #expect(expected == actual + 1)
    }

    @Test func refusesEncryptedMembersAndOtherMethods() throws {
        var encrypted = try fixture("client-token.zip")
        let entry = try centralDirectory(encrypted)
        encrypted[entry + 8] |= 0x01
        #expect(error(encrypted) == .encrypted(path: "bitfusion-client-token/ca.crt"))

        var bzip2 = try fixture("client-token.zip")
        bzip2[entry + 10] = 12
        #expect(error(bzip2) == .unsupportedMethod(path: "bitfusion-client-token/ca.crt", method: 12))
        #expect(error(bzip2)?.description.contains("method 12") == true)
    }

    @Test func refusesPathsOutsideTheArchive() throws {
        var bytes = try fixture("client-token-stored.zip")
        let entry = try centralDirectory(bytes)
        // "ca.crt" becomes "../crt" in the central directory.
        bytes.replaceSubrange((entry + 46)..<(entry + 52), with: Array("../crt".utf8))
        #expect(error(bytes) == .unsafePath("../crt"))
        bytes.replaceSubrange((entry + 46)..<(entry + 52), with: Array("/a.crt".utf8))
        #expect(error(bytes) == .unsafePath("/a.crt"))
    }

    @Test func reportsTruncationAndCorruption() throws {
        let bytes = try fixture("client-token.zip")
        let message = error(Array(bytes.dropLast(10)))?.description ?? ""
        #expect(message.contains("no end of central directory record"))
        #expect(error(Array(bytes.prefix(10))) == .corrupt("it is too short to be a zip archive (10 bytes)"))

        var moved = bytes
        let end = try endRecord(moved)
        moved[end + 16] &+= 1
        guard case .corrupt(let reason) = error(moved) else {
            Issue.record("expected corruption")
            return
        }
        #expect(reason.contains("central directory entry 1"))

        var local = bytes
        local[0] = 0
        guard case .corrupt(let localReason) = error(local) else {
            Issue.record("expected corruption")
            return
        }
        #expect(localReason.contains("local header of member 'bitfusion-client-token/ca.crt'"))

        var deflate = bytes
        let entry = try centralDirectory(bytes)
        // Cut the compressed size of the first member in half: its data ends early.
        let compressed = Int(deflate[entry + 20]) | Int(deflate[entry + 21]) << 8
        deflate[entry + 20] = UInt8((compressed / 2) & 0xFF)
        deflate[entry + 21] = UInt8((compressed / 2) >> 8)
        #expect(error(deflate) == .deflate(path: "bitfusion-client-token/ca.crt", .truncated))
    }

    @Test func refusesZip64AndSplitArchives() throws {
        var zip64 = try fixture("client-token.zip")
        let end = try endRecord(zip64)
        zip64.replaceSubrange((end + 8)..<(end + 12), with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(error(zip64) == .unsupported("it is a zip64 archive"))
        var split = try fixture("client-token.zip")
        split[end + 4] = 1
        #expect(error(split) == .unsupported("it is split across several disks"))
    }

    @Test func readsAnEmptyArchive() throws {
        let empty: [UInt8] = [0x50, 0x4B, 5, 6] + [UInt8](repeating: 0, count: 18)
        #expect(ZipReader.isZip(empty))
        #expect(try ZipReader.entries(empty).isEmpty)
    }
}
