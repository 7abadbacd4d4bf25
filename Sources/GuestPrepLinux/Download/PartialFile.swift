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
    /// The bytes received so far: in the file, or gathered to be written (see `flush()`).
    var size: UInt64 { written + UInt64(hasher.pending) }
    private var fd: Int32
    private let hasher: HashingThread
    /// The bytes in the file.
    private var written: UInt64 = 0
    /// How far the kernel has been asked to write the file back.
    private var writebackStarted: UInt64 = 0

    /// Opens (or creates, 0600) `path` and hashes the bytes already in it.
    init(path: String) throws(DownloadError) {
        self.path = path
        hasher = try HashingThread()
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .local(path: path, reason: Posix.describe(errno)) }
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
        case .success(let count): written = count
        case .failure(let failure):
            Posix.closeQuietly(fd)
            throw .local(path: path, reason: Posix.describe(failure.code))
        }
        writebackStarted = written
    }

    deinit { Posix.closeQuietly(fd) }

    /// Adds `bytes` to the file and the hash: gathered into 512 KiB writes (`HashingThread`).
    /// Returns 0, or the errno of a failing write.
    func append(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        hasher.add(bytes) { writeOut($0) }
    }

    /// Writes the bytes gathered so far. Returns 0, or the errno of a failing write.
    func flush() -> Int32 {
        hasher.flush { writeOut($0) }
    }

    private func writeOut(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let failure = Posix.writeAll(fd, bytes)
        guard failure == 0 else { return failure }
        written += UInt64(bytes.count)
        if written - writebackStarted >= Self.writebackStep { startWriteback() }
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
    /// it took 0.5 s of the 1 GiB benchmark otherwise. dpkg does the same for what it unpacks.
    private func startWriteback() {
        _ = Self.syncFileRange?(fd, Int64(writebackStarted), Int64(written - writebackStarted), 2)
        writebackStarted = written
    }

    /// Empties the file and the hash, to fetch the whole file again.
    func truncate() throws(DownloadError) {
        hasher.reset()
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
            throw .local(path: path, reason: Posix.describe(errno))
        }
        written = 0
        writebackStarted = 0
    }

    /// The SHA-256 of the file's bytes, once they are all written. The hash starts over: append
    /// nothing after this without `truncate()` first.
    func finishHash() throws(DownloadError) -> String {
        let failure = flush()
        guard failure == 0 else { throw .local(path: path, reason: Posix.describe(failure)) }
        return hasher.finish()
    }

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
