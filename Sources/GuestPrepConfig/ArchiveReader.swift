import CArchiveLoader

/// Reads the entries of an archive or an ISO 9660 image with libarchive (bound on first use,
/// see carchive_loader.h): a Bitfusion token archive (tar, gzip-compressed tar, zip) from
/// memory, or an OVF environment CD-ROM (ISO 9660, with Joliet or Rock Ridge names) through a
/// closure that reads bytes at an offset — from an image file, a block device or memory —,
/// so a CD-ROM is read without mounting it. gzip's and zip's DEFLATE is zlib's, which
/// libarchive uses; libarchive checks a zip member's CRC-32 but not a gzip member's (its gzip
/// filter skips the trailer: archive_read_support_filter_gzip.c, consume_trailer).
///
/// Nothing is extracted or followed. Every entry is checked as it comes: more than
/// `limits.entries` entries, a path that is absolute or has a `..` component, and a link,
/// device, pipe or socket are refused; the entries whose contents are read are bounded one by
/// one (`limits.entrySize`) and together (`limits.totalSize`), by their header and as they are
/// read, so a decompression bomb stops at the limit. Every refusal is an ``ArchiveError`` that
/// names `source`.
public struct ArchiveReader: Sendable {
    /// The formats a source may be in.
    public enum Format: Sendable {
        /// tar (ustar, pax, GNU), gzip-compressed or not, and zip (stored or deflated).
        case tarOrZip
        /// ISO 9660, with its Joliet and Rock Ridge extensions.
        case iso9660
    }

    /// The bounds on what is read.
    public struct Limits: Sendable, Equatable {
        /// The most entries (directories included).
        public var entries: Int
        /// The largest entry whose contents are read, in bytes.
        public var entrySize: Int
        /// The most bytes all contents read may have together.
        public var totalSize: Int
        /// The most bytes read of an image through the callbacks (what is skipped does not
        /// count): libarchive reads a whole directory into memory, and a crafted image can say
        /// a directory is 4 GiB long.
        public var imageRead: Int

        public init(entries: Int, entrySize: Int, totalSize: Int, imageRead: Int = Int.max) {
            self.entries = entries
            self.entrySize = entrySize
            self.totalSize = totalSize
            self.imageRead = imageRead
        }
    }

    /// The archive or image as errors name it.
    public let source: String
    public let format: Format
    public let limits: Limits

    public init(source: String, format: Format, limits: Limits) {
        self.source = source
        self.format = format
        self.limits = limits
    }

