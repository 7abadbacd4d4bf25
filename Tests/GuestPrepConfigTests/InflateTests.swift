import GuestPrepConfig
import Testing

/// Writes a DEFLATE bit stream: fields first bit lowest, Huffman codes first bit highest.
struct DeflateBits {
    private(set) var bytes: [UInt8] = []
    private var used = 0

    mutating func field(_ value: Int, _ count: Int) {
        for bit in 0..<count { append(value >> bit & 1) }
    }

    mutating func code(_ value: Int, _ length: Int) {
        for bit in (0..<length).reversed() { append(value >> bit & 1) }
    }

    private mutating func append(_ bit: Int) {
        if used == 0 { bytes.append(0) }
        bytes[bytes.count - 1] |= UInt8(bit) << used
        used = (used + 1) % 8
    }
}

@Suite struct InflateTests {
    private func fixture(_ name: String) throws -> [UInt8] {
        try FixtureSupport.bytes("bitfusion/\(name)")
    }

    private func error(_ input: [UInt8], limit: Int = Inflate.defaultLimit) -> InflateError? {
        do {
            let output = try Inflate.decompress(input, limit: limit)
            Issue.record("expected an error, got \(output.count) bytes")
            return nil
        } catch {
            return error
        }
    }

    /// A fixed-Huffman final block's header.
    private func fixedBlock() -> DeflateBits {
        var bits = DeflateBits()
        bits.field(1, 1)
        bits.field(1, 2)
        return bits
    }

    @Test func decompressesStoredBlocks() throws {
        let stream = try fixture("deflate-stored.bin")
        // Level 0 stores 70 KB in two blocks, the longest 65535 bytes.
        #expect(stream[0] & 0x06 == 0)
        #expect(try Inflate.decompress(stream) == (try fixture("deflate-long.txt")))
    }

    @Test func decompressesAFixedHuffmanBlock() throws {
        let stream = try fixture("deflate-fixed.bin")
        #expect(stream[0] >> 1 & 3 == 1)
        let text = "Bitfusion servers: 172.31.51.20:56001, 172.31.51.26:56003\n"
        #expect(String(decoding: try Inflate.decompress(stream), as: UTF8.self) == text)
    }

    @Test func decompressesDynamicHuffmanBlocks() throws {
        let stream = try fixture("deflate-dynamic.bin")
        #expect(stream[0] >> 1 & 3 == 2)
        #expect(try Inflate.decompress(stream) == (try fixture("deflate-long.txt")))
    }

    @Test func decompressesEmptyBlocks() throws {
        #expect(try Inflate.decompress([0x01, 0x00, 0x00, 0xFF, 0xFF]).isEmpty)
        #expect(try Inflate.decompress([0x03, 0x00]).isEmpty)
    }

    @Test func givesWhereTheStreamEnds() throws {
        let stream = try fixture("deflate-dynamic.bin")
        let result = try Inflate.decompress([0xEE] + stream + [0xAA, 0xBB, 0xCC], from: 1)
        #expect(result.end == stream.count + 1)
        #expect(result.output.count == 70250)
        let stored = try Inflate.decompress([0x01, 0x02, 0x00, 0xFD, 0xFF, 7, 8, 9], from: 0)
        #expect(stored.output == [7, 8])
        #expect(stored.end == 7)
    }

    @Test func stopsAtTheOutputLimit() throws {
        let long = try fixture("deflate-long.txt")
        for name in ["deflate-stored.bin", "deflate-dynamic.bin"] {
            let stream = try fixture(name)
            #expect(error(stream, limit: 1000) == .limitExceeded(limit: 1000))
            #expect(error(stream, limit: long.count - 1) == .limitExceeded(limit: long.count - 1))
            #expect(try Inflate.decompress(stream, limit: long.count) == long)
        }
        #expect(try Inflate.decompress([0x03, 0x00], limit: 0).isEmpty)
        #expect(error(try fixture("deflate-fixed.bin"), limit: 0) == .limitExceeded(limit: 0))
        #expect(error(try fixture("deflate-fixed.bin"), limit: 10)?.description == "the compressed data expands to more than 10 bytes, the limit")
    }

    @Test func reportsTruncation() throws {
        #expect(error([]) == .truncated)
        let dynamic = try fixture("deflate-dynamic.bin")
        for cut in [1, 2, 40, dynamic.count / 2, dynamic.count - 1] {
            #expect(error(Array(dynamic.prefix(cut))) == .truncated, "cut at \(cut)")
        }
        let stored = try fixture("deflate-stored.bin")
        #expect(error(Array(stored.prefix(3))) == .truncated)
        #expect(error(Array(stored.prefix(1000))) == .truncated)
        #expect(error([0x01, 0x05, 0x00, 0xFA, 0xFF, 1, 2]) == .truncated)
    }

    @Test func rejectsTheReservedBlockType() {
        #expect(error([0x07]) == .invalidBlockType(offset: 0))
        // A stored block, then a block of type 3 in the second byte after it.
        #expect(error([0x00, 0x01, 0x00, 0xFE, 0xFF, 0x41, 0x07]) == .invalidBlockType(offset: 6))
    }

    @Test func rejectsAStoredLengthWithoutItsComplement() {
        #expect(error([0x01, 0x05, 0x00, 0x00, 0x00]) == .storedLengthMismatch(offset: 0))
    }

