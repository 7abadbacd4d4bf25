#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CSystemd
import GuestPrepCore

/// Tells systemd how the run is going through `sd_notify`, and only when systemd asked for it:
/// with `NOTIFY_SOCKET` unset (not started by systemd, or a unit that is not `Type=notify`)
/// nothing is sent. Newlines in a status become spaces, so a status can never add an
/// assignment of its own (such as `READY=1`) to the message.
public struct SystemdNotifier: Notifier {
    public init() {}

    /// Sends `STATUS=text`.
    public func status(_ text: String) {
        send("STATUS=" + Self.singleLine(text))
    }

    /// Sends `READY=1` and `STATUS=status` in one message.
    public func ready(status: String) {
        send("READY=1\nSTATUS=" + Self.singleLine(status))
    }

    /// Sends `EXTEND_TIMEOUT_USEC=` with `seconds` in whole microseconds, rounded up.
    public func extendTimeout(seconds: Double) {
        send("EXTEND_TIMEOUT_USEC=\(Self.microseconds(seconds))")
    }

    /// `seconds` as whole microseconds, rounded up; 0 for a negative or non-finite value.
    static func microseconds(_ seconds: Double) -> UInt64 {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return seconds >= Double(UInt64.max) / 1_000_000 ? UInt64.max : UInt64((seconds * 1_000_000).rounded(.up))
    }

    private func send(_ message: String) {
        guard getenv("NOTIFY_SOCKET") != nil else { return }
        _ = LibSystemd.functions?.notify(0, message)
    }

    private static func singleLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    }
}
