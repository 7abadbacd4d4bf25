#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepModel

/// Resolves user and group names to numeric ids for the file system rooted at `root`.
///
/// With the real root (`/`) names go through the C library (`getpwnam_r`/`getgrnam_r`, so NSS
/// sources such as sssd count). Under any other root the root's own `etc/passwd` and
/// `etc/group` are parsed, because the host's accounts say nothing about a guest image's.
/// A name that is not found but is all digits is taken as a numeric id, as chown(1) does.
struct AccountDatabase {
    /// The host path of the root, without a trailing slash ("" for the real root).
    let hostRoot: String
    let isRealRoot: Bool

    struct Failure: Error {
        var reason: String
    }

    /// The uid and gid for `owner`; `root:root` is 0:0 without any lookup.
    func ids(for owner: FileOwner) throws(Failure) -> (uid: uid_t, gid: gid_t) {
        let uid: uid_t = owner.user == "root" ? 0 : try userID(owner.user)
        let gid: gid_t = owner.group == "root" ? 0 : try groupID(owner.group)
        return (uid, gid)
    }

    func userID(_ name: String) throws(Failure) -> uid_t {
        if let found = isRealRoot ? systemUserID(name) : fileID(name, in: "/etc/passwd", field: 2) {
            return found
        }
        if let numeric = UInt32(name) { return numeric }
        throw Failure(reason: "no user '\(name)' in \(databaseName("/etc/passwd"))")
    }

    func groupID(_ name: String) throws(Failure) -> gid_t {
        if let found = isRealRoot ? systemGroupID(name) : fileID(name, in: "/etc/group", field: 2) {
            return found
        }
        if let numeric = UInt32(name) { return numeric }
        throw Failure(reason: "no group '\(name)' in \(databaseName("/etc/group"))")
    }

    private func databaseName(_ file: String) -> String {
        isRealRoot ? "the system's accounts" : hostRoot + file
    }

    /// Field `field` (0-based) of the line whose first field is `name` in a colon-separated
    /// account file under the root, as a number.
    private func fileID(_ name: String, in file: String, field: Int) -> UInt32? {
        guard !name.isEmpty, !name.contains(":"),
            let bytes = Self.readWhole(hostRoot + file)
        else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count > field, fields[0] == name else { continue }
            return UInt32(fields[field])
        }
        return nil
    }

    private func systemUserID(_ name: String) -> uid_t? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>? = nil
        var buffer = [CChar](repeating: 0, count: 4096)
        while true {
            let code = getpwnam_r(name, &entry, &buffer, buffer.count, &result)
            if code == ERANGE && buffer.count < 1 << 20 {
                buffer = [CChar](repeating: 0, count: buffer.count * 4)
                continue
            }
            return code == 0 && result != nil ? entry.pw_uid : nil
        }
    }

    private func systemGroupID(_ name: String) -> gid_t? {
        var entry = group()
        var result: UnsafeMutablePointer<group>? = nil
        var buffer = [CChar](repeating: 0, count: 4096)
        while true {
            let code = getgrnam_r(name, &entry, &buffer, buffer.count, &result)
            if code == ERANGE && buffer.count < 1 << 20 {
                buffer = [CChar](repeating: 0, count: buffer.count * 4)
                continue
            }
            return code == 0 && result != nil ? entry.gr_gid : nil
        }
    }

    /// The whole content of a small file, or nil when it cannot be read.
    static func readWhole(_ hostPath: String) -> [UInt8]? {
        let fd = Posix.retrying { open(hostPath, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return nil }
        defer { Posix.closeQuietly(fd) }
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { Posix.readSome(fd, $0) }
            if count < 0 { return nil }
            if count == 0 { return content }
            content.append(contentsOf: chunk[0..<count])
        }
    }
}
