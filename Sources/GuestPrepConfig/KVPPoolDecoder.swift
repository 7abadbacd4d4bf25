import GuestPrepModel

/// Decodes a Hyper-V KVP pool file (`/var/lib/hyperv/.kvp_pool_0` … `_4`), as hv_kvp_daemon
/// writes it: a sequence of records, each a 512-byte key and a 2048-byte value, UTF-8 and
/// padded with NULs.
public enum KVPPoolDecoder {
    /// The size of a record's key field.
    public static let keySize = 512
    /// The size of a record's value field.
    public static let valueSize = 2048
    /// The size of one record.
    public static let recordSize = keySize + valueSize

    /// What errors name as the malformed document.
    static let what = "KVP pool file"

    /// The key/value pairs of `bytes`, in file order. Records with an empty key (the zeroed
    /// slots the daemon leaves behind) are skipped; each field ends at its first NUL. A partial
    /// last record is left out, as the daemon itself reads the file: `fread` of whole
    /// `struct kvp_record`s (Linux tools/hv/hv_kvp_daemon.c, kvp_update_mem_state) counts only
    /// complete records, so a record still being written is not one yet.
    ///
    /// - Throws: `GuestPrepError.malformed(what: "KVP pool file", reason:)` when a key or value
    ///   is not UTF-8.
    public static func decode(_ bytes: [UInt8]) throws -> [(key: String, value: String)] {
        let whole = bytes.count - bytes.count % recordSize
        var pairs: [(key: String, value: String)] = []
        for (index, start) in stride(from: 0, to: whole, by: recordSize).enumerated() {
            let keyField = bytes[start..<(start + keySize)]
            let valueField = bytes[(start + keySize)..<(start + recordSize)]
            let keyBytes = keyField.prefix { $0 != 0 }
            guard !keyBytes.isEmpty else { continue }
            guard let key = String(validating: keyBytes, as: UTF8.self) else {
                throw GuestPrepError.malformed(
                    what: what, reason: "the key of record \(index) (byte \(start)) is not valid UTF-8")
            }
            guard let value = String(validating: valueField.prefix { $0 != 0 }, as: UTF8.self) else {
                throw GuestPrepError.malformed(
                    what: what,
                    reason:
                        "the value of \(key) (record \(index), byte \(start + keySize)) is not valid UTF-8")
            }
            pairs.append((key: key, value: value))
        }
        return pairs
    }
}
