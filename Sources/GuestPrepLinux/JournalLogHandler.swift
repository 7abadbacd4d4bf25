#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CSystemd
import GuestPrepModel
import Logging

/// A swift-log handler that sends each record to the systemd journal with structured fields
/// (`sd_journal_sendv`):
///
/// - `MESSAGE`, `PRIORITY` (syslog level: trace and debug 7, info 6, notice 5, warning 4,
///   error 3, critical 2), `SYSLOG_IDENTIFIER=guestprep`, `CODE_FILE`, `CODE_LINE`, `CODE_FUNC`;
/// - every metadata entry as `GUESTPREP_KEY` (upper case, characters outside `[A-Z0-9_]` made
///   `_`, at most 64 characters), except `message_id`, which becomes the journal's own
///   `MESSAGE_ID`;
/// - a metadata entry whose key names a secret (password, token, secret) or whose value is a
///   `Secret` is sent as `<redacted>`.
public struct JournalLogHandler: LogHandler {
    /// Receives a record as `FIELD=value` strings.
    public typealias Sender = @Sendable ([String]) -> Void

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let send: Sender

    /// A handler sending through `send`, by default the real journal.
    public init(metadataProvider: Logger.MetadataProvider? = nil, send: @escaping Sender = JournalLogHandler.sendToJournal) {
        self.metadataProvider = metadataProvider
        self.send = send
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Sends the record's fields.
    public func log(event: LogEvent) {
        send(Self.fields(for: event, metadata: LogRedaction.merged(metadata, metadataProvider, event.metadata)))
    }

    /// The `FIELD=value` strings for a record with the given (already merged) metadata.
    public static func fields(for event: LogEvent, metadata: Logger.Metadata) -> [String] {
        var fields = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(priority(event.level))",
            "SYSLOG_IDENTIFIER=guestprep",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
        ]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            fields.append("\(fieldName(forMetadataKey: key))=\(LogRedaction.render(key: key, value: value))")
        }
        return fields
    }

    /// The syslog priority the journal uses for a level.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// The journal field for a metadata key: `MESSAGE_ID` for `message_id`, otherwise
    /// `GUESTPREP_` and the key upper-cased with anything outside `[A-Z0-9_]` made `_`,
    /// cut to the journal's 64-character limit.
    public static func fieldName(forMetadataKey key: String) -> String {
        if key == "message_id" { return "MESSAGE_ID" }
        var name = "GUESTPREP_"
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): name.append(Character(Unicode.Scalar(byte - 32)))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                name.append(Character(Unicode.Scalar(byte)))
            case 0x80...0xBF: continue  // continuation bytes: one `_` per non-ASCII character
            default: name.append("_")
            }
        }
        return String(name.prefix(64))
    }

    /// Sends `FIELD=value` strings to journald with `sd_journal_sendv`. Failures (no journal
    /// socket) are ignored: logging must never stop the run.
    public static let sendToJournal: Sender = { fields in
        var storage: [UInt8] = []
        var spans: [(start: Int, count: Int)] = []
        for field in fields {
            spans.append((storage.count, field.utf8.count))
            storage.append(contentsOf: field.utf8)
        }
        guard !storage.isEmpty, let sendv = LibSystemd.functions?.journalSendv else { return }
        storage.withUnsafeMutableBytes { raw in
            let vectors = spans.map { iovec(iov_base: raw.baseAddress! + $0.start, iov_len: $0.count) }
            _ = sendv(vectors, Int32(vectors.count))
        }
    }
}
