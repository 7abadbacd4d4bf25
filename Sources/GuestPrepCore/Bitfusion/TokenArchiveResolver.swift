import GuestPrepConfig
import GuestPrepModel

/// Fetches a token archive given by location (`token-archive-url`) and decodes it, before
/// anything is planned: a missing or damaged archive stops the run like an invalid property,
/// with nothing changed. A guest path or file:// URL is read under the root; an https:// URL
/// is downloaded (SHA-256 checked) into /run/guestprep (0600) and removed once read, on the
/// running system only.
public enum TokenArchiveResolver {
    /// Where an https:// archive is downloaded to, briefly.
    public static let scratchPath = "/run/guestprep/token-archive"

    /// `spec` with its archive decoded; the spec unchanged when it has no archive location.
    /// Errors are diagnostics on `token-archive-url`; the location is never quoted.
    public static func resolve(
        _ spec: GuestSpec, fs: any FileSystem, downloader: (any Downloader)?
    ) -> (spec: GuestSpec, diagnostics: [Diagnostic]) {
        guard case .location(let secret, let sha256)? = spec.client?.archive else { return (spec, []) }
        let key = PropertyKeys.bitfusionTokenArchiveURL
        let location = secret.reveal()
        let bytes: [UInt8]
        do {
            bytes = try fetch(
                location, sha256: sha256, caFile: spec.bitfusion.caFile.flatMap(fs.hostPath(of:)), fs: fs, downloader: downloader)
        } catch let error as Problem {
            return (spec, [.error(key, error.description)])
        } catch {
            return (spec, [.error(key, "the token archive could not be fetched: \(error)")])
        }
        do {
            var resolved = spec
            resolved.client?.archive = .decoded(try TokenArchiveDecoder.decode(bytes))
            return (resolved, [])
        } catch {
            return (spec, [.error(key, "\(error)")])
        }
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    private static func fetch(
        _ location: String, sha256: String?, caFile: String?, fs: any FileSystem, downloader: (any Downloader)?
    ) throws -> [UInt8] {
        var path: String?
        if location.hasPrefix("/") { path = location }
        if location.lowercased().hasPrefix("file://") { path = String(location.dropFirst("file://".count)) }
        if let path {
            // At most the limit and one byte: TokenArchiveDecoder refuses a longer one unread.
            guard let bytes = try fs.readRange(path, offset: 0, limit: InputLimits.tokenArchive + 1) else {
                throw Problem(description: "the token archive \(path) does not exist")
            }
            // A SHA-256 given with a path is checked too, where the downloader's hashing is at
            // hand (on the running system).
            if let sha256, let downloader, let host = fs.hostPath(of: path),
                let actual = try downloader.sha256(ofFile: host), actual != sha256
            {
                throw Problem(description: "the token archive \(path) does not have the SHA-256 given in \(PropertyKeys.bitfusionTokenArchiveSHA256)")
            }
            return bytes
        }
        guard let downloader, let destination = fs.hostPath(of: scratchPath) else {
            throw Problem(description: "an https:// token archive is fetched only on the running system (--root is not /): give a path under the root")
        }
        guard let sha256 else { throw Problem(description: "an https:// token archive needs its SHA-256") }
        defer { try? fs.delete(scratchPath) }
        do {
            _ = try downloader.download(
                DownloadRequest(url: location, destination: destination, sha256: sha256, caFile: caFile, attempts: 3, mode: 0o600)
            ) { _ in }
        } catch {
            throw Problem(description: "the token archive could not be downloaded: \(error)")
        }
        guard let bytes = try fs.readRange(scratchPath, offset: 0, limit: InputLimits.tokenArchive + 1) else {
            throw Problem(description: "the downloaded token archive vanished")
        }
        return bytes
    }
}
