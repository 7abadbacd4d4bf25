/// Reads the members of a tar archive in memory: POSIX ustar (with its name prefix), GNU (long
/// names and link names in `L` and `K` entries) and pax (a `path`, `linkpath` or `size` record
/// of an `x` entry overrides the next header's). Sizes in octal or GNU base-256; every
/// header's checksum is verified. Reading stops at the first zero block (the end of the
/// archive, normally two of them) or at the end of the data on a block boundary.
///
/// Nothing is extracted or followed: links, devices and pipes are returned with their kind for
/// the caller to refuse. A member whose path is absolute or has a `..` component is an error.
public enum TarReader {
    /// The size of a header and the unit of member data.
    static let blockSize = 512

    /// Whether `bytes` has a ustar or GNU header at its start ("ustar" at offset 257).
    public static func isTar(_ bytes: [UInt8]) -> Bool {
        bytes.count >= blockSize && bytes[257..<262].elementsEqual("ustar".utf8)
    }

    /// The members of the archive `bytes`, in archive order; pax and GNU name entries are
    /// applied to the member they describe, not returned.
    public static func entries(_ bytes: [UInt8]) throws(TarError) -> [ArchiveEntry] {
        var entries: [ArchiveEntry] = []
        var offset = 0
        // What pax and GNU entries say about the next header.
        var pax: [String: String] = [:]
        var longName: String?
        var longLink: String?
        while offset < bytes.count {
            let headerOffset = offset
            guard bytes.count - offset >= blockSize else { throw .truncated(offset: offset) }
            let header = bytes[offset..<(offset + blockSize)]
            if header.allSatisfy({ $0 == 0 }) { break }
            try verifyChecksum(header, offset: offset)

            var size = try number(header, 124, 12, field: "size", offset: offset)
            if let paxSize = pax["size"] {
                guard let parsed = Int(paxSize), parsed >= 0 else {
                    throw .badHeader(offset: offset, reason: "its pax size record is not a size")
                }
                size = parsed
            }
            let dataStart = offset + blockSize
            guard size <= bytes.count - dataStart else { throw .truncated(offset: offset) }
            let data = bytes[dataStart..<(dataStart + size)]
            offset = dataStart + (size + blockSize - 1) / blockSize * blockSize

            let type = header[header.startIndex + 156]
            switch type {
            case UInt8(ascii: "x"):
                pax.merge(try paxRecords(data, headerOffset: headerOffset)) { $1 }
                continue
            case UInt8(ascii: "g"):
                // Global records apply to the whole archive; none of them changes a name.
                continue
            case UInt8(ascii: "L"):
                longName = text(data)
                continue
            case UInt8(ascii: "K"):
                longLink = text(data)
                continue
            default:
                break
            }

            var path = text(field(header, 0, 100))
            // Only POSIX ustar ("ustar\0") has a name prefix; GNU keeps other fields there.
            if header[(header.startIndex + 257)..<(header.startIndex + 263)].elementsEqual("ustar\0".utf8) {
                let prefix = text(field(header, 345, 155))
                if !prefix.isEmpty { path = prefix + "/" + path }
            }
            path = pax["path"] ?? longName ?? path
            let link = pax["linkpath"] ?? longLink ?? text(field(header, 157, 100))
            (pax, longName, longLink) = ([:], nil, nil)

            guard !path.isEmpty else { throw .badHeader(offset: headerOffset, reason: "its member has no name") }
            guard !ArchiveEntry.isUnsafe(path) else { throw .unsafePath(path) }

            let kind: ArchiveEntry.Kind
            switch type {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .file
            case UInt8(ascii: "1"): kind = .hardLink(target: link)
            case UInt8(ascii: "2"): kind = .symbolicLink(target: link)
            case UInt8(ascii: "3"), UInt8(ascii: "4"): kind = .device
            case UInt8(ascii: "5"): kind = .directory
            case UInt8(ascii: "6"): kind = .fifo
            default:
                let shown = (0x21...0x7E).contains(type) ? "'\(Character(Unicode.Scalar(type)))'" : "\(type)"
                kind = .other("tar entry type \(shown)")
            }
            // A pre-POSIX tar marks a directory by a trailing slash on a regular file's name.
            let isOldDirectory = kind == .file && path.hasSuffix("/")
            entries.append(
                ArchiveEntry(
                    path: path, kind: isOldDirectory ? .directory : kind,
                    contents: kind == .file && !isOldDirectory ? Array(data) : []))
        }
        return entries
    }

