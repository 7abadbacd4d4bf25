#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepLinux
import GuestPrepModel
import Logging
import Synchronization
import Testing

/// Collects what a handler sends.
private final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    func append(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }
}

private let secretMetadata: Logger.Metadata = [
    "vcenter-password": "hunter2",
    "accessToken": "tok-abc",
    "client_secret": "shh",
    "credential": .stringConvertible(Secret("s3cret-value")),
    "nested": ["token": "nested-token", "list": [.stringConvertible(Secret("listed-secret"))]],
]
private let secretValues = ["hunter2", "tok-abc", "shh", "s3cret-value", "nested-token", "listed-secret"]

@Suite struct JournalLogHandlerTests {
    @Test func sendsTheStructuredFields() throws {
        let recorder = Recorder<[String]>()
        var logger = Logger(label: "test") { _ in JournalLogHandler(send: { recorder.append($0) }) }
        logger[metadataKey: "run"] = "early"
        logger.warning(
            "hostname set", metadata: ["step": "hostname", "message_id": "8a3c2f1e0b7d4c6a9e5f1d2c3b4a5968"],
            file: "Sources/X.swift", function: "apply()", line: 42)

        let fields = try #require(recorder.all.first)
        #expect(fields == [
            "MESSAGE=hostname set",
            "PRIORITY=4",
            "SYSLOG_IDENTIFIER=guestprep",
            "CODE_FILE=Sources/X.swift",
            "CODE_LINE=42",
            "CODE_FUNC=apply()",
            "MESSAGE_ID=8a3c2f1e0b7d4c6a9e5f1d2c3b4a5968",
            "GUESTPREP_RUN=early",
            "GUESTPREP_STEP=hostname",
        ])
    }

    /// Issue 18, item 11: every record of a stage carries GUESTPREP_STAGE, set once by the
    /// process, so a test finds the early stage's records without journald's `_SYSTEMD_UNIT`.
    @Test func everyRecordCarriesTheProcessStage() throws {
        let recorder = Recorder<[String]>()
        let logger = Logger(label: "test") { _ in
            JournalLogHandler(metadataProvider: LoggingSetup.processMetadataProvider, send: { recorder.append($0) })
        }
        LoggingSetup.setProcessMetadata("stage", "early")
        logger.info("stage early done", metadata: ["outcome": "done", "changes": "0"])
        logger.info("a record without metadata of its own")
        #expect(recorder.all.count == 2)
        for fields in recorder.all { #expect(fields.contains("GUESTPREP_STAGE=early"), "\(fields)") }
        #expect(try #require(recorder.all.first).contains("GUESTPREP_CHANGES=0"))
    }

    @Test(arguments: [
        (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ])
    func priorityFollowsSyslog(_ level: Logger.Level, _ priority: Int) throws {
        let recorder = Recorder<[String]>()
        var logger = Logger(label: "test") { _ in JournalLogHandler(send: { recorder.append($0) }) }
        logger.logLevel = .trace
        logger.log(level: level, "m")
        #expect(try #require(recorder.all.first).contains("PRIORITY=\(priority)"))
    }

    @Test func secretsNeverReachAnyField() throws {
        let recorder = Recorder<[String]>()
        let logger = Logger(label: "test") { _ in JournalLogHandler(send: { recorder.append($0) }) }
        logger.info("enrolling", metadata: secretMetadata)

        let fields = try #require(recorder.all.first)
        for field in fields {
            for secret in secretValues { #expect(!field.contains(secret), "\(field) leaks \(secret)") }
        }
        #expect(fields.contains("GUESTPREP_VCENTER_PASSWORD=<redacted>"))
        #expect(fields.contains("GUESTPREP_ACCESSTOKEN=<redacted>"))
        #expect(fields.contains("GUESTPREP_CLIENT_SECRET=<redacted>"))
        #expect(fields.contains("GUESTPREP_CREDENTIAL=<redacted>"))
        #expect(fields.contains("GUESTPREP_NESTED=[list: [<redacted>], token: <redacted>]"))
    }

    @Test(arguments: [
        ("step", "GUESTPREP_STEP"), ("net1.mtu", "GUESTPREP_NET1_MTU"), ("_private", "GUESTPREP__PRIVATE"),
        ("9lives", "GUESTPREP_9LIVES"), ("grüße", "GUESTPREP_GR__E"), ("message_id", "MESSAGE_ID"),
        (String(repeating: "k", count: 80), "GUESTPREP_" + String(repeating: "K", count: 54)),
    ])
    func fieldNamesAreSanitised(_ key: String, _ field: String) {
        let name = JournalLogHandler.fieldName(forMetadataKey: key)
        #expect(name == field)
        #expect(name.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 95 })
        #expect(name.first != "_" && !(name.first?.isNumber ?? true))
        #expect(name.count <= 64)
    }

    /// Where no journald runs (a container) and we are root, the test stands in for it at its
    /// well-known socket; a real journal is left alone.
    static let journalStandInPossible = runningAsRoot && statOf("/run/systemd/journal/socket") == nil

    // Where no journald runs, stand in for it at its well-known socket and check what
    // sd_journal_sendv really sends.
    @Test(.enabled(if: journalStandInPossible, "needs root and no real journal socket at /run/systemd/journal/socket"))
    func realJournalSendWritesTheNativeProtocol() throws {
        let journalDirectory = "/run/systemd/journal"
        let createdDirectory = statOf(journalDirectory) == nil
        if createdDirectory {
            _ = mkdir("/run/systemd", 0o755)
            try #require(mkdir(journalDirectory, 0o755) == 0)
        }
        defer { if createdDirectory { rmdir(journalDirectory) } }
        let journal = try #require(
            DatagramSocket(path: journalDirectory + "/socket"), "cannot bind the stand-in at \(journalDirectory)/socket")
        JournalLogHandler.sendToJournal([
            "MESSAGE=hostname set", "PRIORITY=6", "SYSLOG_IDENTIFIER=guestprep", "GUESTPREP_STEP=hostname",
        ])
        #expect(
            journal.receive(within: 1000)
                == "MESSAGE=hostname set\nPRIORITY=6\nSYSLOG_IDENTIFIER=guestprep\nGUESTPREP_STEP=hostname\n")
    }
}

