/// The outcome of a TLS handshake with one Bitfusion server (`IP:PORT`), verified against the
/// cluster's ca.crt.
public enum TLSEndpointResult: Sendable, Equatable {
    /// The handshake completed and the certificate chains to the CA.
    case trusted
    /// Nothing listens, or the host refused the connection.
    case refused(String)
    /// No answer within the timeout (a firewall, a wrong address, the server is off).
    case timedOut
    /// The certificate does not chain to the CA: the client belongs to another cluster or
    /// vCenter (the guide's "x509: certificate signed by unknown authority").
    case unknownAuthority(String)
    /// The certificate is valid but not for this address (or expired, or not yet valid).
    case certificateProblem(String)
    /// The handshake failed otherwise (not TLS on that port, protocol mismatch).
    case handshakeFailed(String)
}

/// Connects to `host:port`, makes a TLS handshake verified against the CA file (a host path)
/// and reports what happened, sending nothing else. The real one is GuestPrepLinux's, over
/// libcurl.
public protocol TLSEndpointProbe: Sendable {
    func probe(host: String, port: Int, caFile: String, timeout: Double) -> TLSEndpointResult
}
