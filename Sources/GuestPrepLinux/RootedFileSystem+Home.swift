#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import GuestPrepModel

/// Writes and deletes below a user's home directory, where the user, not root, decides what
/// each name is.
///
/// A path is split at the home directory (`/home/alice`, from the guest's /etc/passwd). The
/// home is reached as any path is: it and the directories above it are root's, and a link there
/// is followed as long as it stays inside the root. From the home down nothing is followed:
/// each directory is opened with `openat(O_NOFOLLOW | O_DIRECTORY)` relative to the descriptor
/// of the one above and must belong to the user; the file is created as a temp file with
/// `openat(O_CREAT | O_EXCL | O_NOFOLLOW)` in that directory, chowned and chmodded through its
/// descriptor, renamed with `renameat` in the same directory, and the directory is fsynced
/// through its descriptor; a delete is an `unlinkat` there. A user who swaps a directory for a
/// link between two system calls makes the next one fail; no write, chown or delete can land
/// outside the home (open(2): O_NOFOLLOW fails with ELOOP on a link; rename(2) replaces a link
/// itself).
extension RootedFileSystem {
    public func writeUnderHome(_ path: String, _ content: [UInt8], mode: UInt32, owner: FileOwner, home: UserHome) throws {
        let walk = try HomeWalk(fs: self, path: path, home: home, operation: "write")
        let ownership = try plannedOwnership(path, owner)
        guard let homeFD = try walk.openHome() else {
            throw HomeRefusal.missingHome(path, home: home, operation: "write")
        }
        guard let directory = try walk.openDirectory(below: homeFD, create: true) else {
            throw walk.failure(ENOENT)  // made, then removed by someone else before it was opened
        }
        defer { Posix.closeQuietly(directory) }
        var info = stat()
        if fstatat(directory, walk.name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFLNK {
            throw HomeRefusal.link(path, home: home, operation: "write")
        }

        TemporaryNames.removeLeftovers(inDirectory: directory, of: Substring(walk.name))
        let (fd, temporary) = try walk.createTemporary(in: directory)
        CrashPoints.point()
        var open = true
        do {
            if let (uid, gid) = ownership, fchown(fd, uid, gid) != 0 { throw walk.failure(errno, operation: "chown") }
            // After fchown, which clears setuid/setgid bits, and before any content.
            if fchmod(fd, mode_t(mode & 0o7777)) != 0 { throw walk.failure(errno, operation: "chmod") }
            let writeError = content.withUnsafeBytes { CrashPoints.writeAll(fd, $0) }
            if writeError != 0 { throw walk.failure(writeError) }
            if Posix.retrying({ fsync(fd) }) != 0 { throw walk.failure(errno) }
            try faultInjection?(walk.hostDirectory + "/" + temporary)
            CrashPoints.point()
            open = false
            if close(fd) != 0 && errno != EINTR { throw walk.failure(errno) }
            if renameat(directory, temporary, directory, walk.name) != 0 { throw walk.failure(errno) }
            CrashPoints.point()
        } catch {
            if open { Posix.closeQuietly(fd) }
            _ = unlinkat(directory, temporary, 0)
            throw error
        }
        try walk.sync(directory)
    }

    public func deleteUnderHome(_ path: String, home: UserHome) throws {
        let walk = try HomeWalk(fs: self, path: path, home: home, operation: "delete")
        guard let homeFD = try walk.openHome(), let directory = try walk.openDirectory(below: homeFD, create: false) else {
            return
        }
        defer { Posix.closeQuietly(directory) }
        // unlinkat removes a file or a link itself; a directory (EISDIR) only when empty, as
        // `delete` does.
        if unlinkat(directory, walk.name, 0) != 0 {
            if errno == ENOENT { return }
            guard errno == EISDIR, unlinkat(directory, walk.name, AT_REMOVEDIR) == 0 else { throw walk.failure(errno) }
        }
        CrashPoints.point()
        try walk.sync(directory)
    }

    public func readUnderHome(_ path: String, home: UserHome, limit: Int) throws -> [UInt8]? {
        let walk = try HomeWalk(fs: self, path: path, home: home, operation: "read")
        guard let homeFD = try walk.openHome(), let directory = try walk.openDirectory(below: homeFD, create: false) else {
            return nil
        }
        defer { Posix.closeQuietly(directory) }
        // O_NONBLOCK: a FIFO the user put there does not stall the open; it is refused below.
        let fd = Posix.retrying { openat(directory, walk.name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            if code == ELOOP { throw HomeRefusal.link(path, home: home, operation: "read") }
            throw walk.failure(code)
        }
        defer { Posix.closeQuietly(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw walk.failure(errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw HomeRefusal.notRegularFile(path, home: home, operation: "read") }
        return try RootedFileSystem.read(fd, from: 0, limit: limit) { walk.failure($0) }
    }
}

/// One path below a home, split where the user's part begins, and the steps to reach it.
private struct HomeWalk {
    let fs: RootedFileSystem
    let path: String
    let home: UserHome
    let operation: String
    /// The home's host path.
    let hostHome: String
    /// The directories from the home down to the file's, without the home.
    let directories: [String]
    /// The file's name.
    let name: String
    /// The uid and gid of `home.owner`, resolved in the root's accounts.
    let user: (uid: uid_t, gid: gid_t)

    init(fs: RootedFileSystem, path: String, home: UserHome, operation: String) throws {
        self.fs = fs
        self.path = path
        self.home = home
        self.operation = operation
        let target = try fs.resolve(path, operation: operation)
        let base = try fs.resolve(home.directory, operation: operation)
        guard target.components.count > base.components.count,
            Array(target.components.prefix(base.components.count)) == base.components
        else {
            throw HomeRefusal.notBelow(path, home: home, operation: operation)
        }
        hostHome = base.host
        let below = target.components.dropFirst(base.components.count).map(String.init)
        directories = Array(below.dropLast())
        name = below.last!
        let hostRoot = String(fs.hostPath("/").dropLast())
        do {
            user = try AccountDatabase(hostRoot: hostRoot, isRealRoot: hostRoot.isEmpty).ids(for: home.owner)
        } catch {
            throw GuestPrepError.io(path: path, operation: operation, reason: error.reason)
        }
    }

    /// The host path of the file's directory, for messages and the fault-injection hook.
    var hostDirectory: String { ([hostHome] + directories).joined(separator: "/") }

    /// The guest path of the directory `count` levels below the home.
    private func guestDirectory(_ count: Int) -> String {
        ([home.directory == "/" ? "" : home.directory] + directories.prefix(count)).joined(separator: "/")
    }

    /// A descriptor for the home directory, or nil when it does not exist. Links on the way
    /// (root's) are followed, but under a root other than `/` only while they stay inside it.
    func openHome() throws -> Int32? {
        let hostRoot = String(fs.hostPath("/").dropLast())
        guard let resolved = RootedFileSystem.canonical(hostHome) else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure(errno, at: hostHome)
        }
        if !hostRoot.isEmpty {
            guard let root = RootedFileSystem.canonical(hostRoot) else { throw failure(errno, at: hostRoot) }
            guard RootedFileSystem.isInside(resolved, root) else {
                throw GuestPrepError.io(
                    path: path, operation: operation,
                    reason: "the home directory \(home.directory) of user \(home.user) leads to \(resolved), outside the root \(root)")
            }
        }
        let fd = Posix.retrying { open(resolved, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure(errno, at: resolved)
        }
        return fd
    }

    /// Walks from the home (whose descriptor it takes over) to the file's directory, each
    /// directory opened without following a link and checked to be the user's. A missing one is
    /// created (0700, the user's) when `create` is set; otherwise the result is nil.
    func openDirectory(below homeFD: Int32, create: Bool) throws -> Int32? {
        var current = homeFD
        for (index, component) in directories.enumerated() {
            let parent = current
            defer { Posix.closeQuietly(parent) }
            guard let next = try openOwned(component, in: parent, shown: guestDirectory(index + 1), create: create) else {
                return nil
            }
            current = next
        }
        return current
    }

    /// `name` in `parent` as a directory of the user's, never following a link.
    ///
    /// A missing directory is made whole before it gets its name: created as a temp directory
    /// (`TemporaryNames`), given to the user and set to 0700 through its descriptor, then renamed
    /// into place (a name the user made meanwhile is opened and judged like any other; only an
    /// empty directory made in that instant would be replaced, by the user's own empty one:
    /// renameat2's RENAME_NOREPLACE is not in Glibc's Swift overlay). A run killed part-way leaves at most an
    /// empty temp directory, which the next one removes; never a root-owned `~/.bitfusion`,
    /// which it would then refuse as not the user's.
    private func openOwned(_ component: String, in parent: Int32, shown: String, create: Bool) throws -> Int32? {
        var made = false
        while true {
            let fd = Posix.retrying { openat(parent, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            if fd >= 0 {
                var info = stat()
                guard fstat(fd, &info) == 0 else {
                    let code = errno
                    Posix.closeQuietly(fd)
                    throw failure(code, at: shown)
                }
                guard info.st_uid == user.uid else {
                    Posix.closeQuietly(fd)
                    throw HomeRefusal.notOwned(
                        shown, home: home, holder: "uid \(info.st_uid) (\(home.user) is uid \(user.uid))", operation: operation)
                }
                return fd
            }
            let code = errno
            if code == ENOENT, create, !made {
                try makeDirectory(component, in: parent, shown: shown)
                made = true
                continue
            }
            if code == ENOENT { return nil }
            if code == ELOOP || code == ENOTDIR {
                var info = stat()
                if fstatat(parent, component, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFLNK {
                    throw HomeRefusal.link(shown, home: home, operation: operation)
                }
                throw HomeRefusal.notDirectory(shown, home: home, operation: operation)
            }
            throw failure(code, at: shown)
        }
    }

    /// Makes `component` in `parent`: the user's, 0700 whatever the umask, and durable (the
    /// parent is fsynced). Returns when the name exists, made here or by someone else.
    private func makeDirectory(_ component: String, in parent: Int32, shown: String) throws {
        let name = Substring(component)
        TemporaryNames.removeLeftovers(inDirectory: parent, of: name)
        let (temporary, error) = TemporaryNames.create(for: name) { mkdirat(parent, $0, 0o700) == 0 }
        if error != 0 { throw failure(error, operation: "create directory", at: shown) }
        CrashPoints.point()
        do {
            let fd = Posix.retrying { openat(parent, temporary, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            guard fd >= 0 else { throw failure(errno, operation: "create directory", at: shown) }
            defer { Posix.closeQuietly(fd) }
            if fchown(fd, user.uid, user.gid) != 0 { throw failure(errno, operation: "chown", at: shown) }
            if fchmod(fd, 0o700) != 0 { throw failure(errno, operation: "chmod", at: shown) }
            CrashPoints.point()
            if renameat(parent, temporary, parent, component) != 0 {
                // Made meanwhile (a directory with entries, a file, a link: rename(2) replaces
                // none of them); the caller opens and judges it.
                guard [EEXIST, ENOTEMPTY, ENOTDIR, EISDIR].contains(errno) else {
                    throw failure(errno, operation: "create directory", at: shown)
                }
                _ = unlinkat(parent, temporary, AT_REMOVEDIR)
                return
            }
            CrashPoints.point()
        } catch {
            _ = unlinkat(parent, temporary, AT_REMOVEDIR)
            throw error
        }
        try sync(parent)
    }

    /// A new temp file `.NAME.guestprep-XXXXXX` in `directory`, created exclusively, never
    /// through a link, readable by its owner only.
    func createTemporary(in directory: Int32) throws -> (Int32, String) {
        var fd: Int32 = -1
        let made = TemporaryNames.create(for: Substring(name)) { temporary in
            fd = Posix.retrying { openat(directory, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
            return fd >= 0
        }
        if made.error != 0 { throw failure(made.error) }
        return (fd, made.temporary)
    }

    /// Makes the rename or unlink in `directory` durable.
    func sync(_ directory: Int32) throws {
        let error = Posix.syncDirectory(directory)
        if error != 0 { throw failure(error, operation: "sync directory") }
    }

    func failure(_ code: Int32, operation: String? = nil, at place: String? = nil) -> GuestPrepError {
        let reason = Posix.describe(code)
        return .io(
            path: path, operation: operation ?? self.operation,
            reason: (place.map { "\($0): \(reason)" } ?? reason) + " (in the home of user \(home.user))")
    }
}
