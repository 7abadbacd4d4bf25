/// Reads the members of a zip archive in memory: enough zip for a plain archive, as the
/// members a tool such as `zip` or Python's zipfile writes. The central directory at the end
/// says what the members are and where (sizes and CRC-32 from there, since a local header may
/// defer them to a data descriptor); each member's data, after its local header, is
/// decompressed (method 0, stored, or 8, DEFLATE) and checked against its CRC-32 and size.
///
/// Refused with an error: zip64, archives split across disks, encrypted members, other
/// compression methods, and members whose path is absolute or has a `..` component. A member
/// whose Unix mode (kept by zip tools on Unix) says symbolic link, device or pipe is returned
/// with that kind, not followed.
public enum ZipReader {
    /// Whether `bytes` starts with a local file header's signature, `PK\u{3}\u{4}`, or is an
    /// empty archive (`PK\u{5}\u{6}`).
    public static func isZip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B
            && (bytes[2] == 3 && bytes[3] == 4 || bytes[2] == 5 && bytes[3] == 6)
    }

    /// The members of the archive `bytes`, in central directory order.
    ///
    /// - Parameter limit: the most bytes all members' data together may have once
    ///   decompressed.
    public static func entries(_ bytes: [UInt8], limit: Int = Inflate.defaultLimit) throws(ZipError) -> [ArchiveEntry] {
        let end = try endOfCentralDirectory(bytes)
        var entries: [ArchiveEntry] = []
        var total = 0
        var position = end.directoryOffset
        for index in 0..<end.count {
            guard bytes.count - position >= 46, le32(bytes, position) == 0x0201_4B50 else {
                throw .corrupt("central directory entry \(index + 1) (byte \(position)) is missing or corrupt")
            }
            let madeBy = le16(bytes, position + 4)
            let flags = le16(bytes, position + 8)
            let method = le16(bytes, position + 10)
            let crc = le32(bytes, position + 16)
            let compressedSize = Int(le32(bytes, position + 20))
            let size = Int(le32(bytes, position + 24))
            let nameLength = le16(bytes, position + 28)
            let extraLength = le16(bytes, position + 30)
            let commentLength = le16(bytes, position + 32)
            let externalAttributes = le32(bytes, position + 38)
            let localOffset = Int(le32(bytes, position + 42))
            let nameStart = position + 46
            guard bytes.count - nameStart >= nameLength + extraLength + commentLength else {
                throw .corrupt("central directory entry \(index + 1) (byte \(position)) is truncated")
            }
            let path = String(decoding: bytes[nameStart..<(nameStart + nameLength)], as: UTF8.self)
            position = nameStart + nameLength + extraLength + commentLength

            guard !path.isEmpty else { throw .corrupt("central directory entry \(index + 1) has no name") }
            guard !ArchiveEntry.isUnsafe(path) else { throw .unsafePath(path) }
            // 0xFFFFFFFF sizes or offset mean the real ones are in a zip64 extra field.
            guard compressedSize != 0xFFFF_FFFF, size != 0xFFFF_FFFF, localOffset != 0xFFFF_FFFF else {
                throw .unsupported("member \(Quoting.quote(path)) uses zip64")
            }
            guard flags & 0x0001 == 0 else { throw .encrypted(path: path) }

            let kind = Self.kind(path: path, madeBy: madeBy, externalAttributes: externalAttributes)
            if kind == .directory {
                entries.append(ArchiveEntry(path: path, kind: kind))
                continue
            }
            guard method == 0 || method == 8 else { throw .unsupportedMethod(path: path, method: method) }
            guard size <= limit - total else { throw .limitExceeded(path: path, limit: limit) }

            let dataStart = try localData(bytes, at: localOffset, path: path)
            guard bytes.count - dataStart >= compressedSize else {
                throw .corrupt("the data of member \(Quoting.quote(path)) runs past the end of the archive")
            }
            let contents: [UInt8]
            if method == 0 {
                contents = Array(bytes[dataStart..<(dataStart + compressedSize)])
            } else {
                do {
                    contents = try Inflate.decompress(
                        Array(bytes[dataStart..<(dataStart + compressedSize)]), limit: limit - total)
                } catch .limitExceeded {
                    throw .limitExceeded(path: path, limit: limit)
                } catch {
                    throw .deflate(path: path, error)
                }
            }
            guard contents.count == size else { throw .sizeMismatch(path: path, expected: size, actual: contents.count) }
            let actualCRC = CRC32.checksum(contents)
            guard actualCRC == crc else { throw .crcMismatch(path: path, expected: crc, actual: actualCRC) }
            total += size

            switch kind {
            case .file:
                entries.append(ArchiveEntry(path: path, kind: .file, contents: contents))
            case .symbolicLink:
                // A zip symbolic link stores its target as its data.
                let target = String(decoding: contents, as: UTF8.self)
                entries.append(ArchiveEntry(path: path, kind: .symbolicLink(target: target)))
            default:
                entries.append(ArchiveEntry(path: path, kind: kind))
            }
        }
        return entries
    }

    /// What the end of central directory record says.
    private struct End {
        var count: Int
        var directoryOffset: Int
    }

    /// Finds the end of central directory record: 22 bytes and a comment of at most 65535,
    /// so it starts within the last 65557 bytes.
    private static func endOfCentralDirectory(_ bytes: [UInt8]) throws(ZipError) -> End {
        guard bytes.count >= 22 else { throw .corrupt("it is too short to be a zip archive (\(bytes.count) bytes)") }
        var start = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        while true {
            if le32(bytes, start) == 0x0605_4B50, start + 22 + le16(bytes, start + 20) == bytes.count { break }
            guard start > lowest else {
                throw .corrupt("it has no end of central directory record: the archive is truncated or not a zip archive")
            }
            start -= 1
        }
        if start >= 20, le32(bytes, start - 20) == 0x0706_4B50 {
            throw .unsupported("it is a zip64 archive")
        }
        let disk = le16(bytes, start + 4)
        let directoryDisk = le16(bytes, start + 6)
        let countOnDisk = le16(bytes, start + 8)
        let count = le16(bytes, start + 10)
        let directoryOffset = Int(le32(bytes, start + 16))
        guard disk == 0, directoryDisk == 0, countOnDisk == count else {
            throw .unsupported("it is split across several disks")
        }
        guard count != 0xFFFF, directoryOffset != 0xFFFF_FFFF else { throw .unsupported("it is a zip64 archive") }
        guard directoryOffset <= start else {
            throw .corrupt("its central directory offset (\(directoryOffset)) lies past the end of the central directory")
        }
        return End(count: count, directoryOffset: directoryOffset)
    }

    /// Checks the local header of the member at `offset` and gives the index where its data
    /// starts.
    private static func localData(_ bytes: [UInt8], at offset: Int, path: String) throws(ZipError) -> Int {
        guard offset <= bytes.count - 30, le32(bytes, offset) == 0x0403_4B50 else {
            throw .corrupt("the local header of member \(Quoting.quote(path)) (byte \(offset)) is missing or corrupt")
        }
        guard le16(bytes, offset + 6) & 0x0001 == 0 else { throw .encrypted(path: path) }
        let nameLength = le16(bytes, offset + 26)
        let extraLength = le16(bytes, offset + 28)
        let dataStart = offset + 30 + nameLength + extraLength
        guard dataStart <= bytes.count else {
            throw .corrupt("the local header of member \(Quoting.quote(path)) (byte \(offset)) is truncated")
        }
        return dataStart
    }

    /// The member's kind: a name ending in `/` is a directory; otherwise the Unix file type
    /// in the high half of the external attributes, when a Unix tool (made-by host 3) wrote
    /// the archive.
    private static func kind(path: String, madeBy: Int, externalAttributes: UInt32) -> ArchiveEntry.Kind {
        if path.hasSuffix("/") { return .directory }
        guard madeBy >> 8 == 3 else { return .file }
        switch externalAttributes >> 16 & 0o170000 {
        case 0o120000: return .symbolicLink(target: "")
        case 0o040000: return .directory
        case 0o020000, 0o060000: return .device
        case 0o010000: return .fifo
        case 0o140000: return .other("a socket")
        default: return .file
        }
    }

    private static func le16(_ bytes: [UInt8], _ at: Int) -> Int {
        Int(bytes[at]) | Int(bytes[at + 1]) << 8
    }

    private static func le32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}

