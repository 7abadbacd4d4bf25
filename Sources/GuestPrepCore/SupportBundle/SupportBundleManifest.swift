import GuestPrepConfig
import GuestPrepModel

/// The support bundle's manifest.json: each file with its SHA-256 (of the content as packed,
/// after scrubbing), size and source, each item absent with the reason, and what was scrubbed.
public struct SupportBundleManifest: Encodable, Sendable {
    public struct Entry: Encodable, Sendable, Equatable {
        /// Its path in the bundle, below the top directory.
        public var name: String
        public var source: String
        public var sha256: String
        public var size: Int
        public var exitStatus: Int32?
        public var truncated: Bool?
    }

    /// The manifest's format; a change that drops or renames a field raises it.
    public var format = 1
    public var guestprepVersion: String
    public var created: String
    /// The root the bundle was made under (`/` on the running system).
    public var root: String
    public var files: [Entry]
    public var absent: [SupportBundleAbsence]
    public var scrubbed: String

    /// The manifest of `contents`, each file hashed with `sha256` (lower-case hex).
    public init(
        contents: SupportBundleCollector.Contents, guestprepVersion: String, created: String, root: String,
        sha256: ([UInt8]) throws -> String
    ) rethrows {
        self.guestprepVersion = guestprepVersion
        self.created = created
        self.root = root
        files = try contents.files.map { file in
            Entry(
                name: file.name, source: file.source, sha256: try sha256(file.content), size: file.content.count,
                exitStatus: file.exitStatus, truncated: file.truncated ? true : nil)
        }
        absent = contents.absent
        scrubbed = "from every file: the \(contents.secretCount) secret value(s) guestprep knows (secret properties as read, the token archive, each Bitfusion user's client.yaml, vGPU client configuration tokens) and the value of every key that names a password, token or secret (key=value, YAML, JSON, XML), each replaced by \(PropertyKeys.redacted)"
    }

    /// The archive entries of a bundle: its files and the manifest, under `SupportBundleCatalog.top`.
    /// The manifest is scrubbed of `secrets` too: its reasons quote errors.
    public func archiveFiles(_ contents: SupportBundleCollector.Contents, secrets: SupportBundleSecrets) -> [ArchiveWriter.File] {
        let top = SupportBundleCatalog.top + "/"
        let manifest = SecretScrubber.scrub(text: ReportFormatter.encode(self), secrets: secrets.values)
        return contents.files.map { ArchiveWriter.File(path: top + $0.name, content: $0.content, mode: 0o600) }
            + [ArchiveWriter.File(path: top + SupportBundleCatalog.manifestName, content: Array(manifest.utf8), mode: 0o600)]
    }
}
