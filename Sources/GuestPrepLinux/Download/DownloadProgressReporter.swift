#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import Synchronization

/// Shows how a download is going where an operator looks: a progress bar on stderr, redrawn in
/// place, when stderr is a terminal; otherwise systemd's status line
/// (`downloading NAME: 45% (120 of 268 MiB)`) at most once a second, and once more at the end
/// so that it never stays at 97%.
///
/// Pass `reporter.report` as a download's progress closure.
public final class DownloadProgressReporter: Sendable {
    private struct State {
        var firstTime: Double?
        var firstReceived: UInt64 = 0
        var lastStatus: Double?
    }

    /// The name shown (the file's, usually).
    public let name: String
    private let notifier: any Notifier
    private let terminal: Bool
    private let clock: @Sendable () -> Double
    private let state = Mutex(State())

    /// A reporter for the download of `name`; `terminal` nil means "whether stderr is a terminal".
    public convenience init(name: String, notifier: any Notifier, terminal: Bool? = nil) {
        self.init(name: name, notifier: notifier, terminal: terminal ?? (isatty(2) == 1), clock: Posix.monotonicSeconds)
    }

    init(name: String, notifier: any Notifier, terminal: Bool, clock: @escaping @Sendable () -> Double) {
        self.name = name
        self.notifier = notifier
        self.terminal = terminal
        self.clock = clock
    }

    /// Shows `progress`: redraws the bar, or sends the status line when a second has passed
    /// since the last one or the download is complete.
    public func report(_ progress: DownloadProgress) {
        let now = clock()
        let complete = progress.total.map { progress.received >= $0 } ?? false
        let (rate, sendStatus): (Double?, Bool) = state.withLock { state in
            guard let firstTime = state.firstTime else {
                state.firstTime = now
                state.firstReceived = progress.received
                state.lastStatus = now
                return (nil, true)
            }
            let elapsed = now - firstTime
            let rate = elapsed > 0 && progress.received >= state.firstReceived
                ? Double(progress.received - state.firstReceived) / elapsed : nil
            let due = complete || state.lastStatus.map { now - $0 >= 1 } ?? true
            if due { state.lastStatus = now }
            return (rate, due)
        }
        if terminal {
            var line = "\r" + Self.progressBar(name: name, progress: progress, bytesPerSecond: rate) + "\u{1B}[K"
            if complete { line += "\n" }
            let bytes = Array(line.utf8)
            _ = bytes.withUnsafeBytes { Posix.writeAll(2, $0) }
        } else if sendStatus {
            notifier.status(Self.statusLine(name: name, progress: progress))
        }
    }

    /// `downloading NAME: 45% (120 of 268 MiB)`, or `downloading NAME: 120 MiB` when the size
    /// is not known.
    public static func statusLine(name: String, progress: DownloadProgress) -> String {
        guard let total = progress.total else { return "downloading \(name): \(mebibytes(progress.received)) MiB" }
        return "downloading \(name): \(percent(progress.received, of: total))% (\(mebibytes(progress.received)) of \(mebibytes(total)) MiB)"
    }

    /// `NAME [=========>          ]  45%  120 of 268 MiB  85.3 MiB/s` (`width` characters of
    /// bar); without a known size, `NAME  120 MiB  85.3 MiB/s`; the rate only when known.
    public static func progressBar(name: String, progress: DownloadProgress, bytesPerSecond: Double?, width: Int = 30)
        -> String
    {
        let rate = bytesPerSecond.map { "  " + tenths($0 / 1_048_576) + " MiB/s" } ?? ""
        guard let total = progress.total else { return "\(name)  \(mebibytes(progress.received)) MiB\(rate)" }
        let percent = percent(progress.received, of: total)
        let filled = width * percent / 100
        let bar: String
        if filled >= width {
            bar = String(repeating: "=", count: width)
        } else {
            bar = String(repeating: "=", count: filled) + ">" + String(repeating: " ", count: width - filled - 1)
        }
        let shownPercent = String(repeating: " ", count: 3 - String(percent).count) + String(percent)
        return "\(name) [\(bar)] \(shownPercent)%  \(mebibytes(progress.received)) of \(mebibytes(total)) MiB\(rate)"
    }

    /// Whole per cent, rounded down (100 only when complete); 100 for an empty file.
    static func percent(_ received: UInt64, of total: UInt64) -> Int {
        guard total > 0 else { return 100 }
        return Int(min(received, total) * 100 / total)
    }

    /// A size in MiB, rounded down: with one decimal below 10 MiB ("3.5"), whole above ("268").
    public static func mebibytes(_ bytes: UInt64) -> String {
        if bytes < 10 << 20 {
            let tenthsOfMiB = bytes * 10 / 1_048_576
            return "\(tenthsOfMiB / 10).\(tenthsOfMiB % 10)"
        }
        return String(bytes / 1_048_576)
    }

    /// `value` with one decimal, rounded.
    private static func tenths(_ value: Double) -> String {
        let scaled = Int((value * 10).rounded())
        return "\(scaled / 10).\(scaled % 10)"
    }
}
