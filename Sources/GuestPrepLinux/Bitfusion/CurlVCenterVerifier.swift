#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCurlLoader
import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel

/// The real `VCenterVerifier`: vSphere SOAP over libcurl (bound with dlopen on first use, see
/// ccurl_loader.h), POSTed to `URL/sdk` on one handle, so the three requests share a
/// connection when they can and the session cookie (`vmware_soap_session`) that Login sets
/// goes with Logout.
///
/// 1. RetrieveServiceContent, TLS verified as `check.trust` says: the system CAs or a CA file
///    (peer and host name verified), or a thumbprint: then the peer is not verified by CA,
///    libcurl gathers the certificate chain and the leaf's SHA-256 (64 hex digits) or SHA-1
///    (40) is compared with the pin before anything else is read or sent.
/// 2. `about.apiType` must be `VirtualCenter`, `about.instanceUuid` the expected GUID
///    (compared case-insensitively).
/// 3. Login with the user name and password. With a thumbprint, libcurl pins the checked
///    certificate's public key (CURLOPT_PINNEDPUBLICKEY) first, so the password can only go to
///    a connection whose key is that certificate's, even if the first connection is not
///    reused.
/// 4. Logout of that session.
///
/// Each failure is a distinct `VCenterError`. The password appears in no error, log or
/// libcurl output: it is revealed only into the Login body (overwritten once sent), verbose
/// output stays off, and any text from the server is scrubbed of it. Redirects are not
/// followed; only https is allowed. Proxies are libcurl's default (`https_proxy`, `no_proxy`).
///
/// As a `VCenterIdentityProbe` (`guestprep health`, after the password was cleared) it stops
/// after step 2: nothing but RetrieveServiceContent is sent.
public struct CurlVCenterVerifier: VCenterVerifier, VCenterIdentityProbe {
    public init() {}

    /// Checks the vCenter Server `check` names (see the type's description); returns what it
    /// said about itself.
    public func verify(_ check: VCenterCheck) throws(VCenterError) -> VCenterIdentity {
        do {
            return try run(check, login: true)
        } catch {
            throw error.scrubbed(of: check.password.reveal())
        }
    }

    /// Steps 1 and 2 only: TLS and the vCenter's identity, no login (no password exists here).
    public func identify(url: String, expectedGUID: String, trust: VCenterTrust, timeout: Double) throws(VCenterError) -> VCenterIdentity {
        let check = VCenterCheck(url: url, expectedGUID: expectedGUID, username: "", password: Secret(""), trust: trust, timeout: timeout)
        return try run(check, login: false)
    }

