import GuestPrepModel

/// Reads the OVF environment file out of an ISO 9660 image (the CD-ROM a hypervisor attaches
/// to hand the guest its ovf-env.xml) without mounting it, through a closure that reads bytes
/// at an offset — from a file, a block device or memory.
///
/// Understands plain ISO 9660 names (`OVF_ENV.XML;1`), Joliet (UCS-2 names in a supplementary
/// volume descriptor; preferred when present) and Rock Ridge (SUSP `NM` entries, including
/// continuation areas). Every size and extent read from the image is bounded and checked
/// against the volume's size, so a corrupt image gives an error, never a hang or a huge read.
public struct ISO9660Reader {
    /// The largest ovf-env.xml the reader returns; an OVF environment is a few kilobytes.
    public static let maximumFileSize = 1 << 20
    /// The largest root directory the reader walks.
    public static let maximumDirectorySize = 1 << 20
    /// The names looked up in the root directory, compared case-insensitively and in this
    /// order (`OVF-ENV.XML` matches the first; a plain ISO 9660 image stores `OVF_ENV.XML;1`).
    public static let environmentFileNames = ["ovf-env.xml", "ovf_env.xml"]

    /// What errors name as the malformed document.
    static let what = "ISO 9660 image"
    /// The size of a logical sector, the unit of volume descriptors and of directory records'
    /// sector boundaries.
    private static let sectorSize = 2048
    /// How many volume descriptors are read at most before giving up on a terminator.
    private static let maximumDescriptors = 32
    /// How many Rock Ridge continuation areas one directory record may chain.
    private static let maximumContinuations = 8

    private let readAt: (UInt64, Int) throws -> [UInt8]

    /// Creates a reader over an image.
    ///
    /// - Parameter readAt: returns `length` bytes of the image from byte `offset`, or fewer
    ///   when the image ends first; errors it throws pass through unchanged.
    public init(readAt: @escaping (_ offset: UInt64, _ length: Int) throws -> [UInt8]) {
        self.readAt = readAt
    }

    /// The bytes of `ovf-env.xml`, `OVF-ENV.XML` or `ovf_env.xml` (any case) in the root
    /// directory, or nil when the image holds none of them.
    ///
    /// - Throws: `GuestPrepError.malformed(what: "ISO 9660 image", reason:)` when the image is
    ///   not ISO 9660, is truncated or corrupt, or the file is larger than `maximumFileSize`.
    public func findOVFEnvironment() throws -> [UInt8]? {
        let volume = try readVolume()
        for tree in volume.trees {
            let entries = try rootEntries(volume, tree)
            for wanted in Self.environmentFileNames {
                if let entry = entries.first(where: { !$0.isDirectory && $0.name.lowercased() == wanted }) {
                    return try contents(of: entry, volume)
                }
            }
        }
        return nil
    }

    /// The names in the root directory, for diagnostics: Joliet names when the image has
    /// them, else Rock Ridge or plain ISO 9660 names (without `;1`); directories end in `/`.
    ///
    /// - Throws: `GuestPrepError.malformed(what: "ISO 9660 image", reason:)` as
    ///   `findOVFEnvironment()` does.
    public func listRootDirectory() throws -> [String] {
        let volume = try readVolume()
        return try rootEntries(volume, volume.trees[0]).map { $0.isDirectory ? $0.name + "/" : $0.name }
    }

    // MARK: - Volume descriptors

    /// A directory hierarchy: the primary one, or Joliet's.
    private struct Tree {
        var rootExtent: UInt64
        var rootSize: UInt64
        var joliet: Bool
    }

    /// What the volume descriptors say.
    private struct Volume {
        var blockSize: Int
        var blockCount: UInt64
        /// Joliet first when present, then the primary hierarchy.
        var trees: [Tree]
        var byteCount: UInt64 { blockCount * UInt64(blockSize) }
    }

    /// One file or directory of a directory.
    private struct Entry {
        var name: String
        var extent: UInt64
        var size: UInt64
        var isDirectory: Bool
        var isMultiExtent: Bool
        var isInterleaved: Bool
    }

