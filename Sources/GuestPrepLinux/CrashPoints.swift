#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if DEBUG
import Synchronization
#endif

/// The points where `RootedFileSystem` changes the tree (a temp file created, half of its
/// content written, its content complete, the rename, an unlink, a directory made, its mode
/// set, its rename into place, a leftover removed), so a test can kill guestprep at each of them
/// and prove that the next run leaves the tree an uninterrupted run leaves
/// (Tests/BlackBoxTests/CrashConsistencyTests.swift).
///
/// Only a debug build (`#if DEBUG`, what `swift build` and `swift test` make) reads
/// `GUESTPREP_TEST_CRASH_AFTER=N` and sends itself SIGKILL at the Nth point. In a release
/// build, the one that runs as root at every boot, `point()` is empty and `writeAll` is
/// `Posix.writeAll`: the binary holds neither the variable's name nor the switch.
enum CrashPoints {
    #if DEBUG
    /// N from the environment, read once; nil when unset or not a positive number.
    private static let limit: Int? = getenv("GUESTPREP_TEST_CRASH_AFTER").flatMap { Int(String(cString: $0)) }.flatMap {
        $0 > 0 ? $0 : nil
    }
    private static let passed = Atomic<Int>(0)
    #endif

    /// One change to the tree has just been made.
    @inline(__always)
    static func point() {
        #if DEBUG
        guard let limit else { return }
        if passed.add(1, ordering: .relaxed).newValue == limit { _ = kill(getpid(), SIGKILL) }
        #endif
    }

    /// `Posix.writeAll`; in a debug build with crash points on, in two halves with a point
    /// between them, so a kill can land inside a file's content.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        #if DEBUG
        if limit != nil, bytes.count > 1 {
            let half = bytes.count / 2
            let code = Posix.writeAll(fd, UnsafeRawBufferPointer(rebasing: bytes[..<half]))
            if code != 0 { return code }
            point()
            return Posix.writeAll(fd, UnsafeRawBufferPointer(rebasing: bytes[half...]))
        }
        #endif
        return Posix.writeAll(fd, bytes)
    }
}
