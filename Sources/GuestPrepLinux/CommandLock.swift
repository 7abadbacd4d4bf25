#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepModel

/// One mutating guestprep at a time: an exclusive flock(2) on `/run/guestprep.lock` under the
/// root, held until the process exits.
///
/// Every command that changes the machine (`run` and its stages, `reenable-client`,
/// `revoke-client`, `clean`) takes it before it reads any state; read-only commands never do,
/// so `status` or `plan` answer at once while a long install runs.
///
/// Why /run under the root: /run is the runtime directory (tmpfs on the host, empty at every
/// boot), so the lock never lands in a template's persistent state and `clean`, which empties
/// /var/lib/guestprep, cannot remove the file it is locked on (a second holder would then lock a
/// new file while the first still holds the old one). Under a fixture root the file is
/// ROOT/run/guestprep.lock: each root has its own lock, so runs on different roots never wait
/// for each other.
///
/// The lock is the kernel's: it belongs to the open file description, so it is released when
/// the process ends however it ends (exit, a crash, SIGKILL) and is never stale; the file itself
/// may stay. It is opened `O_CLOEXEC`, so a program guestprep starts (apt, an installer, a daemon
/// it forks) never inherits it and never holds it on after guestprep exits.
public final class CommandLock {
    /// The lock file, as a guest path.
    public static let guestPath = "/run/guestprep.lock"

    /// How long a second mutating command waits for the first by default (`--lock-timeout`).
    public static let defaultTimeout = 60

    /// The lock file's host path.
    public let hostPath: String
    private let fd: Int32

    private init(hostPath: String, fd: Int32) {
        self.hostPath = hostPath
        self.fd = fd
    }

    deinit { Posix.closeQuietly(fd) }

    /// Takes the lock of the tree at `root` (`/` for the running system), waiting at most
    /// `timeout` seconds for a holder to finish. `waiting` is called once, with the holder in
    /// words, when the lock is held by another process when asked for.
    ///
    /// Throws `GuestPrepError.io` naming the lock file (and the process holding it, when
    /// /proc/locks tells) when the wait runs out, or when the file cannot be opened: ROOT/run
    /// missing is created (0755); ROOT/run or the file being a symlink, or the file not being
    /// a regular file, is refused.
    public static func acquire(
        root: String, timeout: Double, waiting: (String) -> Void = { _ in }
    ) throws -> CommandLock {
        let directory = RootedFileSystem(root: root).hostPath("/run")
        let path = directory + "/guestprep.lock"
        let fd = try open(path, directory: directory)
        let lock = CommandLock(hostPath: path, fd: fd)
        if Posix.retrying({ flock(fd, LOCK_EX | LOCK_NB) }) == 0 { return lock }
        guard errno == EWOULDBLOCK else { throw failure(path, Posix.describe(errno)) }
        waiting(lock.holderDescription())
        // flock(2) has no timeout of its own: poll, every 20 ms at first and at most every
        // 200 ms, on the monotonic clock.
        let deadline = Posix.monotonicSeconds() + max(timeout, 0)
        var pause = 0.02
        while Posix.monotonicSeconds() < deadline {
            var delay = timespec(tv_sec: 0, tv_nsec: Int(min(pause, max(deadline - Posix.monotonicSeconds(), 0)) * 1e9))
            var remaining = timespec()
            while nanosleep(&delay, &remaining) != 0 && errno == EINTR { delay = remaining }
            if Posix.retrying({ flock(fd, LOCK_EX | LOCK_NB) }) == 0 { return lock }
            guard errno == EWOULDBLOCK else { throw failure(path, Posix.describe(errno)) }
            pause = min(pause * 2, 0.2)
        }
        let seconds = timeout == timeout.rounded() ? "\(Int(timeout))" : "\(timeout)"
        throw failure(
            path,
            "another guestprep is changing this machine (\(lock.holderDescription())); waited \(seconds) s for it: "
                + "nothing was changed. Run again when it has finished, or wait longer with --lock-timeout SECONDS")
    }

    /// Opens (creating it 0600 when missing) the lock file without following a link.
    private static func open(_ path: String, directory: String) throws -> Int32 {
        if mkdir(directory, 0o755) == 0 {
            _ = chmod(directory, 0o755)  // exactly 0755, whatever the umask
        } else if errno != EEXIST {
            throw failure(path, "\(directory): \(Posix.describe(errno))")
        }
        let directoryFD = Posix.retrying { Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        guard directoryFD >= 0 else {
            let reason = errno == ELOOP || errno == ENOTDIR ? "is a symlink or not a directory" : Posix.describe(errno)
            throw failure(path, "\(directory) \(reason)")
        }
        defer { Posix.closeQuietly(directoryFD) }
        let fd = Posix.retrying {
            openat(directoryFD, "guestprep.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o600)
        }
        guard fd >= 0 else {
            throw failure(path, errno == ELOOP ? "is a symlink: refused" : Posix.describe(errno))
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            Posix.closeQuietly(fd)
            throw failure(path, "is not a regular file: refused")
        }
        return fd
    }

    /// "pid 812: guestprep run --stage main", or "its holder is not known" where /proc/locks
    /// does not name it.
    func holderDescription() -> String {
        var info = stat()
        guard fstat(fd, &info) == 0,
            let table = Self.readProcFile("/proc/locks"),
            let pid = ProcLocks.holder(
                in: table, device: ProcLocks.Device(UInt64(info.st_dev)), inode: UInt64(info.st_ino))
        else { return "the process holding it is not known" }
        let command = Self.readProcFile("/proc/\(pid)/cmdline").map(ProcLocks.commandLine) ?? ""
        return command.isEmpty ? "held by pid \(pid)" : "held by pid \(pid): \(command)"
    }

    /// A procfs file's text (at most 1 MiB), or nil.
    private static func readProcFile(_ path: String) -> String? {
        guard let bytes = try? RootedFileSystem(root: "/").readRange(path, offset: 0, limit: 1 << 20) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func failure(_ path: String, _ reason: String) -> GuestPrepError {
        .io(path: path, operation: "lock", reason: reason)
    }
}
