#if canImport(Glibc)
import Glibc
#endif

/// Where time comes from, so tests can fix it.
public protocol Clock: Sendable {
    /// Now, as UTC ISO 8601 with seconds (`2026-11-21T10:04:00Z`).
    func now() -> String
}

/// The system clock.
public struct SystemClock: Clock {
    public init() {}

    /// Formatted by hand from gmtime_r: a date formatter costs more at start-up than the whole
    /// hostname step.
    public func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}

/// A clock that always says the same time.
public struct FixedClock: Clock {
    public let time: String
    public init(_ time: String = "2026-01-01T00:00:00Z") { self.time = time }
    public func now() -> String { time }
}
