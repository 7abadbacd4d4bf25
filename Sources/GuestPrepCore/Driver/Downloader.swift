/// One file to fetch over HTTP(S) (or `file://`), verified before it appears.
public struct DownloadRequest: Sendable, Equatable {
    /// `https://`, `http://` or `file://`.
    public var url: String
    /// The host path of the destination. The file appears there only whole and verified: it
    /// is fetched into `destination + ".partial"`, checked against `sha256`, then renamed.
    public var destination: String
    /// The expected SHA-256 of the whole file, 64 lower-case hex digits.
    public var sha256: String
    /// A PEM CA bundle (host path) that replaces the system CAs; nil for the system CAs.
    public var caFile: String?
    /// How many times to try in all before giving up (connection failures, cut transfers and
    /// 5xx answers are retried; 4xx, TLS verification and checksum failures are not).
    public var attempts: Int
    /// Seconds before the first retry; doubled for each later one.
    public var initialBackoff: Double
    /// The permission bits the finished file gets.
    public var mode: UInt32

    public init(
        url: String, destination: String, sha256: String, caFile: String? = nil, attempts: Int = 5,
        initialBackoff: Double = 1, mode: UInt32 = 0o644
    ) {
        self.url = url
        self.destination = destination
        self.sha256 = sha256
        self.caFile = caFile
        self.attempts = attempts
        self.initialBackoff = initialBackoff
        self.mode = mode
    }
}

/// How far a download has got, for a progress bar or systemd's STATUS=.
public struct DownloadProgress: Sendable, Equatable {
    /// Bytes of the file on disk so far (a resumed download starts from its partial file).
    public var received: UInt64
    /// The whole file's size, when the server said.
    public var total: UInt64?

    public init(received: UInt64, total: UInt64?) {
        self.received = received
        self.total = total
    }
}

/// What a finished download did.
public struct DownloadResult: Sendable, Equatable {
    /// The file's size.
    public var bytes: UInt64
    /// Bytes fetched over the network by this call (less than `bytes` after a resume; 0 when
    /// the destination already held the verified file).
    public var fetched: UInt64
    /// Attempts made (1 when the first one succeeded; 0 when the destination already held the
    /// verified file).
    public var attempts: Int

    public init(bytes: UInt64, fetched: UInt64, attempts: Int) {
        self.bytes = bytes
        self.fetched = fetched
        self.attempts = attempts
    }
}

/// Why a download failed, each case with what an operator needs to fix it. Messages name the
/// URL without its user-info (a `user:password@` part is never shown).
public enum DownloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with an HTTP error status (404, 403, 500 after the retries).
    case httpStatus(url: String, status: Int)
    /// No connection: refused, no route, name not resolved, timed out, or cut off after the
    /// last attempt.
    case connection(url: String, reason: String)
    /// The server's certificate did not verify against the CAs in use.
    case tls(url: String, reason: String)
    /// The whole file's SHA-256 is not the one expected: the file was removed.
    case checksumMismatch(url: String, expected: String, actual: String)
    /// The destination could not be written, or a local file not read.
    case local(path: String, reason: String)
    /// A URL scheme other than https, http or file, or a malformed URL.
    case unsupportedURL(String)
    /// The server redirected the download to `location`, a protocol it may not move to: an
    /// https download follows redirects to https only (never to http in clear text), an http
    /// one to http or https.
    case redirectRefused(url: String, location: String)
    /// libcurl (libcurl.so.4) could not be loaded.
    case libraryMissing(String)

    public var description: String {
        switch self {
        case .httpStatus(let url, let status):
            return "download of \(url) failed: the server answered HTTP \(status)"
        case .connection(let url, let reason):
            return "download of \(url) failed: \(reason)"
        case .tls(let url, let reason):
            return "download of \(url) failed: the server's TLS certificate did not verify (\(reason)); give the CA that signed it with guestinfo.guestprep.driver.ca-file"
        case .checksumMismatch(let url, let expected, let actual):
            return "download of \(url) failed: its SHA-256 is \(actual), not the \(expected) expected; the file was removed and nothing was installed"
        case .local(let path, let reason):
            return "cannot write or read \(path): \(reason)"
        case .unsupportedURL(let url):
            return "cannot download \(url): only https://, http:// and file:// URLs are supported"
        case .redirectRefused(let url, let location):
            let scheme = location.firstRange(of: "://").map { String(location[..<$0.lowerBound]) + "://" } ?? location
            return "download of \(url) failed: the server redirected it to \(location), and guestprep does not follow a redirect from \(url.hasPrefix("https://") ? "https:// to \(scheme): a download that starts on https stays on https" : "http:// to \(scheme): only http and https are followed"); give the final https:// URL"
        case .libraryMissing(let reason):
            return "cannot download: libcurl is not available (\(reason)); install libcurl4"
        }
    }
}

/// Fetches files: the one way guestprep downloads anything. The real one (GuestPrepLinux's
/// `CurlDownloader`) binds libcurl on first use; tests script one.
public protocol Downloader: Sendable {
    /// Fetches `request.url` to `request.destination`, resuming a partial file left by an
    /// earlier attempt or run, retrying with backoff, verifying the SHA-256. When the
    /// destination already exists with the expected SHA-256, nothing is fetched.
    func download(_ request: DownloadRequest, progress: @escaping @Sendable (DownloadProgress) -> Void) throws
        -> DownloadResult
    /// The SHA-256 of a local file (host path), 64 lower-case hex digits; nil when it does not
    /// exist.
    func sha256(ofFile path: String) throws -> String?
}
