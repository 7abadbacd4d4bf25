import Foundation

/// Where time comes from, so tests can fix it.
public protocol Clock: Sendable {
    /// Now, as UTC ISO 8601 with seconds (`2026-11-21T10:04:00Z`).
    func now() -> String
}

/// The system clock.
public struct SystemClock: Clock {
    public init() {}

    public func now() -> String {
        Date.now.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon))
    }
}

/// A clock that always says the same time.
public struct FixedClock: Clock {
    public let time: String
    public init(_ time: String = "2026-01-01T00:00:00Z") { self.time = time }
    public func now() -> String { time }
}
