/// How full one file system is, as statvfs(3) tells it.
public struct DiskUsage: Sendable, Equatable {
    /// The file system's size in bytes (f_blocks × f_frsize).
    public var totalBytes: UInt64
    /// The bytes an unprivileged process may still use (f_bavail × f_frsize): what a service
    /// running as another user sees, so the root-reserved blocks do not count as free.
    public var availableBytes: UInt64

    public init(totalBytes: UInt64, availableBytes: UInt64) {
        self.totalBytes = totalBytes
        self.availableBytes = availableBytes
    }
}

/// Asks the running system how full a file system is (statvfs); tests give figures.
public protocol DiskSpaceProbe: Sendable {
    /// The usage of the file system that holds `path` (a guest path such as `/var`).
    func usage(of path: String) throws -> DiskUsage
}

/// Whether the kernel's clock is synchronized, as adjtimex(2) tells it.
public struct ClockSync: Sendable, Equatable {
    /// False when adjtimex(2) returns TIME_ERROR: the clock is not synchronized to a reliable
    /// server (STA_UNSYNC or STA_CLOCKERR set; adjtimex(2), RETURN VALUE).
    public var synchronized: Bool
    /// The kernel's maximum error estimate (timex.maxerror), microseconds.
    public var maxErrorMicroseconds: Int

    public init(synchronized: Bool, maxErrorMicroseconds: Int) {
        self.synchronized = synchronized
        self.maxErrorMicroseconds = maxErrorMicroseconds
    }
}

/// Asks the running kernel whether its clock is synchronized; tests give the answer.
public protocol ClockSyncProbe: Sendable {
    func read() throws -> ClockSync
}
