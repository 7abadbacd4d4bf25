import GuestPrepCore
import CSystemd
import GuestPrepModel

#if canImport(Glibc)
import Glibc
#endif

/// `time_sync`'s answer from adjtimex(2) with no mode bits set (a read; it changes nothing).
/// adjtimex(2), RETURN VALUE: TIME_ERROR (5) means "the system clock is not synchronized to a
/// reliable server" (STA_UNSYNC or STA_CLOCKERR set, among others).
public struct AdjtimexClock: ClockSyncProbe {
    public init() {}

    /// TIME_ERROR of <sys/timex.h>.
    static let timeError: Int32 = 5

    public func read() throws -> ClockSync {
        var buffer = timex()
        buffer.modes = 0
        let state = adjtimex(&buffer)
        guard state >= 0 else {
            let code = errno
            throw GuestPrepError.io(path: "adjtimex", operation: "read", reason: String(cString: strerror(code)))
        }
        return ClockSync(synchronized: state != Self.timeError, maxErrorMicroseconds: Int(buffer.maxerror))
    }
}
