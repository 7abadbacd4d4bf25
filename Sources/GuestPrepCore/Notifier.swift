/// Tells the service manager how the run is going (sd_notify). Does nothing outside systemd.
public protocol Notifier: Sendable {
    /// Sends `STATUS=text`.
    func status(_ text: String)
    /// Sends `READY=1` with a final status.
    func ready(status: String)
}

/// A notifier that sends nothing.
public struct SilentNotifier: Notifier {
    public init() {}
    public func status(_ text: String) {}
    public func ready(status: String) {}
}
