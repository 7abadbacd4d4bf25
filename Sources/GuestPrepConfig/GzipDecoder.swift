/// Decompresses gzip data (RFC 1952): each member's header (with its optional extra field,
/// file name, comment and header CRC), its DEFLATE data, and its trailer's CRC-32 and size,
/// all checked. Members written one after another (as `cat a.gz b.gz` makes) are decompressed
/// one after another and their data concatenated; anything else after the last member is an
/// error, except zero bytes (padding some writers add).
public enum GzipDecoder {
    /// Whether `bytes` starts with gzip's signature, 1f 8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The data `bytes` holds.
    ///
    /// - Parameter limit: the most bytes the data of all members together may have.
    public static func decode(_ bytes: [UInt8], limit: Int = Inflate.defaultLimit) throws(GzipError) -> [UInt8] {
        guard isGzip(bytes) else { throw .notGzip }
        var output: [UInt8] = []
        var start = 0
        var member = 1
        while true {
            let dataStart = try header(bytes, start, member: member)
            let inflated: (output: [UInt8], end: Int)
            do {
                inflated = try Inflate.decompress(bytes, from: dataStart, limit: limit - output.count)
            } catch .limitExceeded {
                throw .deflate(member: member, .limitExceeded(limit: limit))
            } catch {
                throw .deflate(member: member, error)
            }
            let end = inflated.end
            guard bytes.count - end >= 8 else { throw .truncatedTrailer(member: member) }
            let expectedCRC = le32(bytes, end)
            let expectedSize = le32(bytes, end + 4)
            let actualCRC = CRC32.checksum(inflated.output)
            guard actualCRC == expectedCRC else {
                throw .crcMismatch(member: member, expected: expectedCRC, actual: actualCRC)
            }
            let actualSize = UInt32(truncatingIfNeeded: inflated.output.count)
            guard actualSize == expectedSize else {
                throw .sizeMismatch(member: member, expected: expectedSize, actual: actualSize)
            }
            output += inflated.output
            start = end + 8
            if isGzip(Array(bytes[start..<min(start + 2, bytes.count)])) {
                member += 1
                continue
            }
            guard let extra = bytes[start...].firstIndex(where: { $0 != 0 }) else { return output }
            throw .trailingData(offset: extra)
        }
    }

    /// Header flags (FLG).
    private static let headerCRCFlag: UInt8 = 0x02
    private static let extraFlag: UInt8 = 0x04
    private static let nameFlag: UInt8 = 0x08
    private static let commentFlag: UInt8 = 0x10
    private static let reservedFlags: UInt8 = 0xE0

    /// Checks the member header at `start` and gives the index where its DEFLATE data starts.
    private static func header(_ bytes: [UInt8], _ start: Int, member: Int) throws(GzipError) -> Int {
        guard bytes.count - start >= 10 else { throw .truncatedHeader(member: member) }
        guard bytes[start + 2] == 8 else { throw .unsupportedMethod(member: member, method: bytes[start + 2]) }
        let flags = bytes[start + 3]
        guard flags & reservedFlags == 0 else { throw .reservedFlags(member: member, flags: flags) }
        var position = start + 10
        if flags & extraFlag != 0 {
            guard bytes.count - position >= 2 else { throw .truncatedHeader(member: member) }
            let length = Int(bytes[position]) | Int(bytes[position + 1]) << 8
            guard bytes.count - position - 2 >= length else { throw .truncatedHeader(member: member) }
            position += 2 + length
        }
        for flag in [nameFlag, commentFlag] where flags & flag != 0 {
            // A zero-terminated ISO 8859-1 string.
            guard let zero = bytes[position...].firstIndex(of: 0) else { throw .truncatedHeader(member: member) }
            position = zero + 1
        }
        if flags & headerCRCFlag != 0 {
            guard bytes.count - position >= 2 else { throw .truncatedHeader(member: member) }
            var crc = CRC32()
            crc.update(bytes, start..<position)
            let expected = UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
            guard UInt16(truncatingIfNeeded: crc.value) == expected else {
                throw .headerCRCMismatch(member: member)
            }
            position += 2
        }
        return position
    }

    private static func le32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}

/// Why gzip data could not be decompressed. Members are numbered from 1.
public enum GzipError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data does not start with gzip's signature 1f 8b.
    case notGzip
    /// A member header that ends before its fields do.
    case truncatedHeader(member: Int)
    /// A compression method other than 8 (DEFLATE), the only one RFC 1952 defines.
    case unsupportedMethod(member: Int, method: UInt8)
    /// Header flag bits that RFC 1952 reserves are set.
    case reservedFlags(member: Int, flags: UInt8)
    /// The header's CRC-16 (FHCRC) does not match the header.
    case headerCRCMismatch(member: Int)
    /// The member's DEFLATE data could not be decompressed (including the output limit).
    case deflate(member: Int, InflateError)
    /// The member ends before its 8-byte trailer does.
    case truncatedTrailer(member: Int)
    /// The data's CRC-32 is not the one the trailer gives.
    case crcMismatch(member: Int, expected: UInt32, actual: UInt32)
    /// The data's size (modulo 2^32) is not the one the trailer gives.
    case sizeMismatch(member: Int, expected: UInt32, actual: UInt32)
    /// Bytes that are neither a gzip member nor zero padding follow the last member.
    case trailingData(offset: Int)

    public var description: String {
        switch self {
        case .notGzip:
            return "not gzip data: it does not start with the gzip signature 1f 8b"
        case .truncatedHeader(let member):
            return "gzip member \(member): the header is truncated"
        case .unsupportedMethod(let member, let method):
            return "gzip member \(member): compression method \(method) is not DEFLATE (8)"
        case .reservedFlags(let member, let flags):
            return "gzip member \(member): the header has reserved flag bits set (flags 0x\(hex(flags, 2))); the data is corrupt"
        case .headerCRCMismatch(let member):
            return "gzip member \(member): the header's CRC-16 does not match the header; the data is corrupt"
        case .deflate(let member, let error):
            return "gzip member \(member): \(error)"
        case .truncatedTrailer(let member):
            return "gzip member \(member): the data is truncated: it ends before the trailer (CRC-32 and size)"
        case .crcMismatch(let member, let expected, let actual):
            return "gzip member \(member): the data's CRC-32 is 0x\(hex(actual, 8)), not the 0x\(hex(expected, 8)) its trailer gives; the data is corrupt"
        case .sizeMismatch(let member, let expected, let actual):
            return "gzip member \(member): the data is \(actual) bytes (modulo 2^32), not the \(expected) its trailer gives; the data is corrupt"
        case .trailingData(let offset):
            return "unexpected data after the last gzip member, at byte \(offset); the file is corrupt"
        }
    }

    private func hex(_ value: some BinaryInteger, _ digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
