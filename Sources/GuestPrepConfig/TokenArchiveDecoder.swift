import GuestPrepModel

/// Decodes a Bitfusion client's token archive, as downloaded from the vSphere Bitfusion plugin
/// (or handed over base64-encoded in a guestinfo property), and checks what it holds.
///
/// The archive is a tar.gz, a zip or a plain tar, read by ``ArchiveReader`` (libarchive)
/// within ``InputLimits``: at most 1024 entries, 1 MiB a member, 16 MiB together; a member
/// outside the archive (absolute, `..`), a link, device or pipe anywhere is refused. It must
/// hold exactly one each of `ca.crt`, `client.yaml` and `servers.conf`, found by base name in
/// any folder, as regular files; other members are ignored. Then: ca.crt must be PEM with at
/// least one certificate, each of whose base64 decodes to DER (``PEMCertificates``);
/// client.yaml must not be empty; servers.conf must decode (``ServersConfDecoder``) and list
/// at least one server.
///
/// The archive holds the client's credential: no error shows client.yaml's bytes, nor any of
/// the archive's or its base64 text's content; errors name members by path only.
public enum TokenArchiveDecoder {
    /// The members a token archive must have.
    public static let memberNames = ["ca.crt", "client.yaml", "servers.conf"]
    /// What errors call the archive.
    static let source = "the Bitfusion token archive"
    /// The bounds on the archive's entries (``InputLimits``).
    static let limits = ArchiveReader.Limits(
        entries: InputLimits.tokenArchiveEntries, entrySize: InputLimits.tokenArchiveMember,
        totalSize: InputLimits.tokenArchiveContents)

    /// The token archive the base64 `text` encodes (white space and line breaks ignored).
    public static func decode(base64 text: String) throws(TokenArchiveError) -> TokenArchive {
        guard let bytes = Base64Text.decode(text) else { throw .base64 }
        return try decode(bytes)
    }

    /// The token archive `bytes`, checked.
    public static func decode(_ bytes: [UInt8]) throws(TokenArchiveError) -> TokenArchive {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= InputLimits.tokenArchive else { throw .tooLarge(limit: InputLimits.tokenArchive) }
        let entries: [ArchiveEntry]
        do {
            entries = try ArchiveReader(source: source, format: .tarOrZip, limits: limits).entries(in: bytes)
        } catch {
            throw .archive(error)
        }

        let files = entries.filter { $0.kind == .file }
        var found: [String: ArchiveEntry] = [:]
        for name in memberNames {
            let matches = files.filter { $0.baseName == name }
            if matches.count > 1 { throw .duplicateMember(name: name, paths: matches.map(\.path)) }
            found[name] = matches.first
        }
        let missing = memberNames.filter { found[$0] == nil }
        guard missing.isEmpty, let ca = found["ca.crt"], let client = found["client.yaml"],
            let servers = found["servers.conf"]
        else {
            throw .missingMembers(names: missing, archiveHolds: files.map(\.path))
        }

        do {
            _ = try PEMCertificates.decode(ca.contents)
        } catch {
            throw .invalidCACertificate(path: ca.path, reason: error.reason)
        }
        guard client.contents.contains(where: { !Base64Text.isWhiteSpace($0) }) else {
            throw .emptyClientYAML(path: client.path)
        }
        let conf: ServersConf
        do {
            conf = try ServersConfDecoder.decode(String(decoding: servers.contents, as: UTF8.self))
        } catch {
            throw .invalidServersConf(path: servers.path, error)
        }
        guard !conf.servers.isEmpty else { throw .noServers(path: servers.path) }

        return TokenArchive(
            caCertificate: ca.contents, clientYAML: SecretBytes(client.contents), serversConf: servers.contents,
            servers: conf.addresses)
    }
}

/// Why a token archive was refused. Messages name members by path and never show client.yaml
/// or any of the archive's content.
public enum TokenArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The archive has no bytes.
    case empty
    /// The base64 text the archive came in is not base64.
    case base64
    /// The archive as given is larger than `limit` bytes.
    case tooLarge(limit: Int)
    /// The archive could not be read, or ``ArchiveReader`` refused it: not tar, tar.gz or zip,
    /// damaged, a decompression bomb, a member outside the archive, a link or special file.
    case archive(ArchiveError)
    /// Two or more members with one of the wanted base names.
    case duplicateMember(name: String, paths: [String])
    /// Wanted members the archive lacks, and the files it holds.
    case missingMembers(names: [String], archiveHolds: [String])
    /// ca.crt is not a PEM certificate file.
    case invalidCACertificate(path: String, reason: String)
    /// client.yaml is empty or only white space.
    case emptyClientYAML(path: String)
    /// servers.conf does not decode.
    case invalidServersConf(path: String, ServersConfError)
    /// servers.conf lists no server.
    case noServers(path: String)

    /// What to do about an archive that is not what the plugin gives.
    static let downloadAgain = "download the client's token archive again from the vSphere Bitfusion plugin"

    public var description: String {
        let again = Self.downloadAgain
        switch self {
        case .empty:
            return "the Bitfusion token archive is empty; \(again)"
        case .base64:
            return "the Bitfusion token archive was given as base64 but is not base64; give the archive base64-encoded (base64 -w0 FILE), or \(again)"
        case .tooLarge(let limit):
            return "the Bitfusion token archive is larger than \(ArchiveError.bytes(limit)), while a token archive is a few kilobytes; \(again)"
        case .archive(let error):
            switch error.problem {
            case .libraryMissing:
                return "\(error)"
            case .unrecognizedFormat(insideGzip: false):
                return "\(error.source) is not a tar.gz, zip or tar archive; \(again)"
            default:
                return "\(error); \(again)"
            }
        case .duplicateMember(let name, let paths):
            return "the Bitfusion token archive holds \(name) \(paths.count) times (\(paths.map(Quoting.quote).joined(separator: ", "))), so which one to use is unclear; \(again)"
        case .missingMembers(let names, let holds):
            let shown = holds.isEmpty ? "no files" : holds.map(Quoting.quote).joined(separator: ", ")
            return "the Bitfusion token archive has no \(names.joined(separator: " and ")) (it holds \(shown)); a client's token archive holds ca.crt, client.yaml and servers.conf; \(again)"
        case .invalidCACertificate(let path, let reason):
            return "the Bitfusion token archive's CA certificate \(Quoting.quote(path)) is not a PEM certificate file: \(reason); \(again)"
        case .emptyClientYAML(let path):
            return "the Bitfusion token archive's client credential \(Quoting.quote(path)) is empty; \(again)"
        case .invalidServersConf(let path, let error):
            return "the Bitfusion token archive's \(Quoting.quote(path)) is invalid: \(error); \(again)"
        case .noServers(let path):
            return "the Bitfusion token archive's \(Quoting.quote(path)) lists no server; \(again)"
        }
    }
}
