#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCurlLoader

/// One libcurl easy handle for the vCenter check and the TLS probe: options set one by one
/// (the first rejected one remembered), an error buffer, and the answer's body gathered in
/// memory up to a bound. Requests made one after another on it share its connection and its
/// cookies. libcurl must be loaded (`ccurl_load`).
final class CurlEasy {
    /// The largest answer kept; a larger one fails the transfer (a vSphere SOAP answer to the
    /// calls guestprep makes is a few kilobytes).
    static let bodyLimit = 4 << 20

    let handle: UnsafeMutableRawPointer
    /// The first option libcurl rejected, or CURLE_OK.
    private(set) var rejected: CURLcode = CURLE_OK
    /// The body of the last answer.
    private(set) var body: [UInt8] = []
    /// Whether the last answer was larger than `bodyLimit`.
    private(set) var overflowed = false
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headers: UnsafeMutablePointer<curl_slist>?

    /// Nil when libcurl cannot make a handle.
    init?() {
        guard let handle = ccurl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        set(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        // No signals: SIGALRM for DNS timeouts is unsafe in a threaded process.
        set(CURLOPT_NOSIGNAL, 1)
        set(
            ccurl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                let easy = Unmanaged<CurlEasy>.fromOpaque(context!).takeUnretainedValue()
                return easy.receive(UnsafeRawBufferPointer(start: data, count: size &* count))
            })
        set(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque()))
    }

    deinit {
        ccurl_easy_cleanup(handle)
        if let headers { ccurl_slist_free_all(headers) }
        errorBuffer.deallocate()
    }

    func set(_ option: CURLoption, _ value: Int) { set(ccurl_setopt_long(handle, option, value)) }

    /// A string option; nil clears it (libcurl copies the string).
    func set(_ option: CURLoption, _ value: String?) { set(ccurl_setopt_string(handle, option, value)) }

    /// Both timeouts, to the millisecond (at least 1 ms: 0 would mean none).
    func setTimeout(seconds: Double) {
        let milliseconds = max(1, Int((seconds * 1000).rounded()))
        set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds)
        set(CURLOPT_TIMEOUT_MS, milliseconds)
    }

    /// The request headers of every transfer (replacing earlier ones).
    func setHeaders(_ lines: [String]) {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = ccurl_slist_append(list, line) else {
                rejected = rejected == CURLE_OK ? CURLE_OUT_OF_MEMORY : rejected
                break
            }
            list = appended
        }
        set(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, list))
        if let headers { ccurl_slist_free_all(headers) }
        headers = list
    }

    /// Records `result` when it is the first rejected option.
    func set(_ result: CURLcode) {
        if rejected == CURLE_OK { rejected = result }
    }

    /// One transfer; `body` then holds the answer's body.
    func perform() -> CURLcode {
        body = []
        overflowed = false
        errorBuffer[0] = 0
        return withExtendedLifetime(self) { ccurl_easy_perform(handle) }
    }

    /// One POST of `request` (libcurl reads it in place: no copy of a body that may hold a
    /// password).
    func post(_ request: [UInt8]) -> CURLcode {
        let code = request.withUnsafeBytes { bytes in
            let given = ccurl_setopt_post_body(handle, bytes.baseAddress, curl_off_t(bytes.count))
            return given == CURLE_OK ? perform() : given
        }
        // The body's memory is the caller's again: libcurl must not keep pointing at it.
        _ = ccurl_setopt_post_body(handle, nil, 0)
        return code
    }

    /// The HTTP status of the last answer (0 when none came).
    var status: Int {
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return status
    }

    /// libcurl's message for a failure: its error buffer, or the code's generic text.
    func message(_ code: CURLcode) -> String {
        let buffered = String(cString: errorBuffer)
        return buffered.isEmpty ? String(cString: ccurl_easy_strerror(code)) : buffered
    }

    /// The errno of the last failed connect (0 when none) and the peer it was for:
    /// "10.1.2.3 port 443", from libcurl's info, or `fallback` when it has none.
    func connectFailure(fallback: (host: String, port: Int)?) -> (errno: Int32, peer: String) {
        var ip: UnsafePointer<CChar>?
        var port = 0
        var osErrno = 0
        _ = ccurl_getinfo_string(handle, CURLINFO_PRIMARY_IP, &ip)
        _ = ccurl_getinfo_long(handle, CURLINFO_PRIMARY_PORT, &port)
        _ = ccurl_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrno)
        var peer = ip.map { String(cString: $0) } ?? ""
        if peer.isEmpty || port == 0, let fallback {
            peer = fallback.host
            port = fallback.port
        }
        return (Int32(truncatingIfNeeded: osErrno), "\(peer) port \(port)")
    }

    /// The leaf (first) certificate of the last transfer's chain, from CURLINFO_CERTINFO's
    /// `Cert:` PEM; nil when the handle did not gather certificates (CURLOPT_CERTINFO) or the
    /// TLS backend gives no PEM.
    func leafCertificate() -> PeerCertificate? {
        var chain: UnsafeMutablePointer<curl_certinfo>?
        guard ccurl_getinfo_certinfo(handle, &chain) == CURLE_OK, let chain, chain.pointee.num_of_certs > 0,
            let lists = chain.pointee.certinfo
        else { return nil }
        var item = lists[0]
        while let current = item {
            if let data = current.pointee.data {
                let text = String(cString: data)
                if text.hasPrefix("Cert:") { return PeerCertificate(pem: String(text.dropFirst(5))) }
            }
            item = current.pointee.next
        }
        return nil
    }

    private func receive(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard body.count + bytes.count <= Self.bodyLimit else {
            overflowed = true
            return 0  // aborts the transfer
        }
        body += bytes
        return bytes.count
    }
}
