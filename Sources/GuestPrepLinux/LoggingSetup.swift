import Logging
import Synchronization

/// Chooses where the process logs.
public enum LoggingSetup {
    private static let bootstrapped = Atomic<Bool>(false)

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
                var handler = JournalLogHandler()
                handler.logLevel = level
                return handler
            }
            var handler = StderrLogHandler()
            handler.logLevel = level
            return handler
        }
    }
}