    /// The entries of the archive `bytes`, in archive order, with the contents of the regular
    /// files `wanted` picks by path (every one by default); stops after the first entry
    /// `stopAfter` is true for.
    ///
    /// - Throws: ``ArchiveError`` naming `source`.
    public func entries(
        in bytes: [UInt8], contentsOf wanted: (String) -> Bool = { _ in true },
        stopAfter: (ArchiveEntry) -> Bool = { _ in false }
    ) throws(ArchiveError) -> [ArchiveEntry] {
        let result: Result<[ArchiveEntry], ArchiveError> = bytes.withUnsafeBytes { raw in
            walk(wanted: wanted, stopAfter: stopAfter, context: nil) { archive in
                // An empty buffer's base address may be nil; libarchive reads zero bytes from it.
                carchive_read_open_memory(archive, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), raw.count)
            }
        }
        return try result.get()
    }

    /// The entries of the image `readAt` reads, as ``entries(in:contentsOf:stopAfter:)`` gives
    /// them. libarchive asks for the image in blocks of `blockSize` bytes and skips what it does
    /// not need (an ISO 9660 image is read forward, directories and then the extents of the
    /// files wanted), so a large image or device costs only what is read of it.
    ///
    /// - Parameter readAt: returns `length` bytes of the image from byte `offset`, or fewer
    ///   when the image ends first; an error it throws ends the reading as
    ///   ``ArchiveError/Problem/unreadable(_:)``.
    /// - Throws: ``ArchiveError`` naming `source`.
    public func entries(
        readingAt readAt: @escaping (_ offset: UInt64, _ length: Int) throws -> [UInt8],
        contentsOf wanted: (String) -> Bool = { _ in true }, stopAfter: (ArchiveEntry) -> Bool = { _ in false }
    ) throws(ArchiveError) -> [ArchiveEntry] {
        let image = ImageCallbacks(readAt: readAt, readLimit: limits.imageRead)
        defer { image.release() }
        let context = Unmanaged.passUnretained(image).toOpaque()
        return try withExtendedLifetime(image) { () throws(ArchiveError) -> [ArchiveEntry] in
            try walk(wanted: wanted, stopAfter: stopAfter, context: image) { archive in
                carchive_read_open_callbacks(
                    archive, context, ImageCallbacks.read, ImageCallbacks.skip, ImageCallbacks.seek)
            }.get()
        }
    }

    /// What stands for an entry's name that libarchive cannot convert to UTF-8.
    public static let unreadableName = "(a name that is not valid in its character set)"

    /// The size of the blocks in which the contents of an entry, and an image, are read.
    static let blockSize = 64 << 10

    // MARK: - Reading

    private func walk(
        wanted: (String) -> Bool, stopAfter: (ArchiveEntry) -> Bool, context image: ImageCallbacks?,
        open: (OpaquePointer) -> Int32
    ) -> Result<[ArchiveEntry], ArchiveError> {
        guard carchive_load() == 0 else {
            return .failure(ArchiveError(source: source, .libraryMissing(String(cString: carchive_load_error()))))
        }
        // Names in UTF-8 whatever the process's locale (carchive_loader.h says why).
        let locale = carchive_use_utf8_locale()
        defer { carchive_restore_locale(locale) }
        guard let archive = carchive_read_new() else {
            return .failure(ArchiveError(source: source, .corrupt("libarchive could not allocate a reader")))
        }
        defer { _ = carchive_read_free(archive) }
        switch format {
        case .tarOrZip:
            _ = carchive_read_support_filter_gzip(archive)
            _ = carchive_read_support_format_tar(archive)
            _ = carchive_read_support_format_zip(archive)
        case .iso9660:
            _ = carchive_read_support_format_iso9660(archive)
        }
        do throws(ArchiveError) {
            let opened = open(archive)
            if opened != ARCHIVE_OK && opened != ARCHIVE_WARN { try unrecognized(archive, image) }
            try check(opened, archive, image)
            return .success(try readEntries(archive, image, wanted: wanted, stopAfter: stopAfter))
        } catch {
            return .failure(error)
        }
    }

    private func readEntries(
        _ archive: OpaquePointer, _ image: ImageCallbacks?, wanted: (String) -> Bool,
        stopAfter: (ArchiveEntry) -> Bool
    ) throws(ArchiveError) -> [ArchiveEntry] {
        var entries: [ArchiveEntry] = []
        var total = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.blockSize, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            var header: OpaquePointer?
            let status = carchive_read_next_header(archive, &header)
            if status == ARCHIVE_EOF { return entries }
            if status != ARCHIVE_OK && status != ARCHIVE_WARN || header == nil {
                if entries.isEmpty { try unrecognized(archive, image) }
                try check(status == ARCHIVE_OK ? ARCHIVE_FATAL : status, archive, image)
            }
            guard let header else { continue }
            guard entries.count < limits.entries else { throw ArchiveError(source: source, .tooManyEntries(limit: limits.entries)) }
            var entry = try describe(header)
            if entry.kind == .file && wanted(entry.path) {
                entry.contents = try contents(archive, header, entry.path, image, buffer, total: &total)
            }
            entries.append(entry)
            if stopAfter(entry) { return entries }
        }
    }

    /// The entry's path and kind, refused when it is unsafe or neither a file nor a directory.
    private func describe(_ header: OpaquePointer) throws(ArchiveError) -> ArchiveEntry {
        // A name libarchive cannot convert (not in the character set its header says) is no
        // path guestprep looks for, and nothing is extracted: it is listed under a stand-in.
        let path =
            carchive_entry_pathname_utf8(header).map { String(cString: $0) }
            ?? carchive_entry_pathname(header).map { String(cString: $0) } ?? Self.unreadableName
        guard !path.isEmpty, !ArchiveEntry.isUnsafe(path) else { throw ArchiveError(source: source, .unsafePath(path)) }
        let kind: ArchiveEntry.Kind
        let type = carchive_entry_filetype(header)
        if let target = carchive_entry_hardlink_utf8(header) {
            // A tar hard link, or an ISO 9660 file that shares its extent with an earlier one.
            kind = .hardLink(target: String(cString: target))
        } else {
            switch type {
            case carchive_type_regular: kind = .file
            case carchive_type_directory: kind = .directory
            case carchive_type_symbolic_link:
                kind = .symbolicLink(target: carchive_entry_symlink_utf8(header).map { String(cString: $0) } ?? "")
            case carchive_type_character_device, carchive_type_block_device: kind = .device
            case carchive_type_fifo: kind = .fifo
            case carchive_type_socket: kind = .other("a socket")
            default: kind = .other("file type \(String(type, radix: 8))")
            }
        }
        guard kind == .file || kind == .directory else {
            throw ArchiveError(source: source, .notARegularFile(path: path, kind: kind))
        }
        return ArchiveEntry(path: path, kind: kind)
    }

    /// The contents of the current entry, bounded by its header's size and as they are read.
    private func contents(
        _ archive: OpaquePointer, _ header: OpaquePointer, _ path: String, _ image: ImageCallbacks?,
        _ buffer: UnsafeMutableRawBufferPointer, total: inout Int
    ) throws(ArchiveError) -> [UInt8] {
        if carchive_entry_size_is_set(header) != 0 {
            let declared = carchive_entry_size(header)
            if declared > Int64(limits.entrySize) {
                throw ArchiveError(source: source, .entryTooLarge(path: path, size: declared, limit: limits.entrySize))
            }
        }
        var data: [UInt8] = []
        while true {
            let count = carchive_read_data(archive, buffer.baseAddress, buffer.count)
            if count == 0 { return data }
            // Any negative count is a failure, ARCHIVE_WARN included ("ZIP bad CRC").
            if count < 0 { throw failure(Int32(truncatingIfNeeded: count), archive, image) }
            // count <= buffer.count (libarchive's contract), so neither sum can overflow.
            guard data.count + count <= limits.entrySize else {
                throw ArchiveError(
                    source: source, .entryTooLarge(path: path, size: Int64(data.count + count), limit: limits.entrySize))
            }
            guard total + count <= limits.totalSize else {
                throw ArchiveError(source: source, .totalTooLarge(limit: limits.totalSize))
            }
            data.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            total += count
        }
    }

    /// Throws ``ArchiveError/Problem/unrecognizedFormat(insideGzip:)`` when libarchive failed
    /// because no format it was given recognized the data (it bids when the archive is opened,
    /// and again at the first header).
    private func unrecognized(_ archive: OpaquePointer, _ image: ImageCallbacks?) throws(ArchiveError) {
        guard image?.failure == nil, carchive_format(archive) == 0,
            carchive_errno(archive) == carchive_errno_file_format
        else { return }
        throw ArchiveError(
            source: source, .unrecognizedFormat(insideGzip: carchive_filter_code(archive, 0) == ARCHIVE_FILTER_GZIP))
    }

    /// Throws for a libarchive status that is a failure: the image's own error when a callback
    /// failed, else libarchive's message.
    private func check(_ status: Int32, _ archive: OpaquePointer, _ image: ImageCallbacks?) throws(ArchiveError) {
        guard status != ARCHIVE_OK && status != ARCHIVE_WARN && status != ARCHIVE_EOF else { return }
        throw failure(status, archive, image)
    }

    /// The error for a failed libarchive call.
    private func failure(_ status: Int32, _ archive: OpaquePointer, _ image: ImageCallbacks?) -> ArchiveError {
        if let failure = image?.failure { return ArchiveError(source: source, failure) }
        let message = carchive_error_string(archive).map { String(cString: $0) } ?? "libarchive reports status \(status)"
        return ArchiveError(source: source, .corrupt(message))
    }
}