    /// The bytes of a fixed-size header field.
    private static func field(_ header: ArraySlice<UInt8>, _ start: Int, _ length: Int) -> ArraySlice<UInt8> {
        header[(header.startIndex + start)..<(header.startIndex + start + length)]
    }

    /// A NUL-terminated (or full-width) name as UTF-8.
    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
    }

    /// The header checksum: the sum of the header's bytes with the checksum field taken as
    /// spaces. Some old tars summed signed bytes; either sum is accepted.
    private static func verifyChecksum(_ header: ArraySlice<UInt8>, offset: Int) throws(TarError) {
        let stored = try number(header, 148, 8, field: "checksum", offset: offset)
        var unsigned = 0
        var signed = 0
        for (index, byte) in header.enumerated() {
            let value = (148..<156).contains(index) ? 0x20 : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        guard stored == unsigned || stored == signed else { throw .badChecksum(offset: offset) }
    }

    /// A numeric field: octal digits with leading spaces and a NUL or space after them, or
    /// GNU's base-256 (the first byte's high bit set, then a big-endian number).
    private static func number(
        _ header: ArraySlice<UInt8>, _ start: Int, _ length: Int, field name: String, offset: Int
    ) throws(TarError) -> Int {
        let bytes = field(header, start, length)
        if let first = bytes.first, first & 0x80 != 0 {
            // 0xFF starts a negative number, which no size or checksum is.
            guard first == 0x80 else { throw .badHeader(offset: offset, reason: "its \(name) field is negative") }
            var value = 0
            for byte in bytes.dropFirst() {
                guard value <= Int.max >> 8 else {
                    throw .badHeader(offset: offset, reason: "its \(name) field is too large")
                }
                value = value << 8 | Int(byte)
            }
            return value
        }
        var value = 0
        var index = bytes.startIndex
        while index < bytes.endIndex, bytes[index] == 0x20 { index += 1 }
        while index < bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(bytes[index]) {
            value = value << 3 | Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        // After the digits only NULs and spaces; an empty field is 0.
        guard bytes[index...].allSatisfy({ $0 == 0 || $0 == 0x20 }) else {
            throw .badHeader(offset: offset, reason: "its \(name) field is not an octal number")
        }
        return value
    }

    /// The records of a pax extended header: `LENGTH KEY=VALUE\n`, LENGTH counting the whole
    /// record in bytes.
    private static func paxRecords(_ data: ArraySlice<UInt8>, headerOffset: Int) throws(TarError) -> [String: String] {
        var records: [String: String] = [:]
        var position = data.startIndex
        while position < data.endIndex {
            func bad() -> TarError {
                .badHeader(offset: headerOffset, reason: "its pax record at byte \(position) is malformed")
            }
            var length = 0
            var index = position
            while index < data.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(data[index]) {
                guard length < 1 << 20 else { throw bad() }
                length = length * 10 + Int(data[index] - UInt8(ascii: "0"))
                index += 1
            }
            guard index > position, index < data.endIndex, data[index] == 0x20, length > index - position + 1,
                length <= data.endIndex - position, data[position + length - 1] == 0x0A
            else {
                // Trailing NULs fill the last block; they end the records.
                if data[position...].allSatisfy({ $0 == 0 }) { break }
                throw bad()
            }
            let record = data[(index + 1)..<(position + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else { throw bad() }
            let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
            records[key] = String(decoding: record[(equals + 1)...], as: UTF8.self)
            position += length
        }
        return records
    }
}

/// Why bytes are not a tar archive guestprep reads. Offsets are 0-based byte offsets of the
/// header concerned.
public enum TarError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The archive ends inside a header or a member's data.
    case truncated(offset: Int)
    /// A header whose checksum does not match its bytes.
    case badChecksum(offset: Int)
    /// A header with a field that cannot be read.
    case badHeader(offset: Int, reason: String)
    /// A member whose path is absolute or has a `..` component.
    case unsafePath(String)

    public var description: String {
        switch self {
        case .truncated(let offset):
            "the tar archive is truncated: it ends inside the member whose header is at byte \(offset)"
        case .badChecksum(let offset):
            "the header at byte \(offset) of the tar archive has a wrong checksum: the archive is corrupt or not a tar archive"
        case .badHeader(let offset, let reason):
            "the header at byte \(offset) of the tar archive is corrupt: \(reason)"
        case .unsafePath(let path):
            "the tar archive has a member \(Quoting.quote(path)) whose path is absolute or goes up with '..': it is refused, nothing is read from such an archive"
        }
    }
}
