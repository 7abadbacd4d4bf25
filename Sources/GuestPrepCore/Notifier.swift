/// Tells the service manager how the run is going (sd_notify). Does nothing outside systemd.
public protocol Notifier: Sendable {
    /// Sends `STATUS=text`.
    func status(_ text: String)
    /// Sends `READY=1` with a final status.
    func ready(status: String)
    /// Sends `EXTEND_TIMEOUT_USEC=`: the unit's start timeout is moved to at least `seconds`
    /// from now (systemd.service(5), TimeoutStartSec=; sd_notify(3)). Relative to the moment
    /// systemd receives it, and it must be sent again before it runs out.
    func extendTimeout(seconds: Double)
}

/// A notifier that sends nothing.
public struct SilentNotifier: Notifier {
    public init() {}
    public func status(_ text: String) {}
    public func ready(status: String) {}
    public func extendTimeout(seconds: Double) {}
}
