#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCurlLoader
import GuestPrepCore

/// The real `Downloader`: libcurl (bound with dlopen on first use, see ccurl_loader.h) with
/// SHA-256 from libcrypto (also bound on first use) computed as the bytes arrive, on a thread
/// beside the transfer (`HashingThread`): no second pass over the file.
///
/// A download goes into `destination + ".partial"` (0600; missing parent directories are
/// created 0755), is verified, made durable, given its mode and renamed into place, and the
/// rename made durable. A partial file left by an earlier attempt or run is resumed
/// (`Range: bytes=N-`); when the server sends the whole file instead, it starts over, and when
/// a resumed file fails verification, it is fetched once more from byte 0 (the partial may have
/// been of another file) before the mismatch is reported.
///
/// Retried, with exponential backoff from `initialBackoff`: connection failures (refused, no
/// route, name not resolved, timed out), cut transfers (including a stall: less than a byte a
/// second for `stallTimeout` seconds), and HTTP 5xx, 408 and 429. Not retried: other HTTP
/// statuses, TLS verification failures, checksum mismatches, local errors.
///
/// Redirects are followed (at most 10, to https or http only); proxies are libcurl's default,
/// from `http_proxy`, `https_proxy` and `no_proxy`. No message ever shows a URL's user-info.
/// An expected SHA-256 that is not 64 hex digits fails as `.local` on the destination, before
/// anything is fetched (the protocol has no case of its own for a malformed request).
public struct CurlDownloader: Downloader {
    /// Seconds to wait for a connection.
    public var connectTimeout: Int
    /// Seconds without a byte after which a transfer counts as cut (and is retried).
    public var stallTimeout: Int

    public init(connectTimeout: Int = 30, stallTimeout: Int = 60) {
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
    }

    /// Fetches `request.url` to `request.destination` (see the type's description). `progress`
    /// is called at most about four times a second while bytes arrive, and once at the end with
    /// the whole size. `DownloadResult.attempts` is 0 when the destination already held the file.
    public func download(
        _ request: DownloadRequest, progress: @escaping @Sendable (DownloadProgress) -> Void
    ) throws -> DownloadResult {
        try download(request, reporting: progress)
    }

    /// The SHA-256 of the file at `path`, 64 lower-case hex digits; nil when it does not exist.
    public func sha256(ofFile path: String) throws -> String? {
        try Self.hashFile(path)?.sha256
    }

    private func download(
        _ request: DownloadRequest, reporting progress: @escaping (DownloadProgress) -> Void
    ) throws(DownloadError) -> DownloadResult {
        let shownURL = DownloadURL.redacted(request.url)
        guard let scheme = DownloadURL.scheme(of: request.url), DownloadURL.schemes.contains(scheme) else {
            throw .unsupportedURL(shownURL)
        }
        let expected = request.sha256.lowercased()
        guard expected.utf8.count == 64, expected.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else {
            throw .local(path: request.destination, reason: "the expected SHA-256 \"\(request.sha256)\" is not 64 hex digits")
        }
        if let present = try Self.hashFile(request.destination), present.sha256 == expected {
            progress(DownloadProgress(received: present.size, total: present.size))
            return DownloadResult(bytes: present.size, fetched: 0, attempts: 0)
        }
        guard ccurl_load() == 0 else { throw .libraryMissing(String(cString: ccurl_load_error())) }
        try Self.makeDirectories(PartialFile.parent(of: request.destination))
        let partial = try PartialFile(path: request.destination + ".partial")
        let transfer = try CurlTransfer(
            request: request, partial: partial, connectTimeout: connectTimeout, stallTimeout: stallTimeout,
            progress: progress)
        // Bytes of an earlier run: they may belong to another file.
        var mayStartOver = partial.size > 0
        var attempt = 0
        while true {
            attempt += 1
            switch transfer.perform() {
            case .restart:
                try partial.truncate()
                attempt -= 1  // the server's answer, not a failure
            case .failed(let error, let retryable):
                guard retryable, attempt < request.attempts else {
                    // An empty partial file is only litter; one with bytes is resumed next time.
                    if partial.size == 0 { partial.discard() }
                    throw Self.after(attempts: attempt, error)
                }
                Self.sleep(seconds: request.initialBackoff * Double(1 << min(attempt - 1, 20)))
            case .complete:
                let actual = try partial.finishHash()
                if actual == expected {
                    try partial.commit(to: request.destination, mode: request.mode)
                    progress(DownloadProgress(received: partial.size, total: partial.size))
                    return DownloadResult(bytes: partial.size, fetched: transfer.fetched, attempts: attempt)
                }
                if mayStartOver {
                    mayStartOver = false
                    try partial.truncate()
                    attempt -= 1
                    continue
                }
                partial.discard()
                throw .checksumMismatch(url: shownURL, expected: expected, actual: actual)
            }
        }
    }

    /// `error` as reported after `attempts` attempts: a connection failure says how many.
    private static func after(attempts: Int, _ error: DownloadError) -> DownloadError {
        guard attempts > 1, case .connection(let url, let reason) = error else { return error }
        return .connection(url: url, reason: "\(reason) (\(attempts) attempts)")
    }

    /// The SHA-256 and size of a file, or nil when it does not exist.
    private static func hashFile(_ path: String) throws(DownloadError) -> (sha256: String, size: UInt64)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .local(path: path, reason: Posix.describe(errno))
        }
        defer { Posix.closeQuietly(fd) }
        let hasher = try SHA256Hasher()
        switch hasher.update(readingToEndOf: fd) {
        case .success(let size): return (hasher.finish(), size)
        case .failure(let failure): throw .local(path: path, reason: Posix.describe(failure.code))
        }
    }

    /// Creates `directory` and its missing parents, 0755.
    private static func makeDirectories(_ directory: String) throws(DownloadError) {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & 0o170000 == 0o040000 else { throw .local(path: directory, reason: "is not a directory") }
            return
        }
        let parent = PartialFile.parent(of: directory)
        if parent != directory { try makeDirectories(parent) }
        guard mkdir(directory, 0o755) == 0 || errno == EEXIST else {
            throw .local(path: directory, reason: Posix.describe(errno))
        }
    }

    private static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