    private func readVolume() throws -> Volume {
        var primary: [UInt8]?
        var joliet: [UInt8]?
        for index in 0..<Self.maximumDescriptors {
            let sector = 16 + index
            let offset = UInt64(sector * Self.sectorSize)
            let descriptor = try readAt(offset, Self.sectorSize)
            guard descriptor.count == Self.sectorSize, descriptor[1...5].elementsEqual("CD001".utf8) else {
                if index == 0 {
                    let why =
                        descriptor.count < Self.sectorSize
                        ? "it is too small to hold a volume descriptor at sector 16 (byte 32768)"
                        : "it has no \"CD001\" signature at sector 16 (byte 32769)"
                    throw malformed("not an ISO 9660 image: \(why)")
                }
                throw malformed(
                    "the volume descriptor at sector \(sector) has no \"CD001\" signature and no terminator "
                        + "came before it; the image is corrupt or truncated")
            }
            let type = descriptor[0]
            if type == 255 { break }
            if type == 1, primary == nil { primary = descriptor }
            if type == 2, joliet == nil, descriptor[88] == 0x25, descriptor[89] == 0x2F,
                [0x40, 0x43, 0x45].contains(descriptor[90])
            {
                joliet = descriptor
            }
        }
        guard let primary else {
            throw malformed("no primary volume descriptor (type 1) among the volume descriptors")
        }
        let blockSize = Int(le16(primary, 128))
        guard [512, 1024, 2048].contains(blockSize) else {
            throw malformed("the logical block size is \(blockSize); ISO 9660 allows 512, 1024 or 2048")
        }
        let blockCount = UInt64(le32(primary, 80))
        var trees: [Tree] = []
        for (descriptor, isJoliet) in [(joliet, true), (primary, false)] {
            guard let descriptor else { continue }
            let record = Array(descriptor[156..<190])
            let kind = isJoliet ? "Joliet" : "primary"
            guard record[0] >= 34, record[25] & 0x02 != 0 else {
                throw malformed("the \(kind) volume descriptor's root directory record is corrupt")
            }
            trees.append(
                Tree(
                    rootExtent: UInt64(le32(record, 2)) + UInt64(record[1]),
                    rootSize: UInt64(le32(record, 10)),
                    joliet: isJoliet))
        }
        return Volume(blockSize: blockSize, blockCount: blockCount, trees: trees)
    }

    // MARK: - Directories

    private func rootEntries(_ volume: Volume, _ tree: Tree) throws -> [Entry] {
        let kind = tree.joliet ? "Joliet root directory" : "root directory"
        guard tree.rootSize <= UInt64(Self.maximumDirectorySize) else {
            throw malformed(
                "the \(kind) is \(tree.rootSize) bytes; refusing more than \(Self.maximumDirectorySize) "
                    + "(the image is corrupt)")
        }
        let bytes = try readExtent(tree.rootExtent, size: Int(tree.rootSize), volume, what: "the \(kind)")
        var entries: [Entry] = []
        var suspSkip: Int?
        var position = 0
        var recordIndex = 0
        while position < bytes.count {
            let length = Int(bytes[position])
            if length == 0 {
                position = (position / Self.sectorSize + 1) * Self.sectorSize
                continue
            }
            guard length >= 34, position + length <= bytes.count,
                33 + Int(bytes[position + 32]) <= length
            else {
                throw malformed(
                    "directory record \(recordIndex) of the \(kind) (byte \(position)) has an invalid length; "
                        + "the image is corrupt")
            }
            let record = Array(bytes[position..<(position + length)])
            position += length
            recordIndex += 1

            let nameLength = Int(record[32])
            let nameBytes = Array(record[33..<(33 + nameLength)])
            let systemUse = Array(record[(33 + nameLength + (nameLength % 2 == 0 ? 1 : 0))...])
            if nameLength == 1, nameBytes[0] == 0 || nameBytes[0] == 1 {
                // "." of the root carries the SUSP "SP" entry that announces Rock Ridge.
                if recordIndex == 1, !tree.joliet, systemUse.count >= 7, systemUse[0] == 0x53,
                    systemUse[1] == 0x50, systemUse[4] == 0xBE, systemUse[5] == 0xEF
                {
                    suspSkip = Int(systemUse[6])
                }
                continue
            }
            let name: String
            if tree.joliet {
                name = Self.stripVersion(Self.decodeUCS2(nameBytes))
            } else if let skip = suspSkip, let rockRidge = try rockRidgeName(systemUse, skip: skip, volume) {
                name = rockRidge
            } else {
                var plain = Self.stripVersion(String(decoding: nameBytes, as: UTF8.self))
                if plain.hasSuffix(".") { plain.removeLast() }
                name = plain
            }
            entries.append(
                Entry(
                    name: name, extent: UInt64(le32(record, 2)) + UInt64(record[1]),
                    size: UInt64(le32(record, 10)), isDirectory: record[25] & 0x02 != 0,
                    isMultiExtent: record[25] & 0x80 != 0, isInterleaved: record[26] != 0 || record[27] != 0))
        }
        return entries
    }

