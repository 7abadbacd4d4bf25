import CArchiveLoader

/// Writes a gzip-compressed tar archive in memory with libarchive (bound on first use, see
/// carchive_loader.h): the support bundle. Entries are regular files only, in the order given,
/// in the pax-restricted format (ustar, with a pax header only where ustar cannot hold a name
/// or a size), owned by uid 0 with the mode and time given; the bytes come back whole, for the
/// caller to write atomically.
public struct ArchiveWriter: Sendable {
    /// One regular file of the archive.
    public struct File: Sendable, Equatable {
        /// Its path inside the archive, relative (`bundle/state.json`).
        public var path: String
        public var content: [UInt8]
        /// Its permission bits.
        public var mode: UInt32

        public init(path: String, content: [UInt8], mode: UInt32 = 0o600) {
            self.path = path
            self.content = content
            self.mode = mode
        }
    }

    /// The archive as errors name it.
    public let source: String

    public init(source: String) { self.source = source }

    /// The `.tar.gz` bytes holding `files`, each with modification time `time` (seconds since
    /// the epoch).
    ///
    /// - Throws: ``ArchiveError`` naming `source`: libarchive missing, a path that is absolute,
    ///   empty or has a `..` component, or libarchive's own failure.
    public func tarGz(_ files: [File], time: Int64) throws(ArchiveError) -> [UInt8] {
        guard carchive_load() == 0 else {
            throw ArchiveError(source: source, .libraryMissing(String(cString: carchive_load_error())))
        }
        for file in files where file.path.isEmpty || ArchiveEntry.isUnsafe(file.path) {
            throw ArchiveError(source: source, .unsafePath(file.path))
        }
        guard let archive = carchive_write_new() else {
            throw ArchiveError(source: source, .cannotWrite("archive_write_new failed (out of memory)"))
        }
        defer { _ = carchive_write_free(archive) }
        let sink = Sink()
        let context = Unmanaged.passUnretained(sink).toOpaque()
        return try withExtendedLifetime(sink) { () throws(ArchiveError) -> [UInt8] in
            try check(carchive_write_add_filter_gzip(archive), archive)
            try check(carchive_write_set_format_pax_restricted(archive), archive)
            try check(carchive_write_open_callback(archive, context, Sink.write), archive)
            for file in files {
                guard let entry = carchive_entry_new() else {
                    throw ArchiveError(source: source, .cannotWrite("archive_entry_new failed (out of memory)"))
                }
                defer { carchive_entry_free(entry) }
                carchive_entry_set_pathname_utf8(entry, file.path)
                carchive_entry_set_filetype(entry, carchive_type_regular)
                carchive_entry_set_perm(entry, file.mode & 0o777)
                carchive_entry_set_size(entry, Int64(file.content.count))
                carchive_entry_set_mtime(entry, time, 0)
                try check(carchive_write_header(archive, entry), archive)
                var offset = 0
                while offset < file.content.count {
                    let written = file.content.withUnsafeBytes { raw in
                        carchive_write_data(archive, raw.baseAddress! + offset, raw.count - offset)
                    }
                    guard written > 0 else { throw failure(archive) }
                    offset += written
                }
            }
            try check(carchive_write_close(archive), archive)
            return sink.bytes
        }
    }

    private func check(_ status: Int32, _ archive: OpaquePointer) throws(ArchiveError) {
        guard status != ARCHIVE_OK else { return }
        throw failure(archive)
    }

    private func failure(_ archive: OpaquePointer) -> ArchiveError {
        let message = carchive_error_string(archive).map { String(cString: $0) } ?? "libarchive could not write it"
        return ArchiveError(source: source, .cannotWrite(message))
    }
}

/// Collects what libarchive writes; libarchive hands this object back to the callback as its
/// client data.
private final class Sink {
    var bytes: [UInt8] = []

    static let write: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeRawPointer?, Int) -> la_ssize_t = {
        _, context, buffer, length in
        let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
        if let buffer, length > 0 {
            sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
        }
        return la_ssize_t(length)
    }
}
