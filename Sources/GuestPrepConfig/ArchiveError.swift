/// Why ``ArchiveReader`` refused an archive or image: what was wrong, and the source it came
/// from (`the Bitfusion token archive`, `ovf:/dev/sr0`), which every message names.
public struct ArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public enum Problem: Sendable, Equatable {
        /// libarchive.so.13 could not be loaded (dlopen's reason).
        case libraryMissing(String)
        /// Not one of the formats read from this source; `insideGzip` when it is gzip-compressed
        /// and what the compression holds is not.
        case unrecognizedFormat(insideGzip: Bool)
        /// libarchive found the archive broken (truncated, a bad checksum, a broken header, bad
        /// compression); its message.
        case corrupt(String)
        /// More entries than `limit`.
        case tooManyEntries(limit: Int)
        /// An entry whose path is absolute or has a `..` component, or is empty.
        case unsafePath(String)
        /// An entry that is a link, a device, a pipe or a socket.
        case notARegularFile(path: String, kind: ArchiveEntry.Kind)
        /// An entry larger than `limit` bytes (`size` as its header gives it, or as far as it
        /// was read).
        case entryTooLarge(path: String, size: Int64, limit: Int)
        /// The entries read together are larger than `limit` bytes.
        case totalTooLarge(limit: Int)
        /// Reading the image itself failed (the device or file's error).
        case unreadable(String)
        /// An offset in the image that does not fit in 63 bits.
        case offsetOutOfRange
        /// Reading it would take more than `limit` bytes of the image.
        case readLimitExceeded(limit: Int)
        /// Writing an archive failed (libarchive's message).
        case cannotWrite(String)
    }

    /// The archive or image, as messages name it.
    public var source: String
    public var problem: Problem

    public init(source: String, _ problem: Problem) {
        self.source = source
        self.problem = problem
    }

    /// The Debian package that holds libarchive.so.13 (libarchive13t64 on distributions with the
    /// 64-bit time_t names, which provides it).
    public static let libraryPackage = "libarchive13"

    /// What was wrong, without the source.
    public var reason: String {
        switch problem {
        case .libraryMissing(let why):
            return "libarchive.so.13, which reads archives and ISO 9660 images, cannot be loaded (\(why)); install \(Self.libraryPackage) (apt-get install \(Self.libraryPackage))"
        case .unrecognizedFormat(let insideGzip):
            return insideGzip ? "it is gzip-compressed but what it holds is not a tar archive" : "it is not in a format read here"
        case .corrupt(let message):
            return "it is damaged: \(message)"
        case .tooManyEntries(let limit):
            return "it has more than \(limit) entries"
        case .unsafePath(let path):
            return "entry \(Quoting.quote(path)) lies outside it (an absolute path, a '..' component or no name): such entries are refused"
        case .notARegularFile(let path, let kind):
            return "entry \(Quoting.quote(path)) is \(kind), not a regular file: links and special files are refused, never followed"
        case .entryTooLarge(let path, let size, let limit):
            return "entry \(Quoting.quote(path)) is \(size) bytes or more, more than the \(Self.bytes(limit)) an entry may have"
        case .totalTooLarge(let limit):
            return "its entries are larger than \(Self.bytes(limit)) together (a decompression bomb, or not what was expected)"
        case .unreadable(let why):
            return "a read of it failed: \(why)"
        case .offsetOutOfRange:
            return "it points at an offset beyond 2^63 bytes: it is corrupt"
        case .readLimitExceeded(let limit):
            return "more than \(Self.bytes(limit)) of it would have to be read (directories that large are corrupt, or not those of the disc expected)"
        case .cannotWrite(let message):
            return "libarchive could not write it: \(message)"
        }
    }

    public var description: String { "\(source): \(reason)" }

    /// `limit` in MiB when it is a whole number of them, else in bytes.
    static func bytes(_ limit: Int) -> String {
        limit >= 1 << 20 && limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : "\(limit) bytes"
    }
}