/// The read, skip and seek callbacks of an image read through a closure; libarchive hands this
/// object back to them as their client data.
private final class ImageCallbacks {
    let readAt: (UInt64, Int) throws -> [UInt8]
    /// Where the next read starts.
    var offset: UInt64 = 0
    /// The block handed to libarchive, valid until the next read (its contract).
    let block = UnsafeMutableRawBufferPointer.allocate(byteCount: ArchiveReader.blockSize, alignment: 1)
    /// Why a callback failed, reported instead of libarchive's message.
    var failure: ArchiveError.Problem?
    /// The most bytes `read` hands over, and how many it has.
    let readLimit: Int
    var delivered = 0

    init(readAt: @escaping (UInt64, Int) throws -> [UInt8], readLimit: Int) {
        self.readAt = readAt
        self.readLimit = readLimit
    }

    func release() { block.deallocate() }

    private static func callbacks(_ context: UnsafeMutableRawPointer?) -> ImageCallbacks {
        Unmanaged<ImageCallbacks>.fromOpaque(context!).takeUnretainedValue()
    }

    private func fail(_ archive: OpaquePointer?, _ problem: ArchiveError.Problem) {
        failure = problem
        if let archive { carchive_set_error(archive, -1, "\(problem)") }
    }

    /// An image offset fits pread's off_t.
    private static func fits(_ offset: UInt64) -> Bool { offset <= UInt64(Int64.max) }