    private func run(_ check: VCenterCheck, login doLogin: Bool) throws(VCenterError) -> VCenterIdentity {
        let url = DownloadURL.redacted(check.url)
        guard ccurl_load() == 0 else {
            throw .unreachable(url: url, reason: "libcurl cannot be loaded: \(String(cString: ccurl_load_error()))")
        }
        guard let easy = CurlEasy() else { throw .unreachable(url: url, reason: "curl_easy_init failed") }
        easy.set(CURLOPT_URL, Self.endpoint(check.url))
        easy.set(ccurl_restrict_protocols(easy.handle, "https", "https"))
        easy.set(CURLOPT_FOLLOWLOCATION, 0)
        // An empty file name turns the cookie engine on without reading or writing any file.
        easy.set(CURLOPT_COOKIEFILE, "")
        easy.setTimeout(seconds: check.timeout)
        easy.set(CURLOPT_USERAGENT, "guestprep libcurl/" + String(cString: ccurl_version()))
        easy.setHeaders([
            "Content-Type: " + VCenterSOAP.contentType, "SOAPAction: " + VCenterSOAP.soapAction,
            // No "Expect: 100-continue" round trip before a larger body.
            "Expect:",
        ])
        var pinned: (hex: String, algorithm: PeerCertificate.Algorithm)?
        switch check.trust {
        case .systemCAs:
            easy.set(CURLOPT_SSL_VERIFYPEER, 1)
            easy.set(CURLOPT_SSL_VERIFYHOST, 2)
        case .caFile(let path):
            easy.set(CURLOPT_SSL_VERIFYPEER, 1)
            easy.set(CURLOPT_SSL_VERIFYHOST, 2)
            // The CA file replaces the system CAs: without clearing CAPATH, Debian's libcurl
            // would still trust every CA in /etc/ssl/certs.
            easy.set(CURLOPT_CAINFO, path)
            easy.set(CURLOPT_CAPATH, nil)
        case .thumbprint(let given):
            let hex = String(given.lowercased().filter { $0 != ":" })
            guard hex.allSatisfy(\.isHexDigit), let algorithm = PeerCertificate.Algorithm(hexDigits: hex.count) else {
                throw .tls(
                    url: url,
                    reason: "the pinned thumbprint \(given) is neither a SHA-256 (64 hex digits) nor a SHA-1 (40); nothing was sent")
            }
            pinned = (hex, algorithm)
            // Whoever signed it: the certificate itself is compared below.
            easy.set(CURLOPT_SSL_VERIFYPEER, 0)
            easy.set(CURLOPT_SSL_VERIFYHOST, 0)
            easy.set(CURLOPT_CERTINFO, 1)
        }
        try checkOptions(easy, url)

        // 1. RetrieveServiceContent: nothing secret is sent.
        try checkTransfer(easy.post(VCenterSOAP.retrieveServiceContentRequest()), easy, check, url)
        if let pinned {
            try pin(easy, to: pinned, url)
        }
        let content = try decode(easy, "RetrieveServiceContent", check, url, VCenterSOAP.decodeServiceContent)

        // 2. Is it the vCenter Server the properties name?
        guard content.apiType == "VirtualCenter" else { throw .notVCenter(url: url, apiType: content.apiType) }
        guard let instanceUUID = content.instanceUUID else {
            throw .malformed(url: url, reason: "the RetrieveServiceContentResponse has no about.instanceUuid")
        }
        guard instanceUUID.lowercased() == check.expectedGUID.lowercased() else {
            throw .guidMismatch(expected: check.expectedGUID, actual: instanceUUID)
        }

        guard doLogin else { return VCenterIdentity(fullName: content.fullName, instanceUUID: instanceUUID) }

        // 3. Login: the only request that carries the password.
        var login: [UInt8]
        do {
            login = try VCenterSOAP.loginRequest(
                sessionManager: content.sessionManager, userName: check.username, password: check.password)
        } catch {
            throw .fault(operation: "Login", message: "not sent: \(error)")
        }
        let sent = easy.post(login)
        login.withUnsafeMutableBytes { bytes in if let base = bytes.baseAddress { memset(base, 0, bytes.count) } }
        try checkTransfer(sent, easy, check, url)
        try decode(easy, "Login", check, url, VCenterSOAP.decodeLogin)

        // 4. Logout of that session: it proves the session cookie went along, and leaves no
        // session behind on vCenter.
        try checkTransfer(easy.post(VCenterSOAP.logoutRequest(sessionManager: content.sessionManager)), easy, check, url)
        try decode(easy, "Logout", check, url, VCenterSOAP.decodeLogout)
        return VCenterIdentity(fullName: content.fullName, instanceUUID: instanceUUID)
    }

    /// `https://vc.example.com[/]` → `https://vc.example.com/sdk` (kept when already there).
    static func endpoint(_ url: String) -> String {
        var base = Substring(url)
        while base.hasSuffix("/") { base = base.dropLast() }
        return base.hasSuffix("/sdk") ? String(base) : base + "/sdk"
    }

    // MARK: - Thumbprint

    /// Compares the leaf certificate of the connection just made with the pinned thumbprint,
    /// then pins its public key for every later connection.
    private func pin(
        _ easy: CurlEasy, to pinned: (hex: String, algorithm: PeerCertificate.Algorithm), _ url: String
    ) throws(VCenterError) {
        guard let leaf = easy.leafCertificate() else {
            throw .tls(
                url: url,
                reason: "libcurl \(String(cString: ccurl_version())) gave no server certificate to compare with the pinned thumbprint; nothing was sent")
        }
        let pin: String
        do {
            let actual = try leaf.thumbprint(pinned.algorithm)
            guard actual == pinned.hex else { throw VCenterError.thumbprintMismatch(url: url, expected: pinned.hex, actual: actual) }
            pin = try leaf.publicKeyPin()
        } catch let error as VCenterError {
            throw error
        } catch {
            throw .tls(url: url, reason: "cannot check the server certificate's \(pinned.algorithm.rawValue) thumbprint: \(error)")
        }
        easy.set(CURLOPT_PINNEDPUBLICKEY, pin)
        easy.set(CURLOPT_CERTINFO, 0)
        try checkOptions(easy, url)
    }

    // MARK: - Results

    private func checkOptions(_ easy: CurlEasy, _ url: String) throws(VCenterError) {
        guard easy.rejected == CURLE_OK else {
            throw .unreachable(
                url: url,
                reason: "libcurl \(String(cString: ccurl_version())) rejected an option: \(String(cString: ccurl_easy_strerror(easy.rejected)))")
        }
    }

