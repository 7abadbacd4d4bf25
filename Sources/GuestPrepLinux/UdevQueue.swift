#if canImport(Glibc)
import Glibc
#endif

/// udev's event queue, as `udevadm settle` sees it: systemd-udevd keeps /run/udev/queue while
/// it has device events queued or running.
public enum UdevQueue {
    public static let path = "/run/udev/queue"

    /// Returns once the queue is empty, or after `timeout` seconds. Nothing to wait for when
    /// udevd is not running (no /run/udev) or has nothing queued. Polls every 20 ms: an
    /// inotify watch would need /run/udev to exist first and costs more than it saves here.
    public static func waitUntilEmpty(timeout: Double = 15) {
        let step: UInt32 = 20_000
        var waited = 0.0
        while access(path, F_OK) == 0 && waited < timeout {
            usleep(step)
            waited += Double(step) / 1_000_000
        }
    }
}
