import Logging
import Synchronization

/// A swift-log handler that keeps every record, so tests can check what would reach the
/// journal: messages and every metadata field.
public final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    /// One record as the journal would receive it: message plus metadata rendered as text.
    public struct Record: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]
    }

    private let store: Store
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    final class Store: @unchecked Sendable {
        let lock = Mutex<[Record]>([])
    }

    private init(store: Store) { self.store = store }

    /// A logger that records into the returned handler's store.
    public static func logger() -> (Logger, CapturingLogHandler) {
        let handler = CapturingLogHandler(store: Store())
        return (Logger(label: "guestprep-test") { _ in handler }, handler)
    }

    public var records: [Record] { store.lock.withLock { $0 } }

    /// Every message and metadata value, joined: what a leak check searches.
    public var everything: String {
        records.map { record in
            ([record.message] + record.metadata.map { "\($0.key)=\($0.value)" }).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let record = Record(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" })
        store.lock.withLock { $0.append(record) }
    }
}
