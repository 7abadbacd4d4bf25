#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCurlLoader
import GuestPrepCore

/// One libcurl easy handle fetching one URL into a `PartialFile`, attempt after attempt.
///
/// The write callback checks the HTTP status before the first byte is written (so an error
/// page never lands in the file), then appends and hashes each chunk as it arrives: no copy,
/// no second pass over the file.
final class CurlTransfer {
    /// How one `perform()` ended.
    enum Outcome {
        /// The partial file holds the whole file (verification decides whether it is right).
        case complete
        /// The server cannot resume: empty the partial file and fetch it all.
        case restart
        /// The attempt failed; `retryable` when another attempt may succeed.
        case failed(DownloadError, retryable: Bool)
    }

    /// libcurl's receive buffer: larger chunks mean fewer write(2) calls and hash updates per
    /// byte (bench/download.sh). 10 MiB is libcurl's limit.
    static let bufferSize = 512 << 10
    /// How often the progress closure may be called, in seconds.
    static let progressInterval = 0.25

    let partial: PartialFile
    /// Bytes received over the network by every `perform()` so far.
    private(set) var fetched: UInt64 = 0
    /// The whole file's size as the last transfer announced it.
    private(set) var announcedTotal: UInt64?

    private let handle: UnsafeMutableRawPointer
    private let url: String
    private let shownURL: String
    private let isHTTP: Bool
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let progress: (DownloadProgress) -> Void
    private let stallTimeout: Int

    // The state of the perform() under way.
    private var startOffset: UInt64 = 0
    private var statusChecked = false
    private var rejectedStatus: Int?
    private var writeFailure: Int32 = 0
    private var lastProgress = 0.0