/// Why bytes are not a zip archive guestprep reads.
public enum ZipError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The archive's structure is broken: truncated, or not a zip archive.
    case corrupt(String)
    /// A zip feature guestprep does not read: zip64, several disks.
    case unsupported(String)
    /// An encrypted member.
    case encrypted(path: String)
    /// A member compressed with a method other than stored (0) or DEFLATE (8).
    case unsupportedMethod(path: String, method: Int)
    /// A member's DEFLATE data that could not be decompressed.
    case deflate(path: String, InflateError)
    /// A member's CRC-32 is not the one the central directory gives.
    case crcMismatch(path: String, expected: UInt32, actual: UInt32)
    /// A member's size is not the one the central directory gives.
    case sizeMismatch(path: String, expected: Int, actual: Int)
    /// The members' data would pass `limit` bytes once decompressed.
    case limitExceeded(path: String, limit: Int)
    /// A member whose path is absolute or has a `..` component.
    case unsafePath(String)

    public var description: String {
        switch self {
        case .corrupt(let reason):
            "the zip archive is corrupt: \(reason)"
        case .unsupported(let reason):
            "the zip archive is not supported: \(reason); only plain zip archives are read"
        case .encrypted(let path):
            "the zip archive's member \(Quoting.quote(path)) is encrypted; only unencrypted archives are read"
        case .unsupportedMethod(let path, let method):
            "the zip archive's member \(Quoting.quote(path)) is compressed with method \(method); only stored (0) and DEFLATE (8) are read"
        case .deflate(let path, let error):
            "the zip archive's member \(Quoting.quote(path)): \(error)"
        case .crcMismatch(let path, let expected, let actual):
            "the zip archive's member \(Quoting.quote(path)) has CRC-32 \(hex(actual)), not the \(hex(expected)) the archive gives; the archive is corrupt"
        case .sizeMismatch(let path, let expected, let actual):
            "the zip archive's member \(Quoting.quote(path)) is \(actual) bytes, not the \(expected) the archive gives; the archive is corrupt"
        case .limitExceeded(let path, let limit):
            "the zip archive's members expand to more than \(limit) bytes (at member \(Quoting.quote(path))), the limit"
        case .unsafePath(let path):
            "the zip archive has a member \(Quoting.quote(path)) whose path is absolute or goes up with '..': it is refused, nothing is read from such an archive"
        }
    }

    private func hex(_ value: UInt32) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 8 - text.count) + text
    }
}
