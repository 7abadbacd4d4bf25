/// How a long command keeps systemd from cutting it short: while it runs, the unit's start
/// timeout is extended (`EXTEND_TIMEOUT_USEC=`, systemd.service(5) and sd_notify(3)) to the
/// command's own remaining time plus `margin`, so it is guestprep that stops a command that
/// runs too long — kills it, says which and why, saves state — never systemd, which would
/// kill guestprep mid-step. The extension is relative to the moment systemd receives it and
/// only ever moves the timeout later; it is sent before the command starts and again every
/// `period` while it runs (a notification datagram can be dropped when systemd's socket queue
/// is full), each time for what is left.
public struct TimeoutExtension: Sendable, Equatable {
    /// What every extension adds to the command's remaining time: enough for guestprep to
    /// kill and reap a command past its timeout, record the failure and exit.
    public var margin: Double
    /// How often the extension is sent again while a command runs.
    public var period: Double

    public init(margin: Double = 30, period: Double = 60) {
        self.margin = margin
        self.period = period
    }

    /// The seconds to ask for when `remaining` seconds of the command's timeout are left.
    public func seconds(remaining: Double) -> Double { max(remaining, 0) + margin }

    /// Whether the extension is due again, `sinceLast` seconds after the last one.
    public func isDue(sinceLast: Double) -> Bool { sinceLast >= period }
}