    /// The Rock Ridge name in a system use area, following `CE` continuation areas.
    private func rockRidgeName(_ area: [UInt8], skip: Int, _ volume: Volume) throws -> String? {
        var name: [UInt8] = []
        var found = false
        var current = skip <= area.count ? Array(area[skip...]) : []
        for _ in 0...Self.maximumContinuations {
            var continuation: (block: UInt64, offset: Int, length: Int)?
            var position = 0
            entries: while position + 4 <= current.count {
                let signature = (current[position], current[position + 1])
                let length = Int(current[position + 2])
                guard length >= 4, position + length <= current.count else { break }
                let entry = current[position..<(position + length)]
                switch signature {
                case (0x4E, 0x4D) where length >= 5:  // NM
                    let flags = entry[entry.startIndex + 4]
                    if flags & 0x06 == 0 {
                        name += entry[(entry.startIndex + 5)...]
                        found = true
                    }
                case (0x43, 0x45) where length >= 28:  // CE
                    let bytes = Array(entry)
                    continuation = (UInt64(le32(bytes, 4)), Int(le32(bytes, 12)), Int(le32(bytes, 20)))
                case (0x53, 0x54):  // ST
                    break entries
                default:
                    break
                }
                position += length
            }
            guard let next = continuation else { break }
            guard next.offset + next.length <= volume.blockSize else {
                throw malformed(
                    "a Rock Ridge continuation area (block \(next.block), offset \(next.offset), "
                        + "\(next.length) bytes) crosses its block; the image is corrupt")
            }
            let block = try readExtent(
                next.block, size: volume.blockSize, volume, what: "a Rock Ridge continuation area")
            current = Array(block[next.offset..<(next.offset + next.length)])
        }
        return found ? String(decoding: name, as: UTF8.self) : nil
    }

    // MARK: - Files

    private func contents(of entry: Entry, _ volume: Volume) throws -> [UInt8] {
        guard entry.size <= UInt64(Self.maximumFileSize) else {
            throw malformed(
                "\(entry.name) is \(entry.size) bytes; refusing to read more than \(Self.maximumFileSize) bytes "
                    + "(an OVF environment is a few kilobytes)")
        }
        guard !entry.isMultiExtent, !entry.isInterleaved else {
            throw malformed(
                "\(entry.name) is recorded as a multi-extent or interleaved file, which is not supported")
        }
        return try readExtent(entry.extent, size: Int(entry.size), volume, what: entry.name)
    }

    /// `size` bytes from the start of logical block `block`, after checking they lie within
    /// the volume.
    private func readExtent(_ block: UInt64, size: Int, _ volume: Volume, what: String) throws -> [UInt8] {
        guard size > 0 else { return [] }
        let start = block * UInt64(volume.blockSize)
        guard block < volume.blockCount, start + UInt64(size) <= volume.byteCount else {
            throw malformed(
                "\(what) lies at blocks \(block)… (\(size) bytes), beyond the end of the volume "
                    + "(\(volume.blockCount) blocks of \(volume.blockSize) bytes); the image is corrupt")
        }
        let bytes = try readAt(start, size)
        guard bytes.count == size else {
            throw malformed(
                "the image ends before \(what): \(size) bytes at byte \(start) were wanted, \(bytes.count) "
                    + "were there; the image is truncated")
        }
        return bytes
    }

    // MARK: - Helpers

    private func malformed(_ reason: String) -> GuestPrepError {
        GuestPrepError.malformed(what: Self.what, reason: reason)
    }

    /// `NAME.EXT;1` → `NAME.EXT`.
    private static func stripVersion(_ name: String) -> String {
        guard let semicolon = name.lastIndex(of: ";"),
            name[name.index(after: semicolon)...].allSatisfy({ $0.isASCII && $0.isNumber })
        else { return name }
        return String(name[..<semicolon])
    }

    /// Joliet's big-endian UCS-2 (UTF-16 in practice).
    private static func decodeUCS2(_ bytes: [UInt8]) -> String {
        let units = stride(from: 0, to: bytes.count - 1, by: 2).map {
            UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1])
        }
        return String(decoding: units, as: UTF16.self)
    }
}

private func le16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
    UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
}

private func le32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
        | UInt32(bytes[offset + 3]) << 24
}
