#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import GuestPrepModel

/// The real file system, with every guest path mapped under `root` (`/` is the running
/// system; any other directory is a guest image or a fixture tree).
///
/// Path rules:
/// - A guest path must be absolute and must not contain a `..` component; `.` components and
///   repeated slashes are ignored. Anything else throws `GuestPrepError.io`.
/// - Writes and deletes never leave the root: each directory on the way to the file is checked
///   with `lstat`, and a symlinked directory whose target lies outside the root is an error
///   (a symlink that stays inside the root is followed). Under the real root nothing can
///   escape, so no such check is made there.
/// - Reads (`read`, `readRange`, `exists`, `list`, `mode`) follow symlinks as the kernel
///   resolves them, even when they point outside the root: an absolute symlink in a guest
///   image is read as the host's file. Reading is harmless to the host, and the sysfs and
///   procfs trees that guestprep reads are made of such links under the real root.
/// - The checks are made before the operation, not atomically with it (no `openat2`
///   `RESOLVE_IN_ROOT`): they guard against a tree that is wrong, not against a process that
///   rewrites the tree while guestprep runs.
public struct RootedFileSystem: FileSystem {
    /// The host directory guest paths are mapped under, as given.
    public var root: String

    /// Called during `writeAtomically` with the temp file's host path after its content is
    /// written and fsynced and before it is renamed over the target. A test that throws here
    /// sees what an interruption at the worst moment leaves behind.
    package var faultInjection: (@Sendable (_ temporaryHostPath: String) throws -> Void)? = nil

    /// A file system rooted at the host directory `root` (`/` for the running system).
    public init(root: String) {
        self.root = root
        var trimmed = Substring(root)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        hostRoot = trimmed == "/" ? "" : String(trimmed)
    }

    /// The root without trailing slashes; "" for the real root, so that it can prefix a path.
    /// Worked out once: every file operation uses it.
    private let hostRoot: String

    private var isRealRoot: Bool { hostRoot.isEmpty }

    public func hostPath(of guestPath: String) -> String? { hostPath(guestPath) }

    /// The host path for a guest path: the guest path appended to the root. This is plain text
    /// joining; it does not check the path (every file operation of this type does).
    public func hostPath(_ guestPath: String) -> String {
        hostRoot + (guestPath.hasPrefix("/") ? guestPath : "/" + guestPath)
    }

    // MARK: - Reading

    /// A read-only descriptor for the file, or nil when it (or a directory on its way) does not
    /// exist. The caller closes it.
    private func openForReading(_ path: String) throws -> Int32? {
        let host = try hostPath(checking: path, operation: "read")
        let fd = Posix.retrying { open(host, O_RDONLY | O_CLOEXEC) }
        if fd < 0 {
            if Self.isMissing(errno) { return nil }
            throw failure(path, "read", errno)
        }
        return fd
    }

    /// The file's bytes, or nil when it (or a directory on its way) does not exist. Follows
    /// symlinks.
    public func read(_ path: String) throws -> [UInt8]? {
        guard let fd = try openForReading(path) else { return nil }
        defer { Posix.closeQuietly(fd) }
        // One uninitialized buffer the size of the file (sysfs says 4096, procfs 0): zeroing a
        // fixed 64 KiB buffer per read was a visible part of a run's instructions.
        var info = stat()
        let size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        let chunk = UnsafeMutableRawBufferPointer.allocate(
            byteCount: min(max(size + 1, 4096), 1 << 20), alignment: 1)
        defer { chunk.deallocate() }
        var content: [UInt8] = []
        while true {
            let count = Posix.readSome(fd, chunk)
            if count < 0 { throw failure(path, "read", errno) }
            if count == 0 { return content }
            content.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        }
    }

    /// Up to `limit` bytes from `offset` (fewer at the end of the file; none past it), read with
    /// `pread`, so block devices and ISO images work without reading them whole. Nil when the
    /// file does not exist.
    public func readRange(_ path: String, offset: UInt64, limit: Int) throws -> [UInt8]? {
        guard let fd = try openForReading(path) else { return nil }
        defer { Posix.closeQuietly(fd) }
        guard offset <= UInt64(Int64.max) else {
            throw GuestPrepError.io(path: path, operation: "read", reason: "offset \(offset) is out of range")
        }
        return try Self.read(fd, from: Int64(offset), limit: limit) { failure(path, "read", $0) }
    }

