import GuestPrepConfig
import GuestPrepModel
import Testing

/// Writes KVP pool files the way hv_kvp_daemon does, for the tests.
enum KVPPoolWriter {
    /// One 2560-byte record: the key and value, each NUL-padded to its field.
    static func record(_ key: String, _ value: String) -> [UInt8] {
        let keyBytes = Array(key.utf8)
        let valueBytes = Array(value.utf8)
        return keyBytes + Array(repeating: 0, count: KVPPoolDecoder.keySize - keyBytes.count)
            + valueBytes + Array(repeating: 0, count: KVPPoolDecoder.valueSize - valueBytes.count)
    }

    static func pool(_ pairs: [(String, String)]) -> [UInt8] {
        pairs.flatMap { record($0.0, $0.1) }
    }
}

@Suite struct KVPPoolDecoderTests {
    private func message(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> String {
        FixtureSupport.malformedMessage("KVP pool file", sourceLocation: sourceLocation) {
            try KVPPoolDecoder.decode(bytes)
        } ?? ""
    }

    @Test func recordLayout() {
        #expect(KVPPoolDecoder.recordSize == 2560)
    }

    @Test func decodesTheCommittedFixture() throws {
        let pairs = try KVPPoolDecoder.decode(try FixtureSupport.bytes("kvp_pool_0"))
        #expect(
            pairs.map(\.key) == [
                "guestinfo.bitfusion.host.hostname", "guestinfo.bitfusion.host.net1.ipv4address",
                "guestinfo.bitfusion.host.net1.domain", "guestinfo.bitfusion.host.net1.mtu",
            ])
        #expect(pairs.map(\.value) == ["bf-hyperv-01", "10.20.30.42", "lab example.com", ""])
    }

    @Test func decodesGeneratedPoolInOrderSkippingEmptySlots() throws {
        let pool =
            KVPPoolWriter.pool([("b", "2"), ("", ""), ("a", "1"), ("b", "3")])
            + Array(repeating: 0, count: KVPPoolDecoder.recordSize)
        let pairs = try KVPPoolDecoder.decode(pool)
        #expect(pairs.map(\.key) == ["b", "a", "b"])
        #expect(pairs.map(\.value) == ["2", "1", "3"])
    }

    @Test func emptyFileHasNoPairs() throws {
        #expect(try KVPPoolDecoder.decode([]).isEmpty)
    }

    @Test func fieldsEndAtTheFirstNULAndKeepUTF8() throws {
        var record = KVPPoolWriter.record("guestinfo.x", "Grüße aus Zürich")
        record[KVPPoolDecoder.keySize + 100] = 0x41  // garbage after the terminating NUL
        let longValue = String(repeating: "v", count: KVPPoolDecoder.valueSize)
        let pairs = try KVPPoolDecoder.decode(record + KVPPoolWriter.record("full", longValue))
        #expect(pairs.map(\.value) == ["Grüße aus Zürich", longValue])
    }

    @Test func rejectsATruncatedRecord() {
        let bytes = KVPPoolWriter.pool([("a", "1")]) + Array(repeating: 0x41, count: 700)
        #expect(
            message(bytes) == "KVP pool file: 3260 bytes is not a whole number of 2560-byte records "
                + "(512-byte key + 2048-byte value): the last record is cut short at 700 bytes; "
                + "the file is truncated or not a KVP pool")
    }

    @Test func rejectsInvalidUTF8() {
        var bytes = KVPPoolWriter.pool([("a", "1"), ("b", "2")])
        bytes[KVPPoolDecoder.recordSize] = 0xFF
        #expect(message(bytes).contains("the key of record 1 (byte 2560) is not valid UTF-8"))
        bytes = KVPPoolWriter.pool([("a", "1")])
        bytes[KVPPoolDecoder.keySize] = 0xC3
        #expect(message(bytes).contains("the value of a (record 0, byte 512) is not valid UTF-8"))
    }
}