    /// A failed transfer as a `VCenterError`.
    private func checkTransfer(_ code: CURLcode, _ easy: CurlEasy, _ check: VCenterCheck, _ url: String) throws(VCenterError) {
        guard code != CURLE_OK else { return }
        let message = easy.message(code)
        let hostAndPort = DownloadURL.hostAndPort(of: check.url)
        switch code {
        case CURLE_COULDNT_CONNECT:
            let failure = easy.connectFailure(fallback: hostAndPort)
            let reason =
                switch failure.errno {
                case ECONNREFUSED: "connection refused by \(failure.peer)"
                case ETIMEDOUT: "no answer from \(failure.peer) (timed out)"
                case EHOSTUNREACH, ENETUNREACH: "no route to \(failure.peer)"
                case 0: "cannot connect to \(failure.peer) (\(message))"
                default: "cannot connect to \(failure.peer): \(Posix.describe(failure.errno))"
                }
            throw .unreachable(url: url, reason: reason)
        case CURLE_COULDNT_RESOLVE_HOST:
            throw .unreachable(url: url, reason: "cannot resolve the host name \(hostAndPort?.host ?? url)")
        case CURLE_COULDNT_RESOLVE_PROXY:
            throw .unreachable(url: url, reason: "cannot resolve the proxy's host name (\(message))")
        case CURLE_OPERATION_TIMEDOUT:
            throw .unreachable(url: url, reason: "no answer within \(Self.seconds(check.timeout)) s (\(message))")
        case CURLE_GOT_NOTHING:
            throw .unreachable(url: url, reason: "the server closed the connection without answering")
        case CURLE_WRITE_ERROR where easy.overflowed:
            throw .malformed(url: url, reason: "the answer is larger than \(CurlEasy.bodyLimit >> 20) MiB")
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            throw .tls(
                url: url,
                reason: "the server presented another key than the certificate whose thumbprint was checked (\(message)); the password was not sent")
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            throw .unreachable(url: url, reason: "not an https URL libcurl can use (\(message))")
        default:
            if let failure = TLSFailure(code: code, message: message) {
                throw .tls(url: url, reason: failure.explained(message, host: hostAndPort?.host ?? url))
            }
            throw .unreachable(url: url, reason: message)
        }
    }

    /// The answer of `operation` read by `decoder`: HTTP 200, or 500 with a SOAP fault.
    @discardableResult
    private func decode<Value>(
        _ easy: CurlEasy, _ operation: String, _ check: VCenterCheck, _ url: String,
        _ decoder: ([UInt8]) throws(VCenterSOAPError) -> Value
    ) throws(VCenterError) -> Value {
        let status = easy.status
        guard status == 200 || status == 500 else { throw .http(url: url, status: status) }
        do {
            return try decoder(easy.body)
        } catch {
            switch error {
            case .fault(let fault) where fault.type == "InvalidLogin":
                throw .invalidLogin(username: check.username)
            case .fault(let fault):
                throw .fault(operation: operation, message: fault.description)
            case .malformed where status == 500:
                // An error page, not a vSphere fault.
                throw .http(url: url, status: status)
            case .malformed(let reason), .unencodable(let reason):
                throw .malformed(url: url, reason: "\(reason) (answering \(operation))")
            }
        }
    }

    /// `20` for 20.0, `0.5` for 0.5.
    private static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension VCenterError {
    /// The error with `secret` replaced by `<redacted>` wherever a text of it could hold it:
    /// what a server sends back (a fault string, a malformed answer) is not trusted to leave
    /// the password out. A secret of one or two characters would match ordinary words; it is
    /// left, and too weak to protect anyway.
    fileprivate func scrubbed(of secret: String) -> VCenterError {
        guard secret.count >= 3 else { return self }
        func clean(_ text: String) -> String { text.replacing(secret, with: PropertyKeys.redacted) }
        return switch self {
        case .unreachable(let url, let reason): .unreachable(url: clean(url), reason: clean(reason))
        case .tls(let url, let reason): .tls(url: clean(url), reason: clean(reason))
        case .thumbprintMismatch(let url, let expected, let actual):
            .thumbprintMismatch(url: clean(url), expected: clean(expected), actual: clean(actual))
        case .http(let url, let status): .http(url: clean(url), status: status)
        case .malformed(let url, let reason): .malformed(url: clean(url), reason: clean(reason))
        case .notVCenter(let url, let apiType): .notVCenter(url: clean(url), apiType: clean(apiType))
        case .guidMismatch(let expected, let actual): .guidMismatch(expected: clean(expected), actual: clean(actual))
        case .invalidLogin(let username): .invalidLogin(username: clean(username))
        case .fault(let operation, let message): .fault(operation: operation, message: clean(message))
        }
    }
}
