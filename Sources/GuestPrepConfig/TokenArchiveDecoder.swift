import GuestPrepModel

/// Decodes a Bitfusion client's token archive, as downloaded from the vSphere Bitfusion plugin
/// (or handed over base64-encoded in a guestinfo property), and checks what it holds.
///
/// The format is told by its first bytes: gzip (`1f 8b`, a tar.gz), zip (`PK\u{3}\u{4}`) or
/// plain tar ("ustar" at byte 257). The archive must hold exactly one each of `ca.crt`,
/// `client.yaml` and `servers.conf`, found by base name in any folder, as regular files;
/// other members are ignored, but a link, device or pipe anywhere is refused. Then:
/// ca.crt must be PEM with at least one certificate, each of whose base64 decodes to DER;
/// client.yaml must not be empty; servers.conf must decode (``ServersConfDecoder``) and list
/// at least one server.
///
/// The archive holds the client's credential: no error shows client.yaml's bytes, nor any of
/// the archive's or its base64 text's content; errors name members by path only.
public enum TokenArchiveDecoder {
    /// The members a token archive must have.
    public static let memberNames = ["ca.crt", "client.yaml", "servers.conf"]
    /// The largest archive accepted once decompressed: 16 MiB (a token archive is a few
    /// kilobytes).
    public static let maximumArchiveSize = 16 << 20
    /// The largest member accepted: 1 MiB.
    public static let maximumMemberSize = 1 << 20

    /// The token archive the base64 `text` encodes (white space and line breaks ignored).
    public static func decode(base64 text: String) throws(TokenArchiveError) -> TokenArchive {
        let bytes: [UInt8]
        do {
            bytes = try Base64Decoder.decode(text)
        } catch {
            throw .base64(error)
        }
        return try decode(bytes)
    }

    /// The token archive `bytes`, checked.
    public static func decode(_ bytes: [UInt8]) throws(TokenArchiveError) -> TokenArchive {
        let entries = try self.entries(bytes)

        let unwanted = entries.filter { $0.kind != .file && $0.kind != .directory }
        if let entry = unwanted.first { throw .notARegularFile(path: entry.path, kind: entry.kind) }

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
        if let large = files.first(where: { $0.contents.count > maximumMemberSize }) {
            throw .memberTooLarge(path: large.path, size: large.contents.count, limit: maximumMemberSize)
        }

        if let reason = PEMCheck.problem(ca.contents) { throw .invalidCACertificate(path: ca.path, reason: reason) }
        guard client.contents.contains(where: { !isWhiteSpace($0) }) else { throw .emptyClientYAML(path: client.path) }
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

    /// The archive's members, by its format.
    private static func entries(_ bytes: [UInt8]) throws(TokenArchiveError) -> [ArchiveEntry] {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= maximumArchiveSize else { throw .tooLarge(limit: maximumArchiveSize) }
        if GzipDecoder.isGzip(bytes) {
            let tar: [UInt8]
            do {
                tar = try GzipDecoder.decode(bytes, limit: maximumArchiveSize)
            } catch .deflate(_, .limitExceeded) {
                throw .tooLarge(limit: maximumArchiveSize)
            } catch {
                throw .gzip(error)
            }
            guard TarReader.isTar(tar) else { throw .gzipWithoutTar }
            return try readTar(tar)
        }
        if ZipReader.isZip(bytes) {
            do {
                return try ZipReader.entries(bytes, limit: maximumArchiveSize)
            } catch .limitExceeded {
                throw .tooLarge(limit: maximumArchiveSize)
            } catch {
                throw .zip(error)
            }
        }
        if TarReader.isTar(bytes) { return try readTar(bytes) }
        throw .unknownFormat
    }

    private static func readTar(_ bytes: [UInt8]) throws(TokenArchiveError) -> [ArchiveEntry] {
        do {
            return try TarReader.entries(bytes)
        } catch {
            throw .tar(error)
        }
    }

    private static func isWhiteSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}

/// Checks a PEM file of certificates: at least one `-----BEGIN CERTIFICATE-----` block, each
/// ended by its `-----END CERTIFICATE-----` line and holding base64 that decodes to a DER
/// SEQUENCE.
enum PEMCheck {
    static let begin = Array("-----BEGIN CERTIFICATE-----".utf8)
    static let end = Array("-----END CERTIFICATE-----".utf8)

