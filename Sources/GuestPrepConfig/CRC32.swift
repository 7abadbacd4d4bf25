/// CRC-32 as gzip (RFC 1952) and zip use it: the reflected polynomial 0xEDB88320, initial
/// value and final XOR 0xFFFFFFFF. Table-driven, eight bytes per step ("slicing by 8"), so
/// checking a 16 MiB archive costs milliseconds.
public struct CRC32: Sendable {
    /// The CRC of the bytes given so far.
    public private(set) var value: UInt32 = 0

    public init() {}

    /// The CRC of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// Adds `bytes` to the CRC.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { update($0) }
    }

    /// Adds `bytes[range]` to the CRC.
    public mutating func update(_ bytes: [UInt8], _ range: Range<Int>) {
        bytes.withUnsafeBufferPointer { update(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// Adds the bytes of `buffer` to the CRC.
    public mutating func update(_ buffer: UnsafeBufferPointer<UInt8>) {
        var crc = ~value
        let tables = Self.tables
        tables.withUnsafeBufferPointer { table in
            var index = 0
            let count = buffer.count
            while index + 8 <= count {
                let low = crc ^ (UInt32(buffer[index]) | UInt32(buffer[index + 1]) << 8
                    | UInt32(buffer[index + 2]) << 16 | UInt32(buffer[index + 3]) << 24)
                crc = table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int(low >> 8 & 0xFF)]
                    ^ table[5 * 256 + Int(low >> 16 & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                    ^ table[3 * 256 + Int(buffer[index + 4])] ^ table[2 * 256 + Int(buffer[index + 5])]
                    ^ table[256 + Int(buffer[index + 6])] ^ table[Int(buffer[index + 7])]
                index += 8
            }
            while index < count {
                crc = table[Int((crc ^ UInt32(buffer[index])) & 0xFF)] ^ crc >> 8
                index += 1
            }
        }
        value = ~crc
    }

    /// Eight tables of 256: table 0 is the byte-at-a-time table, table k advances a byte
    /// through k further zero bytes.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ crc >> 1 : crc >> 1 }
            tables[byte] = crc
        }
        for byte in 0..<256 {
            for k in 1..<8 {
                let previous = tables[(k - 1) * 256 + byte]
                tables[k * 256 + byte] = tables[Int(previous & 0xFF)] ^ previous >> 8
            }
        }
        return tables
    }()
}
