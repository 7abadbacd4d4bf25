#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A fresh directory under /tmp, removed (with everything in it) when the value is released.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/guestprep-linux-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("mkdtemp: \(String(cString: strerror(errno)))") }
        path = String(cString: made)
    }

    deinit { Self.removeTree(path) }

    func file(_ relative: String) -> String { path + "/" + relative }

    func write(_ relative: String, _ text: String, mode: mode_t = 0o644) {
        let fullPath = file(relative)
        makeDirectories(String(fullPath[..<fullPath.lastIndex(of: "/")!]))
        let fd = open(fullPath, O_WRONLY | O_CREAT | O_TRUNC, mode)
        precondition(fd >= 0, "open \(fullPath)")
        let bytes = Array(text.utf8)
        precondition(bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count)
        close(fd)
    }

    func makeDirectories(_ fullPath: String) {
        var current = ""
        for component in fullPath.split(separator: "/") {
            current += "/" + component
            _ = mkdir(current, 0o755)
        }
    }

    /// Names in the directory, sorted (without . and ..).
    func names(in relative: String) -> [String] {
        guard let stream = opendir(file(relative)) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & 0o170000 == 0o040000, let stream = opendir(path) {
            var children: [String] = []
            while let entry = readdir(stream) {
                let name = withUnsafePointer(to: &entry.pointee.d_name) {
                    String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
                }
                if name != "." && name != ".." { children.append(path + "/" + name) }
            }
            closedir(stream)
            children.forEach(removeTree)
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

/// The stat of a host path (not following a final symlink), or nil.
func statOf(_ path: String) -> stat? {
    var info = stat()
    return lstat(path, &info) == 0 ? info : nil
}

var runningAsRoot: Bool { geteuid() == 0 }
