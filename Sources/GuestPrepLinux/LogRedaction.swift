import GuestPrepModel
import Logging

/// How log handlers keep secrets out of log lines and journal fields.
///
/// A metadata value is shown as `<redacted>` when its key names a secret (by the one rule for
/// property keys, `SecretKeyRule`: a word that is or ends in `password`, `token`, `secret`, ...)
/// or when the value is a `Secret`; the same holds inside dictionary and array values.
enum LogRedaction {
    static func isSensitive(key: String) -> Bool { PropertyKeys.isSecret(key) }

    /// The text for the metadata entry `key`, redacted where it must be.
    static func render(key: String, value: Logger.MetadataValue) -> String {
        isSensitive(key: key) ? PropertyKeys.redacted : render(value)
    }

    /// The text for a metadata value, with secrets inside it redacted.
    static func render(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text):
            return text
        case .stringConvertible(let convertible):
            return convertible is Secret ? PropertyKeys.redacted : convertible.description
        case .dictionary(let dictionary):
            let entries = dictionary.sorted { $0.key < $1.key }.map { "\($0.key): \(render(key: $0.key, value: $0.value))" }
            return "[" + entries.joined(separator: ", ") + "]"
        case .array(let values):
            return "[" + values.map { render($0) }.joined(separator: ", ") + "]"
        }
    }

    /// The handler's metadata, the provider's and the event's, later ones winning.
    static func merged(
        _ handler: Logger.Metadata, _ provider: Logger.MetadataProvider?, _ event: Logger.Metadata?
    ) -> Logger.Metadata {
        var merged = handler
        if let provided = provider?.get() { merged.merge(provided) { _, new in new } }
        if let event { merged.merge(event) { _, new in new } }
        return merged
    }
}
