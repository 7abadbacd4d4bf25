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

    @Test func skipsAPartialLastRecordAsTheDaemonReads() throws {
        // hv_kvp_daemon reads whole records with fread: a record still being written is not one.
        let bytes = KVPPoolWriter.pool([("a", "1")]) + Array(repeating: 0x41, count: 700)
        let pairs = try KVPPoolDecoder.decode(bytes)
        #expect(pairs.map(\.key) == ["a"])
        #expect(pairs.map(\.value) == ["1"])
        #expect(try KVPPoolDecoder.decode(Array(repeating: 0x41, count: 2559)).isEmpty)
    }

    @Test func encoderWritesTheDaemonsRecordAndReplacesOnlyItsKeys() throws {
        let record = try KVPPoolEncoder.record(key: "k", value: "v")
        #expect(record == KVPPoolWriter.record("k", "v"))
        let pool = KVPPoolWriter.pool([("other", "kept"), ("mine", "old"), ("x", "y")]) + [1, 2, 3]
        let replaced = try KVPPoolEncoder.replacing(["mine"], with: [("mine", "new"), ("also", "2")], in: pool)
        #expect(replaced.count == 4 * KVPPoolDecoder.recordSize)
        #expect(Array(replaced[0..<(2 * KVPPoolDecoder.recordSize)]) == KVPPoolWriter.pool([("other", "kept"), ("x", "y")]))
        let pairs = try KVPPoolDecoder.decode(replaced)
        #expect(pairs.map(\.key) == ["other", "x", "mine", "also"])
        #expect(pairs.map(\.value) == ["kept", "y", "new", "2"])
    }

    @Test func encoderRefusesFieldsThatDoNotFitWithTheirNUL() {
        let long = String(repeating: "v", count: KVPPoolDecoder.valueSize)
        #expect(throws: GuestPrepError.self) { try KVPPoolEncoder.record(key: "k", value: long) }
        #expect(throws: GuestPrepError.self) { try KVPPoolEncoder.record(key: "", value: "v") }
        #expect(throws: GuestPrepError.self) {
            try KVPPoolEncoder.record(key: String(repeating: "k", count: KVPPoolDecoder.keySize), value: "")
        }
        let fits = String(repeating: "v", count: KVPPoolEncoder.maxValueBytes)
        #expect((try? KVPPoolEncoder.record(key: "k", value: fits))?.count == KVPPoolDecoder.recordSize)
        let error = #expect(throws: GuestPrepError.self) {
            try KVPPoolEncoder.record(key: "guestinfo.guestprep.status", value: long)
        }
        #expect(error?.description.contains("KVP record guestinfo.guestprep.status") == true)
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