@Suite struct StderrLogHandlerTests {
    @Test func writesAPlainLine() throws {
        let recorder = Recorder<String>()
        let logger = Logger(label: "test") { _ in StderrLogHandler(write: { recorder.append($0) }) }
        logger.info("hostname set")
        logger.error("cannot set hostname", metadata: ["step": "hostname", "code": "1"])
        #expect(recorder.all == [
            "guestprep: info: hostname set\n",
            "guestprep: error: cannot set hostname [code=1 step=hostname]\n",
        ])
    }

    @Test func redactsSecrets() throws {
        let recorder = Recorder<String>()
        let logger = Logger(label: "test") { _ in StderrLogHandler(write: { recorder.append($0) }) }
        logger.notice("enrolling", metadata: secretMetadata)
        let line = try #require(recorder.all.first)
        for secret in secretValues { #expect(!line.contains(secret), "\(line) leaks \(secret)") }
        #expect(line.contains("vcenter-password=<redacted>"))
        #expect(line.contains("credential=<redacted>"))
    }

    @Test func respectsTheLevel() {
        let recorder = Recorder<String>()
        var logger = Logger(label: "test") { _ in StderrLogHandler(write: { recorder.append($0) }) }
        logger.logLevel = .warning
        logger.info("quiet")
        logger.warning("loud")
        #expect(recorder.all == ["guestprep: warning: loud\n"])
    }
}

@Suite struct LoggingSetupTests {
    @Test func bootstrapTwiceIsHarmless() {
        // swift-log traps on a second LoggingSystem.bootstrap; the guard must absorb it.
        LoggingSetup.bootstrap(level: .critical)
        LoggingSetup.bootstrap(level: .critical)
        #expect(Logger(label: "after-bootstrap").logLevel == .critical)
    }
}
