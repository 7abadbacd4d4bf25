#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCurlLoader
import GuestPrepCore

/// The real `TLSEndpointProbe`: a libcurl connection to `https://HOST:PORT` that stops after
/// the TLS handshake (CURLOPT_CONNECT_ONLY), the peer verified against the CA file alone (not
/// the system CAs) and its certificate against the address; no request is sent. Proxies are
/// bypassed: a Bitfusion server is probed directly.
public struct CurlTLSEndpointProbe: TLSEndpointProbe {
    public init() {}

    /// Connects, shakes hands and says how it went; `timeout` (seconds) bounds the whole probe.
    public func probe(host: String, port: Int, caFile: String, timeout: Double) -> TLSEndpointResult {
        guard ccurl_load() == 0 else {
            return .handshakeFailed("libcurl cannot be loaded: \(String(cString: ccurl_load_error()))")
        }
        guard let easy = CurlEasy() else { return .handshakeFailed("curl_easy_init failed") }
        // An IPv6 address goes in brackets.
        let authority = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
        easy.set(CURLOPT_URL, "https://\(authority)/")
        easy.set(ccurl_restrict_protocols(easy.handle, "https", "https"))
        easy.set(CURLOPT_CONNECT_ONLY, 1)
        easy.set(CURLOPT_NOPROXY, "*")
        easy.set(CURLOPT_SSL_VERIFYPEER, 1)
        easy.set(CURLOPT_SSL_VERIFYHOST, 2)
        // The cluster's CA alone: without clearing CAPATH, Debian's libcurl would still trust
        // every CA in /etc/ssl/certs.
        easy.set(CURLOPT_CAINFO, caFile)
        easy.set(CURLOPT_CAPATH, nil)
        easy.setTimeout(seconds: timeout)
        guard easy.rejected == CURLE_OK else {
            return .handshakeFailed(
                "libcurl \(String(cString: ccurl_version())) rejected an option: \(String(cString: ccurl_easy_strerror(easy.rejected)))")
        }
        let code = easy.perform()
        let message = easy.message(code)
        switch code {
        case CURLE_OK:
            return .trusted
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_COULDNT_CONNECT:
            let failure = easy.connectFailure(fallback: (host, port))
            switch failure.errno {
            case ETIMEDOUT: return .timedOut
            case ECONNREFUSED: return .refused("connection refused by \(failure.peer)")
            case EHOSTUNREACH, ENETUNREACH: return .refused("no route to \(failure.peer)")
            default: return .refused("cannot connect to \(failure.peer) (\(message))")
            }
        case CURLE_COULDNT_RESOLVE_HOST:
            return .refused("cannot resolve the host name \(host)")
        default:
            switch TLSFailure(code: code, message: message) {
            case .unknownAuthority?:
                return .unknownAuthority(message)
            case let failure? where failure != .other:
                return .certificateProblem(failure.explained(message, host: host))
            default:
                return .handshakeFailed(message)
            }
        }
    }
}
