#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
import GuestPrepCore
import GuestPrepModel

/// Whole-file `fcntl` record locks, the ones hv_kvp_daemon takes on its KVP pools
/// (tools/hv/hv_kvp_daemon.c, kvp_acquire_lock: `struct flock fl = {F_WRLCK, SEEK_SET, 0, 0}`
/// with `F_SETLKW`, for reads and rewrites alike).
///
/// guestprep takes them as open file description locks (`F_OFD_SETLKW`, Linux 3.15): fcntl(2)
/// says such a lock and a traditional record lock on the same file conflict (a read lock with
/// a write lock, two write locks) "even when they are acquired by the same process", so they
/// exclude the daemon exactly as its own lock does; and unlike a traditional lock one is not
/// dropped when some other descriptor of the same file in this process is closed, and two
/// threads of one process exclude each other (how the tests stand in for the daemon).
enum FileLock {
    /// `F_OFD_SETLKW` from Linux include/uapi/asm-generic/fcntl.h (glibc defines it only under
    /// _GNU_SOURCE, which Swift's Glibc module does not set).
    static let ofdSetLockWait: Int32 = 38

    /// Waits for and takes a lock of `type` (`F_RDLCK`, `F_WRLCK`) on the whole of `fd`'s file:
    /// 0, or the errno. The lock goes when the descriptor is closed.
    static func lock(_ fd: Int32, type: Int32) -> Int32 {
        var request = flock()
        request.l_type = Int16(type)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = 0
        request.l_len = 0  // to the end of the file, however long it grows
        request.l_pid = 0  // must be 0 for an open file description lock
        return Posix.retrying { fcntl(fd, ofdSetLockWait, &request) } == 0 ? 0 : errno
    }
}

extension RootedFileSystem {
    public func readLocked(_ path: String) throws -> [UInt8]? {
        let host = try resolve(path, operation: "read").host
        let fd = Posix.retrying { open(host, O_RDONLY | O_CLOEXEC) }
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw GuestPrepError.io(path: path, operation: "read", reason: Posix.describe(errno))
        }
        defer { Posix.closeQuietly(fd) }
        let error = FileLock.lock(fd, type: Int32(F_RDLCK))
        guard error == 0 else {
            throw GuestPrepError.io(path: path, operation: "lock (read) for reading", reason: Posix.describe(error))
        }
        return try Self.read(fd, from: 0, limit: Int.max) {
            GuestPrepError.io(path: path, operation: "read", reason: Posix.describe($0))
        }
    }

    public func updateLocked(_ path: String, mode: UInt32, _ transform: ([UInt8]) throws -> [UInt8]) throws {
        let host = try resolve(path, operation: "write").host
        // Never through a link: root rewrites this file in place.
        let fd = Posix.retrying { open(host, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode_t(mode)) }
        guard fd >= 0 else { throw GuestPrepError.io(path: path, operation: "open for writing", reason: Posix.describe(errno)) }
        defer { Posix.closeQuietly(fd) }
        let error = FileLock.lock(fd, type: Int32(F_WRLCK))
        guard error == 0 else {
            throw GuestPrepError.io(path: path, operation: "lock (write) for writing", reason: Posix.describe(error))
        }
        let old = try Self.read(fd, from: 0, limit: Int.max) {
            GuestPrepError.io(path: path, operation: "read", reason: Posix.describe($0))
        }
        let new = try transform(old)
        if new == old { return }
        // In place, as the daemon's fopen("w") + fwrite does: its open descriptor and its lock
        // stay on this inode. The lock keeps every reader that locks from seeing it half done.
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            throw GuestPrepError.io(path: path, operation: "write", reason: Posix.describe(errno))
        }
        let written = new.withUnsafeBytes { Posix.writeAll(fd, $0) }
        guard written == 0 else { throw GuestPrepError.io(path: path, operation: "write", reason: Posix.describe(written)) }
        guard Posix.retrying({ ftruncate(fd, off_t(new.count)) }) == 0, Posix.retrying({ fsync(fd) }) == 0 else {
            throw GuestPrepError.io(path: path, operation: "write", reason: Posix.describe(errno))
        }
    }
}
