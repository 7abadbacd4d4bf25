import GuestPrepConfig
import Testing

@Suite struct GzipDecoderTests {
    private func fixture(_ name: String) throws -> [UInt8] {
        try FixtureSupport.bytes("bitfusion/\(name)")
    }

    private func error(_ bytes: [UInt8], limit: Int = Inflate.defaultLimit) -> GzipError? {
        do {
            let output = try GzipDecoder.decode(bytes, limit: limit)
            Issue.record("expected an error, got \(output.count) bytes")
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesATarGz() throws {
        let bytes = try fixture("client-token.tar.gz")
        #expect(GzipDecoder.isGzip(bytes))
        let tar = try GzipDecoder.decode(bytes)
        #expect(tar.count % 512 == 0)
        #expect(TarReader.isTar(tar))
    }

    @Test func skipsEveryOptionalHeaderField() throws {
        let bytes = try fixture("header-fields.gz")
        // FHCRC, FEXTRA, FNAME and FCOMMENT.
        #expect(bytes[3] == 0x1E)
        #expect(try GzipDecoder.decode(bytes) == (try fixture("header-fields.txt")))
    }

    @Test func concatenatesMembers() throws {
        let data = try GzipDecoder.decode(try fixture("two-members.gz"))
        #expect(String(decoding: data, as: UTF8.self) == "first member\nsecond member\n")
    }

    @Test func ignoresZeroPaddingButNotOtherTrailingData() throws {
        let bytes = try fixture("two-members.gz")
        #expect(try GzipDecoder.decode(bytes + [0, 0, 0, 0]).count == 27)
        #expect(error(bytes + [0, 0, 0x41]) == .trailingData(offset: bytes.count + 2))
        #expect(error(bytes + [0x1F]) == .trailingData(offset: bytes.count))
        #expect(error(bytes + [0x1F, 0x8B]) == .truncatedHeader(member: 3))
    }

    @Test func checksTheCRC() throws {
        let error = self.error(try fixture("bad-crc.gz"))
        guard case .crcMismatch(member: 1, let expected, let actual) = error else {
            Issue.record("expected a CRC mismatch, got \(String(describing: error))")
            return
        }
        #expect(expected == actual ^ 0xFF)
        #expect(error?.description.contains("CRC-32") == true)
        #expect(error?.description.contains("gzip member 1") == true)
    }

    @Test func checksTheSize() throws {
        var bytes = try fixture("header-fields.gz")
        bytes[bytes.count - 4] ^= 0x01
        #expect(error(bytes) == .sizeMismatch(member: 1, expected: 580 ^ 0x01, actual: 580))
    }

    @Test func checksTheHeaderCRC() throws {
        var bytes = try fixture("header-fields.gz")
        bytes[43] ^= 0x01
        #expect(error(bytes) == .headerCRCMismatch(member: 1))
        // The CRC covers the header: a changed file name fails it too.
        var renamed = try fixture("header-fields.gz")
        renamed[24] = UInt8(ascii: "S")
        #expect(error(renamed) == .headerCRCMismatch(member: 1))
    }

    @Test func rejectsBadHeaders() throws {
        let good = try fixture("two-members.gz")
        #expect(error([0x50, 0x4B, 3, 4]) == .notGzip)
        #expect(error([]) == .notGzip)
        #expect(error(Array(good.prefix(6))) == .truncatedHeader(member: 1))
        var method = good
        method[2] = 7
        #expect(error(method) == .unsupportedMethod(member: 1, method: 7))
        #expect(error(method)?.description == "gzip member 1: compression method 7 is not DEFLATE (8)")
        var reserved = good
        reserved[3] |= 0x20
        #expect(error(reserved) == .reservedFlags(member: 1, flags: 0x20))
        // A file name that never ends.
        let named = try fixture("header-fields.gz")
        #expect(error(Array(named.prefix(28))) == .truncatedHeader(member: 1))
    }

    @Test func reportsTruncation() throws {
        let bytes = try fixture("client-token.tar.gz")
        #expect(error(Array(bytes.prefix(bytes.count / 2))) == .deflate(member: 1, .truncated))
        #expect(error(Array(bytes.dropLast(3))) == .truncatedTrailer(member: 1))
        let message = error(Array(bytes.prefix(bytes.count / 2)))?.description ?? ""
        #expect(message == "gzip member 1: the compressed data is truncated: it ends inside the DEFLATE stream")
    }

    @Test func stopsAtTheLimit() throws {
        let bomb = try fixture("bomb.tar.gz")
        #expect(error(bomb) == .deflate(member: 1, .limitExceeded(limit: 16 << 20)))
        #expect(error(bomb)?.description.contains("more than 16777216 bytes") == true)
        // The limit is for all members together.
        #expect(error(try fixture("two-members.gz"), limit: 20) == .deflate(member: 2, .limitExceeded(limit: 20)))
        #expect(try GzipDecoder.decode(try fixture("two-members.gz"), limit: 27).count == 27)
    }
}

@Suite struct CRC32Tests {
    @Test func matchesTheCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    @Test func matchesZlibOnALongText() throws {
        let text = try FixtureSupport.bytes("bitfusion/deflate-long.txt")
        #expect(CRC32.checksum(text) == 0x930D_BA3A)
        // In pieces of every alignment, the same.
        var crc = CRC32()
        var start = 0
        var piece = 1
        while start < text.count {
            let end = min(text.count, start + piece)
            crc.update(text, start..<end)
            start = end
            piece = piece % 13 + 1
        }
        #expect(crc.value == 0x930D_BA3A)
    }
}
