import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel

#if canImport(Glibc)
import Glibc
#endif

/// `diskspace`'s figures from statvfs(3) on the running system (root `/` only: under another
/// root the call would measure this machine's disks, not the guest's).
public struct StatvfsDiskSpace: DiskSpaceProbe {
    public init() {}

    public func usage(of path: String) throws -> DiskUsage {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else {
            let code = errno
            throw GuestPrepError.io(path: path, operation: "statvfs", reason: String(cString: strerror(code)))
        }
        // f_frsize is the unit of f_blocks and f_bavail (statvfs(3)).
        let unit = UInt64(info.f_frsize)
        return DiskUsage(
            totalBytes: SaturatingSize.multiplying(UInt64(info.f_blocks), unit),
            availableBytes: SaturatingSize.multiplying(UInt64(info.f_bavail), unit))
    }
}