    @Test func rejectsADistanceBeforeTheStart() {
        var bits = fixedBlock()
        bits.code(0x30 + 0x41, 8)  // literal 'A'
        bits.code(1, 7)  // length 3
        bits.code(1, 5)  // distance 2
        bits.code(0, 7)
        #expect(error(bits.bytes) == .distanceTooFarBack(offset: 2, distance: 2, available: 1))
        #expect(error(bits.bytes)?.description.contains("2 bytes back") == true)
    }

    @Test func copiesOverlappingBackReferences() throws {
        var bits = fixedBlock()
        bits.code(0x30 + 0x61, 8)  // 'a'
        bits.code(0x30 + 0x62, 8)  // 'b'
        bits.code(0b0001000, 7)  // length code 264: 10
        bits.code(1, 5)  // distance 2
        bits.code(0, 7)
        #expect(String(decoding: try Inflate.decompress(bits.bytes), as: UTF8.self) == "abababababab")
    }

    @Test func rejectsSymbolsDeflateDoesNotDefine() {
        var length = fixedBlock()
        length.code(0b1100_0110, 8)  // literal/length symbol 286
        #expect(error(length.bytes) == .invalidSymbol(offset: 0))
        var distance = fixedBlock()
        distance.code(0x30 + 0x41, 8)
        distance.code(1, 7)
        distance.code(30, 5)  // distance symbol 30
        #expect(error(distance.bytes) == .invalidSymbol(offset: 2))
    }

    /// A dynamic block header with `literals` and `distances` codes whose code length code
    /// gives `lengthLengths` (in the order 16, 17, 18, 0, 8, ...).
    private func dynamicHeader(literals: Int = 257, distances: Int = 1, _ lengthLengths: [Int]) -> DeflateBits {
        var bits = DeflateBits()
        bits.field(1, 1)
        bits.field(2, 2)
        bits.field(literals - 257, 5)
        bits.field(distances - 1, 5)
        bits.field(lengthLengths.count - 4, 4)
        for length in lengthLengths { bits.field(length, 3) }
        return bits
    }

    private func codeLengthReason(_ input: [UInt8]) -> String? {
        guard case .badCodeLengths(let offset, let reason) = error(input) else { return nil }
        #expect(offset == 0)
        return reason
    }

    @Test func rejectsBadCodeLengths() {
        #expect(codeLengthReason(dynamicHeader([1, 1, 1, 1]).bytes) == "the code length code is over-subscribed")
        #expect(codeLengthReason(dynamicHeader([1, 0, 0, 0]).bytes) == "the code length code is incomplete")
        #expect(codeLengthReason(dynamicHeader(literals: 287, [1, 0, 0, 1]).bytes) == "287 literal/length codes, more than 286")
        #expect(codeLengthReason(dynamicHeader(distances: 31, [1, 0, 0, 1]).bytes) == "31 distance codes, more than 30")

        // Code length code: symbol 0 is "0", symbol 16 is "1".
        var repeatFirst = dynamicHeader([1, 0, 0, 1])
        repeatFirst.code(1, 1)
        repeatFirst.field(0, 2)
        #expect(codeLengthReason(repeatFirst.bytes) == "a repeat comes before any length")

        // Symbol 0 is "00", 16 "01", 17 "10", 18 "11": 138 zeros twice runs past 258 codes.
        var overrun = dynamicHeader([2, 2, 2, 2])
        for _ in 0..<2 {
            overrun.code(0b11, 2)
            overrun.field(127, 7)
        }
        #expect(codeLengthReason(overrun.bytes) == "a repeat runs past the last code")

        // 258 zero lengths: no end-of-block code.
        var noEnd = dynamicHeader([2, 2, 2, 2])
        noEnd.code(0b11, 2)
        noEnd.field(127, 7)
        noEnd.code(0b11, 2)
        noEnd.field(120 - 11, 7)
        #expect(codeLengthReason(noEnd.bytes) == "there is no end-of-block code")
        #expect(error(noEnd.bytes)?.description.contains("Huffman code lengths of the block at byte 0 are invalid") == true)
    }

    @Test func acceptsASingleDistanceCode() throws {
        // Literal/length: 'a' (97), end of block (256) and length 3 (257), two bits each
        // except 'a' with one; one distance code (0) of one bit.
        var lengths = [Int](repeating: 0, count: 258 + 1)
        lengths[97] = 1
        lengths[256] = 2
        lengths[257] = 2
        lengths[258] = 1
        // Code length code: 0, 1, 2 of two bits, 18 of two bits -> symbols 0 "00", 1 "01",
        // 2 "10", 18 "11".
        var bits = dynamicHeader(literals: 258, distances: 1, [0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2])
        var index = 0
        while index < lengths.count {
            if lengths[index] == 0 {
                var run = 0
                while index + run < lengths.count, lengths[index + run] == 0, run < 138 { run += 1 }
                if run >= 11 {
                    bits.code(0b11, 2)
                    bits.field(run - 11, 7)
                    index += run
                    continue
                }
            }
            bits.code(lengths[index], 2)
            index += 1
        }
        // 'a' is "0", end "10", length 3 "11"; distance 0 is "0".
        bits.code(0, 1)
        bits.code(0b11, 2)
        bits.code(0, 1)
        bits.code(0b10, 2)
        #expect(String(decoding: try Inflate.decompress(bits.bytes), as: UTF8.self) == "aaaa")
    }
}