    /// A handle for `request` writing into `partial`. libcurl must be loaded (`ccurl_load`).
    init(
        request: DownloadRequest, partial: PartialFile, connectTimeout: Int, stallTimeout: Int,
        progress: @escaping (DownloadProgress) -> Void
    ) throws(DownloadError) {
        guard let handle = ccurl_easy_init() else { throw .libraryMissing("curl_easy_init failed") }
        self.handle = handle
        self.partial = partial
        self.progress = progress
        self.stallTimeout = stallTimeout
        url = request.url
        shownURL = DownloadURL.redacted(request.url)
        isHTTP = DownloadURL.scheme(of: request.url) != "file"
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        let context = Unmanaged.passUnretained(self).toOpaque()
        var failed: CURLcode = CURLE_OK
        func set(_ result: CURLcode) { if failed == CURLE_OK { failed = result } }
        guard ccurl_setopt_string(handle, CURLOPT_URL, request.url) == CURLE_OK else {
            ccurl_easy_cleanup(handle)
            errorBuffer.deallocate()
            throw .unsupportedURL(shownURL)
        }
        // The URL's own protocol only, and redirects that never leave https: a runfile, token
        // archive or package asked for over https is never fetched in clear text, nor from
        // file:// or any other protocol a server names (libcurl: CURLOPT_PROTOCOLS_STR and
        // CURLOPT_REDIR_PROTOCOLS_STR, which also bound the redirects).
        let scheme = DownloadURL.scheme(of: request.url)
        let allowed = scheme == "http" ? "http,https" : scheme == "file" ? "file" : "https"
        set(ccurl_restrict_protocols(handle, allowed, scheme == "http" ? "http,https" : "https"))
        // No signals: SIGALRM for DNS timeouts is unsafe in a threaded process.
        set(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1))
        set(ccurl_setopt_long(handle, CURLOPT_MAXREDIRS, 10))
        // The status is read here, so that an error page is never written into the file.
        set(ccurl_setopt_long(handle, CURLOPT_FAILONERROR, 0))
        set(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, connectTimeout))
        // Less than a byte a second for stallTimeout seconds: a cut transfer, retried.
        set(ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1))
        set(ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, stallTimeout))
        set(ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        set(ccurl_setopt_long(handle, CURLOPT_BUFFERSIZE, Self.bufferSize))
        set(ccurl_setopt_string(handle, CURLOPT_USERAGENT, "guestprep libcurl/" + String(cString: ccurl_version())))
        set(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        if let caFile = request.caFile {
            // The CA file replaces the system CAs: without clearing CAPATH, Debian's libcurl
            // would still trust every CA in /etc/ssl/certs.
            set(ccurl_setopt_string(handle, CURLOPT_CAINFO, caFile))
            set(ccurl_setopt_string(handle, CURLOPT_CAPATH, nil))
        }
        // Proxies: libcurl's default, http_proxy, https_proxy and no_proxy from the environment.
        set(
            ccurl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
                return transfer.receive(UnsafeRawBufferPointer(start: data, count: size &* count))
            })
        set(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        set(ccurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        set(
            ccurl_setopt_xferinfo_callback(handle) { context, downloadTotal, _, _, _ in
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
                transfer.reportProgress(downloadTotal: downloadTotal)
                return 0
            })
        set(ccurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context))
        guard failed == CURLE_OK else {
            ccurl_easy_cleanup(handle)
            errorBuffer.deallocate()
            throw .libraryMissing("libcurl \(String(cString: ccurl_version())) rejected an option: \(String(cString: ccurl_easy_strerror(failed)))")
        }
    }

    deinit {
        ccurl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// One attempt: fetches from the partial file's end to the end of the file.
    func perform() -> Outcome {
        startOffset = partial.size
        statusChecked = false
        rejectedStatus = nil
        writeFailure = 0
        errorBuffer[0] = 0
        if ccurl_setopt_off_t(handle, CURLOPT_RESUME_FROM_LARGE, curl_off_t(startOffset)) != CURLE_OK {
            return .failed(.libraryMissing("libcurl cannot resume downloads"), retryable: false)
        }
        let code = withExtendedLifetime(self) { ccurl_easy_perform(handle) }
        // What was gathered goes to the file now: the next attempt resumes from its end.
        let flushed = partial.flush()
        if writeFailure == 0 { writeFailure = flushed }
        return outcome(of: code)
    }

    // MARK: - Callbacks

    private func receive(_ bytes: UnsafeRawBufferPointer) -> Int {
        if !statusChecked {
            statusChecked = true
            if isHTTP {
                let status = responseStatus()
                if status == 206 {
                    // libcurl checked that Content-Range starts where the partial file ends.
                } else if (200..<300).contains(status) {
                    // The whole file, although part of it was asked for: start over.
                    if partial.size > 0 {
                        do { try partial.truncate() } catch {
                            writeFailure = errno != 0 ? errno : EIO
                            return 0
                        }
                        startOffset = 0
                    }
                } else {
                    rejectedStatus = status
                    return 0  // aborts the transfer: nothing of an error page is written
                }
            }
        }
        let failure = partial.append(bytes)
        if failure != 0 {
            writeFailure = failure
            return 0
        }
        fetched += UInt64(bytes.count)
        return bytes.count
    }

    private func reportProgress(downloadTotal: curl_off_t) {
        if downloadTotal > 0 { announcedTotal = startOffset + UInt64(downloadTotal) }
        let now = Posix.monotonicSeconds()
        guard now - lastProgress >= Self.progressInterval else { return }
        lastProgress = now
        progress(DownloadProgress(received: partial.size, total: announcedTotal))
    }

    // MARK: - Results

    private func responseStatus() -> Int {
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return status
    }

    private func outcome(of code: CURLcode) -> Outcome {
        if let status = rejectedStatus { return Self.httpFailure(url: shownURL, status: status) }
        if writeFailure != 0 {
            return .failed(.local(path: partial.path, reason: Posix.describe(writeFailure)), retryable: false)
        }
        if code == CURLE_OK {
            guard isHTTP else { return .complete }
            let status = responseStatus()
            // 416 to a resume: the partial file is as large as the file, or larger; whether it
            // is the file, the checksum says.
            if status == 416 && startOffset > 0 { return .complete }
            // An error status with an empty body, or a redirect without a Location.
            if !(200..<300).contains(status) { return Self.httpFailure(url: shownURL, status: status) }
            return .complete
        }
        let detail = DownloadURL.scrub(errorText(code), url: url)
        switch code {
        case CURLE_RANGE_ERROR where startOffset > 0, CURLE_BAD_DOWNLOAD_RESUME where startOffset > 0:
            return .restart
        case CURLE_COULDNT_CONNECT:
            return .failed(.connection(url: shownURL, reason: connectFailure()), retryable: true)
        case CURLE_COULDNT_RESOLVE_HOST:
            let host = DownloadURL.hostAndPort(of: url)?.host ?? shownURL
            return .failed(.connection(url: shownURL, reason: "cannot resolve the host name \(host)"), retryable: true)
        case CURLE_COULDNT_RESOLVE_PROXY:
            return .failed(.connection(url: shownURL, reason: "cannot resolve the proxy's host name (\(detail))"), retryable: true)
        case CURLE_OPERATION_TIMEDOUT where statusChecked:
            // The low-speed limit, once bytes were flowing.
            let total = announcedTotal.map { " of \($0)" } ?? ""
            return .failed(
                .connection(
                    url: shownURL,
                    reason: "the transfer stalled after \(partial.size)\(total) bytes: less than a byte a second for \(stallTimeout) s"),
                retryable: true)
        case CURLE_OPERATION_TIMEDOUT:
            return .failed(.connection(url: shownURL, reason: "timed out (\(detail))"), retryable: true)
        case CURLE_GOT_NOTHING:
            return .failed(.connection(url: shownURL, reason: "the server closed the connection without answering"), retryable: true)
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_SSL_CONNECT_ERROR:
            return .failed(.connection(url: shownURL, reason: cutReason(detail)), retryable: true)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            return .failed(.tls(url: shownURL, reason: detail), retryable: false)
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            if let location = refusedRedirect() {
                return .failed(.redirectRefused(url: shownURL, location: DownloadURL.redacted(location)), retryable: false)
            }
            return .failed(.unsupportedURL(shownURL), retryable: false)
        case CURLE_FILE_COULDNT_READ_FILE:
            return .failed(.local(path: Self.filePath(of: shownURL), reason: detail), retryable: false)
        case CURLE_TOO_MANY_REDIRECTS:
            return .failed(.connection(url: shownURL, reason: "more than 10 redirects"), retryable: false)
        default:
            return .failed(.connection(url: shownURL, reason: detail), retryable: false)
        }
    }

    /// 5xx, 408 (request timeout) and 429 (too many requests) may pass; other statuses will not.
    static func httpFailure(url: String, status: Int) -> Outcome {
        .failed(.httpStatus(url: url, status: status), retryable: status >= 500 || status == 408 || status == 429)
    }

    /// Where a redirect that libcurl refused to follow led (its protocol was not allowed), or
    /// nil when the failure was the URL's own. libcurl moves to the redirect's URL before it
    /// checks the protocol, so the effective URL is the refused one.
    private func refusedRedirect() -> String? {
        var effective: UnsafePointer<CChar>?
        guard ccurl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK, let effective else { return nil }
        let location = String(cString: effective)
        return location.isEmpty || location == url ? nil : location
    }

    /// "connection refused by 127.0.0.1 port 9", from the address libcurl tried and its errno.
    private func connectFailure() -> String {
        var ip: UnsafePointer<CChar>?
        var port = 0
        var osErrno = 0
        _ = ccurl_getinfo_string(handle, CURLINFO_PRIMARY_IP, &ip)
        _ = ccurl_getinfo_long(handle, CURLINFO_PRIMARY_PORT, &port)
        _ = ccurl_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrno)
        var peer = ip.map { String(cString: $0) } ?? ""
        if peer.isEmpty || port == 0, let named = DownloadURL.hostAndPort(of: url) {
            peer = named.host
            port = named.port
        }
        let target = "\(peer) port \(port)"
        switch Int32(osErrno) {
        case ECONNREFUSED: return "connection refused by \(target)"
        case ETIMEDOUT: return "no answer from \(target) (timed out)"
        case EHOSTUNREACH, ENETUNREACH: return "no route to \(target)"
        case 0: return "cannot connect to \(target)"
        default: return "cannot connect to \(target): \(Posix.describe(Int32(osErrno)))"
        }
    }

    private func cutReason(_ detail: String) -> String {
        let total = announcedTotal.map { " of \($0)" } ?? ""
        return "the connection was cut after \(partial.size)\(total) bytes (\(detail))"
    }

    /// libcurl's message for the failure: its error buffer, or the code's generic text.
    private func errorText(_ code: CURLcode) -> String {
        let buffered = String(cString: errorBuffer)
        return buffered.isEmpty ? String(cString: ccurl_easy_strerror(code)) : buffered
    }

    /// The path of a `file://` URL (what follows the authority).
    private static func filePath(of url: String) -> String {
        guard let start = url.firstRange(of: "://")?.upperBound else { return url }
        let rest = url[start...]
        return String(rest[(rest.firstIndex(of: "/") ?? rest.endIndex)...])
    }
}