    /// Up to `limit` bytes of the open file or block device `fd` from `offset`, by pread(2);
    /// `failure` makes the error for an errno.
    static func read(_ fd: Int32, from offset: Int64, limit: Int, failure: (Int32) -> Error) throws -> [UInt8] {
        var content: [UInt8] = []
        var position = offset
        // Callers bound a read by the largest input they accept plus one byte (1 MiB + 1 for an
        // OVF environment) and most files are a few KiB: a chunk of the whole limit would be
        // zeroed at every start for nothing.
        var chunk = [UInt8](repeating: 0, count: min(max(limit, 0), 64 << 10))
        while content.count < limit {
            let wanted = min(limit - content.count, chunk.count)
            let count = chunk.withUnsafeMutableBytes { raw in
                Posix.retrying { pread(fd, raw.baseAddress, wanted, off_t(position)) }
            }
            if count < 0 { throw failure(errno) }
            if count == 0 { break }
            content.append(contentsOf: chunk[0..<count])
            position += Int64(count)
            // A short read of a file or block device is its end: no second read to see it.
            if count < wanted { break }
        }
        return content
    }

    /// What a record device holds now, without waiting: opened O_NONBLOCK and read until
    /// EAGAIN (nothing more yet) or end of file. /dev/kmsg returns one record per read and
    /// EPIPE when the record it was at was overwritten meanwhile; the read goes on from the
    /// next one. A regular file (a fixture root's dev/kmsg) is read to its end.
    public func readAvailable(_ path: String, limit: Int) throws -> [UInt8]? {
        let host = try hostPath(checking: path, operation: "read")
        let fd = Posix.retrying { open(host, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        if fd < 0 {
            if Self.isMissing(errno) { return nil }
            throw failure(path, "read", errno)
        }
        defer { Posix.closeQuietly(fd) }
        // A kmsg record is at most 8 KiB with its dictionary; a smaller buffer gets EINVAL.
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 << 10, alignment: 1)
        defer { chunk.deallocate() }
        var content: [UInt8] = []
        while content.count < limit {
            let count = Posix.readSome(fd, chunk)
            if count < 0 {
                if errno == EPIPE { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                throw failure(path, "read", errno)
            }
            if count == 0 { break }
            content.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<min(count, limit - content.count)]))
        }
        return content
    }

    /// Whether anything exists at the path, following symlinks. An invalid path does not exist.
    public func exists(_ path: String) -> Bool {
        guard let host = try? hostPath(checking: path, operation: "stat") else { return false }
        var info = stat()
        return stat(host, &info) == 0
    }

    /// The names in a directory (without `.` and `..`), sorted; nil when it does not exist.
    public func list(_ directory: String) throws -> [String]? {
        let host = try hostPath(checking: directory, operation: "list")
        guard let stream = opendir(host) else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure(directory, "list", errno)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw failure(directory, "list", errno) }
                break
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The permission bits (including setuid, setgid and sticky) of an existing file, following
    /// symlinks; nil when it does not exist.
    public func mode(_ path: String) throws -> UInt32? {
        let host = try hostPath(checking: path, operation: "stat")
        var info = stat()
        if stat(host, &info) != 0 {
            if Self.isMissing(errno) { return nil }
            throw failure(path, "stat", errno)
        }
        return UInt32(info.st_mode) & 0o7777
    }

    /// The target of a symlink exactly as stored, or nil when the path is missing or is not a
    /// symlink. The link itself is not followed.
    public func readLink(_ path: String) throws -> String? {
        let host = try hostPath(checking: path, operation: "readlink")
        // readlink alone: EINVAL says "not a link", ENOENT "missing"; no lstat first.
        var size = 256
        while true {
            // Uninitialized: a zeroed 4 KiB array per link was most of a link's cost (callgrind).
            // (target, errno): a nil target with errno 0 means the buffer was too small.
            let (target, code): (String?, Int32) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: size) { buffer in
                let count = readlink(host, buffer.baseAddress!, size)
                if count < 0 { return (nil, errno) }
                if count >= size { return (nil, 0) }
                return (String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: count), as: UTF8.self), 0)
            }
            if let target { return target }
            if code == 0 {
                size *= 2
                continue
            }
            if code == EINVAL || Self.isMissing(code) { return nil }  // not a link, or missing
            throw failure(path, "readlink", code)
        }
    }

    // MARK: - Writing

    /// Replaces the file atomically: creates missing parent directories (0755), writes a temp
    /// file `.NAME.guestprep-XXXXXX` in the same directory, gives it its owner and its final
    /// `mode` before any byte of content is written (a secret is never readable by others,
    /// even briefly), writes and fsyncs it, renames it over the target and fsyncs the
    /// directory (unless `syncDirectory` is false: then `syncDirectory(of:)` does it later, once
    /// for several files). On any failure the temp file is removed and the old file is left as
    /// it was; the temp files of the same file that a killed run left are removed first
    /// (`TemporaryNames`).
    ///
    /// The owner's names are resolved in the root's own `/etc/passwd` and `/etc/group` (through
    /// the C library under the real root); `root:root` is 0:0 without a lookup. When not running
    /// as root, only a file for the current user can be written (its group is changed when
    /// that is allowed); asking for any other owner throws.
    public func writeAtomically(
        _ path: String, _ content: [UInt8], mode: UInt32, owner: FileOwner, syncDirectory: Bool
    ) throws {
        let resolved = try resolve(path, operation: "write")
        guard let name = resolved.components.last else {
            throw GuestPrepError.io(path: path, operation: "write", reason: "is the root directory, not a file")
        }
        let ownership = try plannedOwnership(path, owner)
        guard let directory = try prepareParent(path, resolved.components, create: true) else {
            throw GuestPrepError.io(path: path, operation: "write", reason: "its directory is missing")
        }
        let target = directory + "/" + name
        TemporaryNames.removeLeftovers(in: directory, of: name)

        let (fd, temporary) = try createTemporary(path, directory: directory, name: name)
        CrashPoints.point()
        var open = true
        do {
            if let (uid, gid) = ownership, fchown(fd, uid, gid) != 0 { throw failure(path, "chown", errno) }
            // After fchown, which clears setuid/setgid bits, and before any content.
            if fchmod(fd, mode_t(mode & 0o7777)) != 0 { throw failure(path, "chmod", errno) }
            let writeError = content.withUnsafeBytes { CrashPoints.writeAll(fd, $0) }
            if writeError != 0 { throw failure(path, "write", writeError) }
            if Posix.retrying({ fsync(fd) }) != 0 { throw failure(path, "write", errno) }
            try faultInjection?(temporary)
            CrashPoints.point()
            open = false
            if close(fd) != 0 && errno != EINTR { throw failure(path, "write", errno) }
            if rename(temporary, target) != 0 { throw failure(path, "write", errno) }
            CrashPoints.point()
        } catch {
            if open { Posix.closeQuietly(fd) }
            _ = unlink(temporary)
            throw error
        }
        if syncDirectory { try self.syncDirectory(path, directory) }
    }

    /// Writes a kernel attribute in place: open(2) without O_CREAT or O_TRUNC and with
    /// O_NOFOLLOW, then one write(2) of the whole text, since a sysfs store sees each write as
    /// one value. What the kernel refuses (ENODEV for a device not bound to the driver) throws.
    public func writeAttribute(_ path: String, _ text: String) throws {
        let host = try hostPath(checking: path, operation: "write")
        let fd = Posix.retrying { open(host, O_WRONLY | O_NOFOLLOW | O_CLOEXEC) }
        if fd < 0 { throw failure(path, "write", errno) }
        defer { Posix.closeQuietly(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { raw in Posix.retrying { write(fd, raw.baseAddress, raw.count) } }
        if written < 0 { throw failure(path, "write", errno) }
        if written != bytes.count {
            throw GuestPrepError.io(path: path, operation: "write", reason: "the kernel took \(written) of \(bytes.count) bytes")
        }
    }

    /// Removes the file (a symlink itself, not its target). A missing file or directory is not
    /// an error. Like a write, it refuses to act through a symlink leading out of the root.
    public func delete(_ path: String, syncDirectory: Bool) throws {
        let resolved = try resolve(path, operation: "delete")
        guard let name = resolved.components.last else {
            throw GuestPrepError.io(path: path, operation: "delete", reason: "is the root directory, not a file")
        }
        guard let directory = try prepareParent(path, resolved.components, create: false) else { return }
        // unlink removes a file or a link itself, never what a link points to; a directory
        // (EISDIR) is removed by rmdir only when empty.
        if unlink(directory + "/" + name) != 0 {
            if Self.isMissing(errno) { return }
            guard errno == EISDIR, rmdir(directory + "/" + name) == 0 else { throw failure(path, "delete", errno) }
        }
        CrashPoints.point()
        if syncDirectory { try self.syncDirectory(path, directory) }
    }

    /// Fsyncs the directory holding `path`, resolved as a write would resolve it.
    public func syncDirectory(of path: String) throws {
        let resolved = try resolve(path, operation: "sync directory")
        guard !resolved.components.isEmpty,
            let directory = try prepareParent(path, resolved.components, create: false)
        else { return }
        try syncDirectory(path, directory)
    }

    // MARK: - Helpers

    /// The checked components of a guest path and the host path they map to.
    /// The host path for a guest path, checked as `resolve` checks it. Reads (sysfs scans make
    /// hundreds) take this path: a path that is already clean (`/a/b`, no empty, `.` or `..`
    /// component) is checked in one pass over its bytes and joined as it is, without
    /// splitting it into substrings (callgrind: splitting was most of a 4-NIC scan).
    private func hostPath(checking guestPath: String, operation: String) throws -> String {
        var clean = guestPath.utf8.first == UInt8(ascii: "/")
        var segmentLength = 0
        var dots = 0
        for byte in guestPath.utf8.dropFirst() {
            if byte == UInt8(ascii: "/") {
                if segmentLength == 0 || dots == segmentLength { clean = false; break }
                segmentLength = 0
                dots = 0
            } else if byte == 0 {
                clean = false
                break
            } else {
                segmentLength += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        if clean, segmentLength > 0, dots != segmentLength { return hostRoot + guestPath }
        return try resolve(guestPath, operation: operation).host
    }

    func resolve(_ guestPath: String, operation: String) throws -> (components: [Substring], host: String) {
        guard guestPath.hasPrefix("/") else {
            throw GuestPrepError.io(path: guestPath, operation: operation, reason: "is not an absolute guest path")
        }
        guard !guestPath.utf8.contains(0) else {
            throw GuestPrepError.io(path: guestPath, operation: operation, reason: "contains a NUL byte")
        }
        var components: [Substring] = []
        for component in guestPath.split(separator: "/") where component != "." {
            if component == ".." {
                throw GuestPrepError.io(
                    path: guestPath, operation: operation, reason: "contains a '..' component, which is not allowed")
            }
            components.append(component)
        }
        return (components, hostRoot + "/" + components.joined(separator: "/"))
    }

    /// The uid and gid to give a new file, or nil when no chown is needed.
    func plannedOwnership(_ path: String, _ owner: FileOwner) throws -> (uid_t, gid_t)? {
        let ids: (uid: uid_t, gid: gid_t)
        do {
            ids = try AccountDatabase(hostRoot: hostRoot, isRealRoot: isRealRoot).ids(for: owner)
        } catch {
            throw GuestPrepError.io(path: path, operation: "chown", reason: error.reason)
        }
        let effective = geteuid()
        if effective == 0 { return (ids.uid, ids.gid) }
        guard ids.uid == effective else {
            throw GuestPrepError.io(
                path: path, operation: "chown",
                reason: "running as uid \(effective), not root: cannot give the file to \(owner) (uid \(ids.uid))")
        }
        return ids.gid == getegid() ? nil : (uid_t.max, ids.gid)  // uid -1: keep the user
    }

    /// Walks the directories leading to the file from the root, creating missing ones (0755,
    /// see `makeDirectory`) when `create` is set, and refusing a symlink that leads outside the
    /// root. Returns the host path of the file's directory, or nil when it is missing and
    /// `create` is not set.
    private func prepareParent(_ path: String, _ components: [Substring], create: Bool) throws -> String? {
        let realRoot = isRealRoot ? "/" : try canonicalRoot(path)
        var current = hostRoot
        for component in components.dropLast() {
            let parent = current
            current += "/" + component
            var info = stat()
            while lstat(current, &info) != 0 {
                guard errno == ENOENT else { throw failure(path, "write", errno, at: current) }
                guard create else { return nil }
                try makeDirectory(path, current, in: parent, name: component)
            }
            if Self.isSymlink(info) {
                if !isRealRoot {
                    guard let target = Self.canonical(current) else {
                        throw GuestPrepError.io(
                            path: path, operation: "write",
                            reason: "\(current) is a symlink to a missing or unreadable target")
                    }
                    guard Self.isInside(target, realRoot) else {
                        throw GuestPrepError.io(
                            path: path, operation: "write",
                            reason: "\(current) is a symlink to \(target), outside the root \(realRoot)")
                    }
                }
                if stat(current, &info) != 0 {
                    if !create && Self.isMissing(errno) { return nil }
                    throw failure(path, "write", errno, at: current)
                }
            }
            guard Self.isDirectory(info) else { throw failure(path, "write", ENOTDIR, at: current) }
        }
        return current  // "" stands for "/" under the real root
    }

    /// Creates the host directory `host`, named `name` in `parent` ("" is /), 0755 whatever the
    /// umask, in one step as seen from outside: made under a temp name, given its mode, renamed
    /// into place. A crash leaves no directory or the finished one, never one with the umask's
    /// mode (the units run with UMask=0077: a mkdir cut short before its chmod would leave a
    /// 0700 /etc/systemd/network that no later run corrects). Then the parent is fsynced, so the
    /// new entry is as durable as the files written into it. When something appeared at `host`
    /// meanwhile, the temp directory is removed and the caller looks at what is there.
    private func makeDirectory(_ path: String, _ host: String, in parent: String, name: Substring) throws {
        TemporaryNames.removeLeftovers(in: parent, of: name)
        let made = TemporaryNames.create(for: name) { mkdir(parent + "/" + $0, 0o700) == 0 }
        if made.error != 0 { throw failure(path, "create directory", made.error, at: host) }
        let temporary = parent + "/" + made.temporary
        CrashPoints.point()
        guard chmod(temporary, 0o755) == 0 else {
            let code = errno
            _ = rmdir(temporary)
            throw failure(path, "create directory", code, at: host)
        }
        CrashPoints.point()
        if rename(temporary, host) != 0 {
            let code = errno
            _ = rmdir(temporary)
            // Something is there now (a directory with files, a file, a mount point).
            if [EEXIST, ENOTEMPTY, ENOTDIR, EISDIR, EBUSY].contains(code) { return }
            throw failure(path, "create directory", code, at: host)
        }
        CrashPoints.point()
        try syncDirectory(path, parent)
    }

    /// The root's canonical host path, for checking where symlinks lead.
    private func canonicalRoot(_ path: String) throws -> String {
        guard let real = Self.canonical(hostRoot) else {
            throw failure(path, "write", errno, at: root)
        }
        return real
    }

    /// Opens a new temp file next to the target, exclusively and readable by its owner only.
    private func createTemporary(_ path: String, directory: String, name: Substring) throws -> (Int32, String) {
        var fd: Int32 = -1
        let made = TemporaryNames.create(for: name) { temporary in
            fd = Posix.retrying { open(directory + "/" + temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
            return fd >= 0
        }
        if made.error != 0 { throw failure(path, "write", made.error) }
        return (fd, directory + "/" + made.temporary)
    }

    /// Makes a rename or unlink in `directory` durable.
    private func syncDirectory(_ path: String, _ directory: String) throws {
        let fd = Posix.retrying { open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw failure(path, "sync directory", errno) }
        defer { Posix.closeQuietly(fd) }
        let error = Posix.syncDirectory(fd)
        if error != 0 { throw failure(path, "sync directory", error) }
    }

    private func failure(_ path: String, _ operation: String, _ code: Int32, at hostPath: String? = nil) -> GuestPrepError {
        let reason = Posix.describe(code)
        return .io(path: path, operation: operation, reason: hostPath.map { "\($0): \(reason)" } ?? reason)
    }

    private static func isMissing(_ code: Int32) -> Bool { code == ENOENT || code == ENOTDIR }

    private static func isSymlink(_ info: stat) -> Bool { info.st_mode & 0o170000 == 0o120000 }

    private static func isDirectory(_ info: stat) -> Bool { info.st_mode & 0o170000 == 0o040000 }

    /// The path with every symlink resolved, or nil (errno set) when that fails.
    static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path.isEmpty ? "/" : path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether the canonical `path` is `root` or below it.
    static func isInside(_ path: String, _ root: String) -> Bool {
        root == "/" || path == root || path.hasPrefix(root + "/")
    }
}
