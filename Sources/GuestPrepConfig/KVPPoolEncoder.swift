import GuestPrepModel

/// Writes Hyper-V KVP pool records as hv_kvp_daemon keeps them: `struct kvp_record { char
/// key[HV_KVP_EXCHANGE_MAX_KEY_SIZE]; char value[HV_KVP_EXCHANGE_MAX_VALUE_SIZE]; }`, 512 and
/// 2048 bytes (Linux include/uapi/linux/hyperv.h; tools/hv/hv_kvp_daemon.c), each field UTF-8
/// and NUL-padded. The daemon compares keys with `memcmp` over the key and hands both fields
/// to the host as C strings, so each one keeps at least one terminating NUL.
public enum KVPPoolEncoder {
    /// The longest key, in bytes: the field less its terminating NUL.
    public static let maxKeyBytes = KVPPoolDecoder.keySize - 1
    /// The longest value, in bytes: the field less its terminating NUL.
    public static let maxValueBytes = KVPPoolDecoder.valueSize - 1

    /// One record of `key` and `value`.
    ///
    /// - Throws: `GuestPrepError.malformed(what: "KVP record <key>", reason:)` when the key is
    ///   empty, either field is too long or holds a NUL.
    public static func record(key: String, value: String) throws -> [UInt8] {
        let keyBytes = Array(key.utf8)
        let valueBytes = Array(value.utf8)
        let what = "KVP record \(key)"
        guard !keyBytes.isEmpty else { throw GuestPrepError.malformed(what: "KVP record", reason: "the key is empty") }
        guard keyBytes.count <= maxKeyBytes, !keyBytes.contains(0) else {
            throw GuestPrepError.malformed(what: what, reason: "the key must be 1 to \(maxKeyBytes) bytes without a NUL")
        }
        guard valueBytes.count <= maxValueBytes, !valueBytes.contains(0) else {
            throw GuestPrepError.malformed(
                what: what, reason: "the value is \(valueBytes.count) bytes; at most \(maxValueBytes) without a NUL fit")
        }
        return keyBytes + [UInt8](repeating: 0, count: KVPPoolDecoder.keySize - keyBytes.count)
            + valueBytes + [UInt8](repeating: 0, count: KVPPoolDecoder.valueSize - valueBytes.count)
    }

    /// `pool` with every record whose key is in `owned` removed and `pairs` appended, in order.
    /// Every other record is kept byte for byte where it was (records are never re-encoded);
    /// a partial last record, which the daemon's own reads leave out, is dropped.
    public static func replacing(
        _ owned: Set<String>, with pairs: [(key: String, value: String)], in pool: [UInt8]
    ) throws -> [UInt8] {
        let whole = pool.count - pool.count % KVPPoolDecoder.recordSize
        var kept: [UInt8] = []
        kept.reserveCapacity(whole + pairs.count * KVPPoolDecoder.recordSize)
        for start in stride(from: 0, to: whole, by: KVPPoolDecoder.recordSize) {
            let keyField = pool[start..<(start + KVPPoolDecoder.keySize)]
            let key = String(decoding: keyField.prefix { $0 != 0 }, as: UTF8.self)
            if owned.contains(key) { continue }
            kept += pool[start..<(start + KVPPoolDecoder.recordSize)]
        }
        for pair in pairs { kept += try record(key: pair.key, value: pair.value) }
        return kept
    }
}
