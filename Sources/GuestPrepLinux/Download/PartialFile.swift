#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore

/// The `.partial` file a download is fetched into, with the SHA-256 of every byte in it so far.
///
/// The bytes an earlier attempt or an earlier run left are hashed when the file is opened, so a
/// resumed transfer only appends and hashes what it receives. The file is locked (flock) while
/// open: a second guestprep downloading to the same destination fails instead of interleaving.
final class PartialFile {
    let path: String
    /// The bytes in the file (and in the hash).
    private(set) var size: UInt64
    private var fd: Int32
    private let hasher: HashingThread
    /// How far the kernel has been asked to write the file back.
    private var writebackStarted: UInt64 = 0

    /// Opens (or creates, 0600) `path` and hashes the bytes already in it.
    init(path: String) throws(DownloadError) {
        self.path = path
        hasher = try HashingThread()
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .local(path: path, reason: Posix.describe(errno)) }
        size = 0
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            Posix.closeQuietly(fd)
            throw .local(
                path: path,
                reason: code == EWOULDBLOCK ? "another download to this file is in progress" : Posix.describe(code))
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & 0o170000 == 0o100000 else {
            Posix.closeQuietly(fd)
            throw .local(path: path, reason: "is not a regular file")
        }
        // Only the finished file gets the requested mode; until then nobody else reads it.
        _ = fchmod(fd, 0o600)
        switch hasher.update(readingToEndOf: fd) {
        case .success(let count): size = count
        case .failure(let failure):
            Posix.closeQuietly(fd)
            throw .local(path: path, reason: Posix.describe(failure.code))
        }
    }

    deinit { Posix.closeQuietly(fd) }

    /// Appends `bytes` and hashes them. Returns 0, or the errno of the failing write.
    func append(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let failure = Posix.writeAll(fd, bytes)
        guard failure == 0 else { return failure }
        hasher.update(bytes)
        size += UInt64(bytes.count)
        if size - writebackStarted >= Self.writebackStep { startWriteback() }
        return 0
    }

    /// Bytes written between two requests to start writeback.
    static let writebackStep: UInt64 = 16 << 20

    /// `int sync_file_range(int fd, off64_t offset, off64_t nbytes, unsigned int flags)`, looked
    /// up at run time (Glibc's module does not show _GNU_SOURCE functions).
    private typealias SyncFileRange = @convention(c) (Int32, Int64, Int64, UInt32) -> Int32
    private static let syncFileRange: SyncFileRange? = Posix.symbol("sync_file_range").map {
        unsafeBitCast($0, to: SyncFileRange.self)
    }

    /// Asks the kernel to start writing back what was written since the last request
    /// (SYNC_FILE_RANGE_WRITE, asynchronous), so the final fsync finds little left to write:
    /// it took 0.5 s of the 1 GiB benchmark otherwise. As dpkg does for the files it unpacks.
    private func startWriteback() {
        _ = Self.syncFileRange?(fd, Int64(writebackStarted), Int64(size - writebackStarted), 2)
        writebackStarted = size
    }

    /// Empties the file and the hash, to fetch the whole file again.
    func truncate() throws(DownloadError) {
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
            throw .local(path: path, reason: Posix.describe(errno))
        }
        hasher.reset()
        size = 0
        writebackStarted = 0
    }

    /// The SHA-256 of the file's bytes. The hash starts over: append nothing after this
    /// without `truncate()` first.
    func finishHash() -> String { hasher.finish() }

    /// Gives the file `mode`, makes it durable and renames it to `destination`, then makes the
    /// rename durable: after a power cut the destination is either absent or whole.
    func commit(to destination: String, mode: UInt32) throws(DownloadError) {
        guard fchmod(fd, mode_t(mode)) == 0 else { throw .local(path: path, reason: Posix.describe(errno)) }
        guard Posix.retrying({ fsync(fd) }) == 0 else { throw .local(path: path, reason: Posix.describe(errno)) }
        guard rename(path, destination) == 0 else { throw .local(path: destination, reason: Posix.describe(errno)) }
        Posix.closeQuietly(fd)
        fd = -1
        let directory = Self.parent(of: destination)
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw .local(path: directory, reason: Posix.describe(errno)) }
        defer { Posix.closeQuietly(directoryFD) }
        guard Posix.retrying({ fsync(directoryFD) }) == 0 else {
            throw .local(path: directory, reason: Posix.describe(errno))
        }
    }

    /// Removes the file (a download that cannot be used).
    func discard() {
        _ = unlink(path)
        Posix.closeQuietly(fd)
        fd = -1
    }

    /// The directory part of `path` ("." for a bare name, "/" for a file in the root).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
