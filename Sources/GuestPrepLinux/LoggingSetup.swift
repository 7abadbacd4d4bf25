import Logging
import Synchronization

/// Chooses where the process logs.
public enum LoggingSetup {
    private static let bootstrapped = Atomic<Bool>(false)
    private static let processMetadata = Mutex<Logger.Metadata>([:])

    /// Metadata every journal record of the process carries from the moment it is set, as
    /// `GUESTPREP_KEY` fields: `stage` (`GUESTPREP_STAGE=early`), so that a record of the early
    /// stage is found by a field guestprep sets itself. journald's own `_SYSTEMD_UNIT` is not
    /// enough: it reads the sender's cgroup from /proc when the record arrives, and a process
    /// that has exited by then leaves it out.
    public static func setProcessMetadata(_ key: String, _ value: String) {
        processMetadata.withLock { $0[key] = .string(value) }
    }

    /// The process-wide metadata, for a handler's metadata provider.
    public static let processMetadataProvider = Logger.MetadataProvider { processMetadata.withLock { $0 } }

    /// Installs the journal handler when stderr is connected to the journal
    /// (`HostEnvironment.stderrIsJournal`), the plain stderr handler otherwise, with `level` as
    /// the threshold. swift-log allows one bootstrap per process; calls after the first do
    /// nothing.
    public static func bootstrap(level: Logger.Level) {
        guard bootstrapped.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        let journal = HostEnvironment.stderrIsJournal
        LoggingSystem.bootstrap { _ in
            if journal {
                var handler = JournalLogHandler(metadataProvider: processMetadataProvider)
                handler.logLevel = level
                return handler
            }
            var handler = StderrLogHandler()
            handler.logLevel = level
            return handler
        }
    }
}
