import GuestPrepModel

/// Every file operation guestprep makes goes through this protocol. Paths are guest paths
/// (`/etc/hostname`); an implementation maps them under its root.
public protocol FileSystem: Sendable {
    /// The file's bytes, or nil when it does not exist. Throws for any other failure.
    func read(_ path: String) throws -> [UInt8]?
    /// Replaces the file atomically: temp file in the same directory, fsync, rename, and, when
    /// `syncDirectory` is true, fsync of the directory. Creates missing parent directories
    /// (0755). Never leaves a partial file. With `syncDirectory` false the new file is whole
    /// but its rename is durable only after `syncDirectory(of:)` for the same path.
    func writeAtomically(_ path: String, _ content: [UInt8], mode: UInt32, owner: FileOwner, syncDirectory: Bool) throws
    /// Removes the file, the link (never what it points to) or the empty directory; removing a
    /// missing file is not an error. `syncDirectory` as for a write.
    func delete(_ path: String, syncDirectory: Bool) throws
    /// Replaces `path`, a file below `home.directory`, atomically and durably, as
    /// `writeAtomically` does, but without trusting what the user keeps there: the home is
    /// reached as any path (it and what lies above it are root's), and from the home down every
    /// directory is opened without following a link and must belong to `home.owner`'s user; a
    /// missing one is created (0700, `home.owner`'s). The file itself is never opened: a temp
    /// file is created exclusively beside it, given `owner` and `mode` through its descriptor,
    /// and renamed over it. Throws, naming the user and the path, when the home is missing, a
    /// directory below it is a link, not a directory or not the user's, or the file is a link;
    /// nothing outside the home is then read, written or changed.
    func writeUnderHome(_ path: String, _ content: [UInt8], mode: UInt32, owner: FileOwner, home: UserHome) throws
    /// Removes `path`, a file below `home.directory`, durably, reaching it as `writeUnderHome`
    /// does; a link there is removed itself, never followed. A missing file, directory or home
    /// is not an error; a directory on the way that is a link or not the user's is.
    func deleteUnderHome(_ path: String, home: UserHome) throws
    /// Up to `limit` bytes of `path`, a regular file below `home.directory`, reached as
    /// `writeUnderHome` reaches it and opened without following a link, so that root never reads
    /// (and quotes in a finding) a file the user pointed it at. Nil when the file or a directory
    /// on the way is missing; throws, naming the user and the path, for a link, a directory not
    /// the user's, or a file that is not a regular one.
    func readUnderHome(_ path: String, home: UserHome, limit: Int) throws -> [UInt8]?
    /// Writes `text` to an existing kernel attribute (a sysfs file such as
    /// `/sys/bus/pci/drivers/nouveau/unbind`) in place, as the kernel wants it: opened for
    /// writing without creating or truncating it, one write(2), no link followed at the path.
    /// The kernel's answer is the result: a refusal (ENODEV, EBUSY, a missing file) throws,
    /// naming the path and the errno's text.
    func writeAttribute(_ path: String, _ text: String) throws
    /// Makes earlier renames and removals in the directory that holds `path` durable (fsync of
    /// the directory). A missing directory is not an error: nothing in it needs syncing.
    func syncDirectory(of path: String) throws
    /// Whether anything exists at the path (following symlinks).
    func exists(_ path: String) -> Bool
    /// The names in a directory, sorted; nil when it does not exist or is not a directory.
    func list(_ directory: String) throws -> [String]?
    /// The permission bits of an existing file, or nil when it does not exist.
    func mode(_ path: String) throws -> UInt32?
    /// The target of a symlink, or nil when the path is not a symlink.
    func readLink(_ path: String) throws -> String?
    /// Up to `limit` bytes from `offset` of a file or block device, for reading ISO images
    /// without reading them whole. Nil when the file does not exist.
    func readRange(_ path: String, offset: UInt64, limit: Int) throws -> [UInt8]?
    /// What a record device such as /dev/kmsg holds now, up to `limit` bytes, without waiting
    /// for more: it is opened non-blocking and read record by record until it has nothing
    /// further (a regular file: until its end). Nil when it does not exist.
    func readAvailable(_ path: String, limit: Int) throws -> [UInt8]?
    /// Where a guest path lies on the host, for the programs and libraries that open it
    /// themselves (a downloaded installer, libcurl's destination); nil for a file system that
    /// is not on the host (in memory).
    func hostPath(of guestPath: String) -> String?
    /// The file's bytes read under a shared (read) lock on the whole file, the lock
    /// hv_kvp_daemon takes with `fcntl` before it rewrites a KVP pool: a read never sees a pool
    /// half rewritten. Nil when the file does not exist.
    func readLocked(_ path: String) throws -> [UInt8]?
    /// Rewrites the file in place under an exclusive (write) lock on the whole file, as
    /// hv_kvp_daemon does its pools (it keeps the file open and locks that inode, so the file is
    /// never replaced by a rename): `transform` gets the current bytes (none when the file is
    /// new; it is then created with `mode`) and returns the new ones.
    func updateLocked(_ path: String, mode: UInt32, _ transform: ([UInt8]) throws -> [UInt8]) throws
}

extension FileSystem {
    /// Without locks (a file system in memory has no other writer): a plain read.
    public func readLocked(_ path: String) throws -> [UInt8]? { try read(path) }

    /// Without locks: read, transform, write.
    public func updateLocked(_ path: String, mode: UInt32, _ transform: ([UInt8]) throws -> [UInt8]) throws {
        try writeAtomically(path, try transform(try read(path) ?? []), mode: mode, owner: .root)
    }
}

extension FileSystem {
    /// Whether `path` is a symlink (wherever it points: an enabled unit's link may point
    /// outside a fixture root) or an existing file or directory.
    public func linkOrEntryExists(_ path: String) -> Bool {
        (try? readLink(path)) != nil || exists(path)
    }

    /// Replaces the file atomically and durably (its directory is fsynced too).
    public func writeAtomically(_ path: String, _ content: [UInt8], mode: UInt32, owner: FileOwner) throws {
        try writeAtomically(path, content, mode: mode, owner: owner, syncDirectory: true)
    }

    /// Removes the file durably; removing a missing file is not an error.
    public func delete(_ path: String) throws { try delete(path, syncDirectory: true) }

    /// The file as UTF-8 text (invalid bytes repaired), or nil when it does not exist.
    public func readText(_ path: String) throws -> String? {
        try read(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The first line of a sysfs/procfs attribute, trimmed; nil when missing or unreadable.
    public func attribute(_ path: String) -> String? {
        // On bytes: a NIC scan reads several attributes per interface on the boot path. One
        // page at most, as sysfs gives: open, one pread, close (a whole-file read adds an fstat
        // and a read to see the end, and syscalls are most of a scan's time in a VM).
        guard let bytes = try? readRange(path, offset: 0, limit: 4096) else { return nil }
        func isBlank(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
        }
        var start = bytes.startIndex
        var end = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        while start < end, isBlank(bytes[start]) { start += 1 }
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        return start == end ? nil : String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

extension StringProtocol {
    /// The string without leading and trailing characters from `set`.
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
