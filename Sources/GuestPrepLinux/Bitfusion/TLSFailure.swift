import CCurlLoader

/// What a failed libcurl TLS connection means, read from its code and error-buffer message
/// (OpenSSL's verify-error text as libcurl quotes it): an operator needs to know whether to
/// give a CA, renew a certificate or fix an address.
enum TLSFailure: Equatable {
    /// The certificate does not chain to a trusted CA (unknown issuer, self-signed).
    case unknownAuthority
    /// The certificate's validity period has ended.
    case expired
    /// The certificate's validity period has not begun (or the clock is wrong).
    case notYetValid
    /// The certificate is not for the host name or address connected to.
    case nameMismatch
    /// Any other TLS failure: a handshake that failed, a protocol mismatch, a CA file that
    /// cannot be read.
    case other

    /// The TLS failures among libcurl's codes; nil for a code that is not about TLS.
    init?(code: CURLcode, message: String) {
        switch code {
        // A verify error may surface as a handshake failure too (OpenSSL 3 reports some
        // during the handshake): the message decides, whatever the code.
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_CIPHER, CURLE_SSL_CERTPROBLEM, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_USE_SSL_FAILED:
            self = Self.verification(message)
        default:
            return nil
        }
    }

    /// The kind of a certificate-verification message.
    private static func verification(_ message: String) -> TLSFailure {
        let text = message.lowercased()
        func mentions(_ phrases: String...) -> Bool { phrases.contains { text.contains($0) } }
        if mentions("certificate has expired") { return .expired }
        if mentions("not yet valid") { return .notYetValid }
        if mentions(
            "unable to get local issuer certificate", "unable to get issuer certificate", "self-signed certificate",
            "self signed certificate", "unable to verify the first certificate", "certificate signature failure",
            "unable to get certificate crl", "invalid ca certificate")
        {
            return .unknownAuthority
        }
        if mentions("does not match target host", "no alternative certificate subject name") {
            return .nameMismatch
        }
        return .other
    }

    /// `message` prefixed with what it means: "the certificate is signed by an unknown CA
    /// (SSL certificate problem: unable to get local issuer certificate)".
    func explained(_ message: String, host: String) -> String {
        switch self {
        case .unknownAuthority: "the certificate is signed by an unknown CA (\(message))"
        case .expired: "the certificate has expired (\(message))"
        case .notYetValid: "the certificate is not yet valid; is the clock right? (\(message))"
        case .nameMismatch: "the certificate is not for \(host) (\(message))"
        case .other: message
        }
    }
}