    /// What is wrong with `pem`, or nil when nothing is.
    static func problem(_ pem: [UInt8]) -> String? {
        var searchFrom = 0
        var number = 0
        while let start = find(begin, in: pem, from: searchFrom) {
            number += 1
            let bodyStart = start + begin.count
            guard let stop = find(end, in: pem, from: bodyStart) else {
                return "certificate \(number) (line \(position(of: start, in: pem).line)) has no -----END CERTIFICATE----- line"
            }
            let der: [UInt8]
            do {
                der = try Base64Decoder.decode(Array(pem[bodyStart..<stop]))
            } catch {
                let (line, column) = position(of: bodyStart + error.offset, in: pem)
                let what = error.reason == .invalidCharacter ? "a character outside the base64 alphabet" : "broken base64"
                return "certificate \(number) has \(what) at line \(line), column \(column)"
            }
            guard der.count > 2, der[0] == 0x30 else {
                return "certificate \(number) (line \(position(of: start, in: pem).line)) is not a DER certificate"
            }
            searchFrom = stop + end.count
        }
        guard number > 0 else { return "it holds no -----BEGIN CERTIFICATE----- block" }
        return nil
    }

    /// The index where `needle` starts in `haystack` at or after `from`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard haystack.count - from >= needle.count else { return nil }
        var index = from
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// The 1-based line and column (in bytes) of byte `offset`.
    private static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        let lineStart = bytes[..<offset].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        return (bytes[..<offset].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }, offset - lineStart + 1)
    }
}

/// Why a token archive was refused. Messages name members by path and never show client.yaml
/// or any of the archive's content.
public enum TokenArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The archive has no bytes.
    case empty
    /// The base64 text the archive came in is not base64.
    case base64(Base64Error)
    /// Neither gzip, zip nor tar.
    case unknownFormat
    /// The archive (decompressed) is larger than `limit` bytes.
    case tooLarge(limit: Int)
    /// The gzip compression is broken.
    case gzip(GzipError)
    /// The gzip data holds something other than a tar archive.
    case gzipWithoutTar
    /// The tar archive is broken.
    case tar(TarError)
    /// The zip archive is broken.
    case zip(ZipError)
    /// A member that is not a regular file or a directory: links are never followed.
    case notARegularFile(path: String, kind: ArchiveEntry.Kind)
    /// Two or more members with one of the wanted base names.
    case duplicateMember(name: String, paths: [String])
    /// Wanted members the archive lacks, and the files it holds.
    case missingMembers(names: [String], archiveHolds: [String])
    /// A member larger than `limit` bytes.
    case memberTooLarge(path: String, size: Int, limit: Int)
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
        case .base64(let error):
            return "the Bitfusion token archive was given as base64 but is \(error); give the archive base64-encoded (base64 -w0 FILE), or \(again)"
        case .unknownFormat:
            return "the Bitfusion token archive is not a tar.gz, zip or tar archive (it starts with none of their signatures); \(again)"
        case .tooLarge(let limit):
            return "the Bitfusion token archive is larger than \(limit >> 20) MiB decompressed, while a token archive is a few kilobytes: it is not a token archive, or a decompression bomb; \(again)"
        case .gzip(let error):
            return "the Bitfusion token archive is not valid gzip: \(error); \(again)"
        case .gzipWithoutTar:
            return "the Bitfusion token archive is gzip-compressed but holds no tar archive; \(again)"
        case .tar(let error):
            return "the Bitfusion token archive is not valid: \(error); \(again)"
        case .zip(let error):
            return "the Bitfusion token archive is not valid: \(error); \(again)"
        case .notARegularFile(let path, let kind):
            return "the Bitfusion token archive's member \(Quoting.quote(path)) is \(kind), not a regular file: links and special files are refused, never followed; \(again)"
        case .duplicateMember(let name, let paths):
            return "the Bitfusion token archive holds \(name) \(paths.count) times (\(paths.map(Quoting.quote).joined(separator: ", "))), so which one to use is unclear; \(again)"
        case .missingMembers(let names, let holds):
            let shown = holds.isEmpty ? "no files" : holds.map(Quoting.quote).joined(separator: ", ")
            return "the Bitfusion token archive has no \(names.joined(separator: " and ")) (it holds \(shown)); a client's token archive holds ca.crt, client.yaml and servers.conf; \(again)"
        case .memberTooLarge(let path, let size, let limit):
            return "the Bitfusion token archive's member \(Quoting.quote(path)) is \(size) bytes, more than the \(limit >> 20) MiB a member may have; \(again)"
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
