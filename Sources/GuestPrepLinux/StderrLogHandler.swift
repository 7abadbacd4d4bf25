#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging

/// A swift-log handler writing one plain line per record to stderr, for runs outside systemd:
/// `guestprep: <level>: <message> [key=value ...]`, metadata sorted by key, secrets (keys
/// naming a password, token or secret, and `Secret` values) as `<redacted>`.
public struct StderrLogHandler: LogHandler {
    /// Receives each finished line, newline included.
    public typealias Writer = @Sendable (String) -> Void

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let write: Writer

    /// A handler writing through `write`, by default to file descriptor 2.
    public init(
        metadataProvider: Logger.MetadataProvider? = nil, write: @escaping Writer = StderrLogHandler.writeToStandardError
    ) {
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the record's line.
    public func log(event: LogEvent) {
        write(Self.line(level: event.level, message: event.message.description,
                        metadata: LogRedaction.merged(metadata, metadataProvider, event.metadata)))
    }

    /// The line for a record, ending in a newline.
    public static func line(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "guestprep: \(level.rawValue): \(message)"
        if !metadata.isEmpty {
            let entries = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\(LogRedaction.render(key: $0.key, value: $0.value))" }
            line += " [" + entries.joined(separator: " ") + "]"
        }
        return line + "\n"
    }

    /// Writes the line to file descriptor 2 in as few writes as it takes.
    public static let writeToStandardError: Writer = { line in
        _ = Array(line.utf8).withUnsafeBytes { Posix.writeAll(2, $0) }
    }
}
