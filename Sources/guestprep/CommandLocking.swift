import GuestPrepCore
import GuestPrepLinux

extension Session {
    /// Takes guestprep's lock for this root (`CommandLock`, /run/guestprep.lock under it), as
    /// every command that changes the machine does before it reads any state. While another
    /// guestprep holds it, says so once (stderr, and systemd's STATUS=); after `timeout`
    /// seconds it throws, and the command exits 1 having changed nothing. The caller keeps the
    /// lock alive until it has finished (`withExtendedLifetime`); the process's exit releases it.
    func lock(timeout: Int, notifier: any Notifier) throws -> CommandLock {
        try CommandLock.acquire(root: root, timeout: Double(timeout)) { holder in
            let message = "waiting up to \(timeout) s for \(CommandLock.guestPath) (\(holder))"
            CommandOutput.error(message)
            notifier.status(message)
        }
    }
}
