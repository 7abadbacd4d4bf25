#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The names `RootedFileSystem` gives what it makes before renaming it into place:
/// `.NAME.guestprep-XXXXXX` beside NAME (a file's content, or a new directory being given its
/// mode), and the removal of those an interrupted run left behind.
///
/// A write killed between creating its temp file and the rename (SIGKILL, a crash of the
/// process) leaves the temp file; the run after it writes NAME again (the step was not
/// recorded as done) and first removes such leftovers, so the tree ends as an uninterrupted run
/// leaves it. Only a process holding guestprep's lock (`CommandLock`) writes, so a name of this
/// form beside NAME is never a write in progress.
enum TemporaryNames {
    /// `.NAME.guestprep-`, with NAME cut to 200 bytes so the whole name stays within NAME_MAX
    /// (255) whatever NAME's length.
    static func prefix(of name: Substring) -> String {
        ".\(String(decoding: name.utf8.prefix(200), as: UTF8.self)).guestprep-"
    }

    /// Six random letters and digits.
    static func suffix() -> String {
        String((0..<suffixLength).map { _ in alphabet.randomElement()! })
    }

    private static let suffixLength = 6
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    /// Calls `create` with fresh temp names for `name` (`.NAME.guestprep-XXXXXX`) until it
    /// succeeds, or fails with anything but EEXIST, at most 64 times: the name it succeeded
    /// with and 0, or the last name and its errno. `create` returns false with errno set.
    static func create(for name: Substring, _ create: (_ temporary: String) -> Bool) -> (temporary: String, error: Int32) {
        var temporary = ""
        var error: Int32 = EEXIST
        for _ in 0..<64 where error == EEXIST {
            temporary = prefix(of: name) + suffix()
            error = create(temporary) ? 0 : errno
        }
        return (temporary, error)
    }

    /// Whether `entry` is a temp name for `name`: the prefix and six letters or digits.
    static func isTemporary(_ entry: String, of name: Substring) -> Bool {
        let prefix = prefix(of: name)
        guard entry.utf8.count == prefix.utf8.count + suffixLength, entry.hasPrefix(prefix) else { return false }
        return entry.utf8.suffix(suffixLength).allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
        }
    }

    /// Removes the temp files (unlink) and temp directories (rmdir: one left behind is always
    /// empty, nothing is put in it before its rename) for `name` in the host directory
    /// `directory` ("" is /). Best effort: a leftover that cannot be removed does not stop the
    /// write that is about to replace it.
    static func removeLeftovers(in directory: String, of name: Substring) {
        let fd = Posix.retrying { open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { return }
        defer { Posix.closeQuietly(fd) }
        removeLeftovers(inDirectory: fd, of: name)
    }

    /// `removeLeftovers(in:of:)` for an open directory: each leftover is removed relative to the
    /// descriptor (unlinkat), so a directory renamed or replaced by a link meanwhile cannot
    /// redirect the removal. The descriptor stays open and its position is not moved.
    static func removeLeftovers(inDirectory fd: Int32, of name: Substring) {
        // fdopendir takes its descriptor over: give it a duplicate, read from the start.
        let listing = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard listing >= 0 else { return }
        guard let stream = fdopendir(listing) else {
            Posix.closeQuietly(listing)
            return
        }
        rewinddir(stream)
        var leftovers: [String] = []
        while let entry = readdir(stream) {
            // Most entries do not start with a dot: no String for them.
            guard entry.pointee.d_name.0 == 0x2e else { continue }
            let entryName = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if isTemporary(entryName, of: name) { leftovers.append(entryName) }
        }
        closedir(stream)
        for leftover in leftovers {
            if unlinkat(fd, leftover, 0) == 0 || (errno == EISDIR && unlinkat(fd, leftover, AT_REMOVEDIR) == 0) {
                CrashPoints.point()
            }
        }
    }
}
