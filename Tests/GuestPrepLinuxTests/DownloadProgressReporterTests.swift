import GuestPrepCore
@testable import GuestPrepLinux
import Synchronization
import Testing

private final class RecordingNotifier: Notifier {
    private let texts = Mutex<[String]>([])
    var statuses: [String] { texts.withLock { $0 } }
    func status(_ text: String) { texts.withLock { $0.append(text) } }
    func ready(status: String) {}
    func extendTimeout(seconds: Double) {}
}

private final class FakeClock: @unchecked Sendable {
    private let time = Mutex(100.0)
    func now() -> Double { time.withLock { $0 } }
    func advance(_ seconds: Double) { time.withLock { $0 += seconds } }
}

private let mib: UInt64 = 1 << 20

@Suite struct DownloadProgressReporterTests {
    @Test func statusLineSaysPercentAndMiB() {
        #expect(
            DownloadProgressReporter.statusLine(name: "NVIDIA.run", progress: DownloadProgress(received: 120 * mib + 5, total: 268 * mib))
                == "downloading NVIDIA.run: 44% (120 of 268 MiB)")
        #expect(
            DownloadProgressReporter.statusLine(name: "x", progress: DownloadProgress(received: 268 * mib, total: 268 * mib))
                == "downloading x: 100% (268 of 268 MiB)")
        #expect(
            DownloadProgressReporter.statusLine(name: "x", progress: DownloadProgress(received: 3 * mib / 2, total: nil))
                == "downloading x: 1.5 MiB")
        #expect(
            DownloadProgressReporter.statusLine(name: "x", progress: DownloadProgress(received: 0, total: 0))
                == "downloading x: 100% (0.0 of 0.0 MiB)")
    }

    @Test func percentIsRoundedDownSoOnlyTheEndIs100() {
        #expect(DownloadProgressReporter.percent(999, of: 1000) == 99)
        #expect(DownloadProgressReporter.percent(1000, of: 1000) == 100)
        #expect(DownloadProgressReporter.percent(2000, of: 1000) == 100)
    }

    @Test func mebibytesHaveADecimalBelowTen() {
        #expect(DownloadProgressReporter.mebibytes(0) == "0.0")
        #expect(DownloadProgressReporter.mebibytes(mib * 95 / 10) == "9.5")
        #expect(DownloadProgressReporter.mebibytes(10 * mib - 1) == "9.9")
        #expect(DownloadProgressReporter.mebibytes(10 * mib) == "10")
        #expect(DownloadProgressReporter.mebibytes(268 * mib + mib - 1) == "268")
    }

    @Test func progressBarShowsBarPercentSizeAndRate() {
        #expect(
            DownloadProgressReporter.progressBar(
                name: "NVIDIA.run", progress: DownloadProgress(received: 134 * mib, total: 268 * mib),
                bytesPerSecond: 85.34 * Double(mib), width: 10)
                == "NVIDIA.run [=====>    ]  50%  134 of 268 MiB  85.3 MiB/s")
        #expect(
            DownloadProgressReporter.progressBar(
                name: "a", progress: DownloadProgress(received: 268 * mib, total: 268 * mib), bytesPerSecond: nil, width: 4)
                == "a [====] 100%  268 of 268 MiB")
        #expect(
            DownloadProgressReporter.progressBar(
                name: "a", progress: DownloadProgress(received: 0, total: 268 * mib), bytesPerSecond: nil, width: 4)
                == "a [>   ]   0%  0.0 of 268 MiB")
        #expect(
            DownloadProgressReporter.progressBar(
                name: "a", progress: DownloadProgress(received: 12 * mib, total: nil), bytesPerSecond: 2 * Double(mib))
                == "a  12 MiB  2.0 MiB/s")
    }

    @Test func statusIsSentAtMostOnceASecondAndAtTheEnd() {
        let notifier = RecordingNotifier()
        let clock = FakeClock()
        let reporter = DownloadProgressReporter(name: "d.run", notifier: notifier, terminal: false, clock: clock.now)
        let total = 100 * mib
        reporter.report(DownloadProgress(received: 0, total: total))
        for step in 1...7 {
            clock.advance(0.25)
            reporter.report(DownloadProgress(received: UInt64(step) * 10 * mib, total: total))
        }
        clock.advance(0.1)
        reporter.report(DownloadProgress(received: total, total: total))
        #expect(
            notifier.statuses == [
                "downloading d.run: 0% (0.0 of 100 MiB)",
                "downloading d.run: 40% (40 of 100 MiB)",
                "downloading d.run: 100% (100 of 100 MiB)",
            ])
    }
}
