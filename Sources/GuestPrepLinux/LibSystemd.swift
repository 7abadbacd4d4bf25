#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CSystemd

/// libsystemd's `sd_notify` and `sd_journal_sendv`, bound the first time guestprep talks to
/// systemd rather than when the process starts.
///
/// Linking libsystemd at start-up loads it and its six libraries (libgcrypt, liblzma, libzstd,
/// liblz4, libcap, libgpg-error) and runs their constructors: about 0.5 ms on every start,
/// a tenth of guestprep's start-up budget (bench/run.sh). Under systemd the library is needed
/// and loaded on first use; `plan`, `status` and every other run outside systemd never load it.
/// The CSystemd module supplies the headers; the package depends on libsystemd0 as before.
enum LibSystemd {
    /// `int sd_notify(int unset_environment, const char *state)` (sd-daemon.h).
    typealias Notify = @convention(c) (Int32, UnsafePointer<CChar>?) -> Int32
    /// `int sd_journal_sendv(const struct iovec *iov, int n)` (sd-journal.h).
    typealias JournalSendv = @convention(c) (UnsafePointer<iovec>?, Int32) -> Int32

    /// The two entry points guestprep uses.
    struct Functions: @unchecked Sendable {
        let notify: Notify
        let journalSendv: JournalSendv
    }

    /// The bound functions, or nil when libsystemd.so.0 cannot be loaded (then there is no
    /// systemd to talk to either). Loaded once, on first use; Swift makes that thread-safe.
    static let functions: Functions? = load()

    private static func load() -> Functions? {
        guard let handle = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL),
            let notify = dlsym(handle, "sd_notify"),
            let journalSendv = dlsym(handle, "sd_journal_sendv")
        else { return nil }
        return Functions(
            notify: unsafeBitCast(notify, to: Notify.self),
            journalSendv: unsafeBitCast(journalSendv, to: JournalSendv.self))
    }
}
