/// One entry of an archive or ISO 9660 image, as ``ArchiveReader`` gives it. Nothing is
/// followed or extracted: a link, device or pipe is described with its kind (and a link with
/// its target) in the error that refuses it.
public struct ArchiveEntry: Sendable, Equatable {
    /// What a member is.
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        /// A regular file: ``ArchiveEntry/contents`` holds its bytes.
        case file
        case directory
        case symbolicLink(target: String)
        case hardLink(target: String)
        /// A character or block device.
        case device
        /// A named pipe.
        case fifo
        /// Anything else, described (`a socket`).
        case other(String)

        /// The kind in words, for messages: "a symbolic link to '/etc/shadow'".
        public var description: String {
            switch self {
            case .file: "a regular file"
            case .directory: "a directory"
            case .symbolicLink(let target): "a symbolic link to \(Quoting.quote(target))"
            case .hardLink(let target): "a hard link to \(Quoting.quote(target))"
            case .device: "a device"
            case .fifo: "a named pipe"
            case .other(let what): "an unsupported member (\(what))"
            }
        }
    }

    /// The member's path in the archive, as stored (`bitfusion-client/ca.crt`); a directory's
    /// may end in `/`.
    public var path: String
    /// What the member is.
    public var kind: Kind
    /// A regular file's bytes when they were read; empty for every other kind.
    public var contents: [UInt8]

    public init(path: String, kind: Kind, contents: [UInt8] = []) {
        self.path = path
        self.kind = kind
        self.contents = contents
    }

    /// The last component of the path: `ca.crt` for `bitfusion-client/ca.crt` (and for
    /// `bitfusion-client/ca.crt/`).
    public var baseName: String {
        let components = path.split(separator: "/")
        return components.last.map(String.init) ?? ""
    }

    /// Whether `path` could escape the directory an archive is read into: it is absolute, or
    /// one of its components is `..`. Such members are refused, never read.
    static func isUnsafe(_ path: String) -> Bool {
        path.hasPrefix("/") || path.split(separator: "/", omittingEmptySubsequences: true).contains("..")
    }
}
