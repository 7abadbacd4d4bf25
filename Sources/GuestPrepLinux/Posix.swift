#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Small helpers over the C library shared by the adapters in this module.
enum Posix {
    /// The text the C library gives for an errno value.
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// Seconds on the monotonic clock, for deadlines that must not jump with the wall clock.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
    }

    /// Calls `body` again while it fails with EINTR; returns its last result (errno is left as
    /// the call set it).
    @inline(__always)
    static func retrying<T: BinaryInteger>(_ body: () -> T) -> T {
        while true {
            let result = body()
            if result == -1 && errno == EINTR { continue }
            return result
        }
    }

    /// Closes a descriptor, ignoring errors (Linux always releases the descriptor, even on EINTR).
    static func closeQuietly(_ fd: Int32) {
        if fd >= 0 { _ = close(fd) }
    }

    /// Writes every byte of `bytes` to `fd`, handling partial writes and EINTR. Returns 0 or
    /// the errno of the failing write.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if written == 0 { return EIO }
            offset += written
        }
        return 0
    }

    /// fsync(2) of an open directory, so the renames and unlinks made in it are durable: 0, or
    /// the errno. Some file systems cannot fsync a directory (EINVAL); there is nothing more to
    /// do there, so that is 0 too.
    static func syncDirectory(_ fd: Int32) -> Int32 {
        retrying { fsync(fd) } == 0 || errno == EINVAL ? 0 : errno
    }

    /// One read(2) into `buffer`, retried on EINTR: the byte count, 0 at end of file, -1 on error.
    static func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
        retrying { read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Looks up a C library function by name at run time, so that newer glibc additions can be
    /// used where present without raising the minimum glibc or needing `_GNU_SOURCE` headers.
    static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        guard let handle = dlopen(nil, RTLD_NOW) else { return nil }
        return dlsym(handle, name)
    }
}
