#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import GuestPrepLinux
import GuestPrepModel
import GuestPrepTesting
import Testing

/// systemd never cuts a command short: the unit's start timeout is extended to the command's
/// own remaining time plus a margin, before it starts and again while it runs.
@Suite struct TimeoutExtensionTests {
    @Test func theExtensionIsWhatIsLeftPlusTheMargin() {
        let policy = TimeoutExtension()
        #expect(policy.margin == 30 && policy.period == 60)
        // update-initramfs's 600 s: systemd's timeout goes to 630 s from now, past the 5 min of
        // guestprep-early.service.
        #expect(policy.seconds(remaining: CommandTable.timeout(for: "update-initramfs")) == 630)
        #expect(policy.seconds(remaining: -3) == 30)
        #expect(!policy.isDue(sinceLast: 59.9))
        #expect(policy.isDue(sinceLast: 60))
    }

    @Test func aShortCommandGetsOneExtensionBeforeItStarts() throws {
        let notifier = RecordingNotifier()
        let runner = PosixProcessRunner(notifier: notifier)
        let result = try runner.run(executable: "/bin/true", arguments: [], timeout: 600)
        #expect(result.status == 0)
        #expect(notifier.messages == ["EXTEND_TIMEOUT_USEC=630s"])
    }

    @Test func aLongCommandGetsItAgainForWhatIsLeft() throws {
        let notifier = RecordingNotifier()
        // A period of 0.1 s stands for the minute: the command runs for about six of them.
        let runner = PosixProcessRunner(notifier: notifier, timeoutExtension: TimeoutExtension(margin: 30, period: 0.1))
        let result = try runner.run(executable: "/bin/sleep", arguments: ["0.65"], timeout: 5)
        #expect(result.status == 0)
        let sent = notifier.extensions
        #expect(sent.first == 35, "the whole timeout plus the margin, before the start")
        #expect(sent.count >= 3, "sent again while it ran: \(sent)")
        #expect(sent.count <= 8, "not more often than each period: \(sent)")
        // Each for what is left: the deadline they name stays the command's own.
        #expect(zip(sent, sent.dropFirst()).allSatisfy { $0 > $1 }, "\(sent)")
        #expect(sent.allSatisfy { $0 > 30 && $0 <= 35 }, "\(sent)")
    }

    @Test func guestprepNotSystemdStopsACommandPastItsTimeout() throws {
        let notifier = RecordingNotifier()
        let runner = PosixProcessRunner(notifier: notifier, timeoutExtension: TimeoutExtension(margin: 30, period: 0.1))
        #expect {
            try runner.run(executable: "/bin/sleep", arguments: ["10"], timeout: 0.35)
        } throws: { error in
            "\(error)".contains("ran past the 0.35 s timeout and was killed")
        }
        // Every extension ends after the command's deadline, by the margin at most.
        #expect(notifier.extensions.allSatisfy { $0 <= 30.35 && $0 >= 30 }, "\(notifier.extensions)")
        #expect(notifier.extensions.count >= 2)
    }

    @Test func withoutANotifierNothingIsSent() throws {
        // The default runner (tests, a --root other than /) has none; it still runs.
        #expect(try PosixProcessRunner().run(executable: "/bin/true", arguments: [], timeout: 10).status == 0)
    }
}
