#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What the process learns from its environment about how it was started.
public enum HostEnvironment {
    /// The value of an environment variable, or nil.
    public static func variable(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    /// Whether stderr is connected to the journal (systemd sets JOURNAL_STREAM to the
    /// device:inode of that stream), so log lines should go to journald with fields instead.
    public static var stderrIsJournal: Bool {
        guard let stream = variable("JOURNAL_STREAM") else { return false }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(2, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