    static let read: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafeRawPointer?>?) -> la_ssize_t = {
        archive, context, buffer in
        let image = callbacks(context)
        guard image.delivered < image.readLimit else {
            image.fail(archive, .readLimitExceeded(limit: image.readLimit))
            return la_ssize_t(ARCHIVE_FATAL)
        }
        let bytes: [UInt8]
        do {
            bytes = try image.readAt(image.offset, image.block.count)
        } catch {
            image.fail(archive, .unreadable("\(error)"))
            return la_ssize_t(ARCHIVE_FATAL)
        }
        let count = min(bytes.count, image.block.count)
        let (next, overflow) = image.offset.addingReportingOverflow(UInt64(count))
        guard !overflow, fits(next) else {
            image.fail(archive, .offsetOutOfRange)
            return la_ssize_t(ARCHIVE_FATAL)
        }
        bytes.withUnsafeBytes { image.block.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        image.offset = next
        image.delivered += count  // below readLimit + one block: no overflow
        buffer?.pointee = UnsafeRawPointer(image.block.baseAddress)
        return la_ssize_t(count)
    }

    /// Skips `request` bytes without reading them: what makes a large image cheap to read.
    static let skip: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, la_int64_t) -> la_int64_t = {
        archive, context, request in
        let image = callbacks(context)
        guard request > 0 else { return 0 }
        let (next, overflow) = image.offset.addingReportingOverflow(UInt64(request))
        guard !overflow, fits(next) else {
            image.fail(archive, .offsetOutOfRange)
            return la_int64_t(ARCHIVE_FATAL)
        }
        image.offset = next
        return request
    }

    /// Moves to `offset` from the start (SEEK_SET) or from the current position (SEEK_CUR).
    /// The image's size is not known (a device), so SEEK_END fails; ISO 9660 never asks for it.
    static let seek: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, la_int64_t, Int32) -> la_int64_t = {
        archive, context, offset, whence in
        let image = callbacks(context)
        let target: Int64
        switch whence {
        case 0:  // SEEK_SET
            target = offset
        case 1:  // SEEK_CUR
            let (sum, overflow) = Int64(image.offset).addingReportingOverflow(offset)
            guard !overflow else {
                image.fail(archive, .offsetOutOfRange)
                return la_int64_t(ARCHIVE_FATAL)
            }
            target = sum
        default:
            image.fail(archive, .unreadable("a seek from the end of the image was asked for, and its size is not known"))
            return la_int64_t(ARCHIVE_FATAL)
        }
        guard target >= 0 else {
            image.fail(archive, .offsetOutOfRange)
            return la_int64_t(ARCHIVE_FATAL)
        }
        image.offset = UInt64(target)
        return target
    }
}
