import GuestPrepConfig

/// A server's certificate as its DER bytes, and what pinning it takes: its thumbprints (the
/// SHA-256 or SHA-1 of the DER, as vCenter shows them) and the libcurl pin of its public key.
struct PeerCertificate: Equatable {
    /// The digests a thumbprint may be.
    enum Algorithm: String {
        case sha256 = "SHA-256"
        case sha1 = "SHA-1"

        /// SHA-256 for 64 hex digits, SHA-1 for 40; nil for any other length.
        init?(hexDigits count: Int) {
            switch count {
            case 64: self = .sha256
            case 40: self = .sha1
            default: return nil
            }
        }
    }

    /// Why a certificate could not be read or hashed.
    struct Failure: Error, Equatable {
        let reason: String
    }

    let der: [UInt8]

    init(der: [UInt8]) { self.der = der }

    /// The first certificate of PEM `text` (`-----BEGIN CERTIFICATE-----` ... `END`, read by
    /// ``PEMCertificates``); nil when it holds none or one of its certificates is broken.
    init?(pem text: String) {
        guard let der = (try? PEMCertificates.decode(Array(text.utf8)))?.first else { return nil }
        self.der = der
    }

    /// The thumbprint: the digest of the DER, lower-case hex without colons.
    func thumbprint(_ algorithm: Algorithm) throws(Failure) -> String {
        let functions = try Self.functions()
        return SHA256Hasher.hex(try Self.digest(der, algorithm == .sha256 ? functions.sha256() : functions.sha1(), functions))
    }

    /// libcurl's CURLOPT_PINNEDPUBLICKEY for this certificate's key:
    /// `sha256//` + base64 of the SHA-256 of its DER SubjectPublicKeyInfo.
    func publicKeyPin() throws(Failure) -> String {
        let functions = try Self.functions()
        let publicKey = try subjectPublicKeyInfo(functions)
        return "sha256//" + Base64Text.encode(try Self.digest(publicKey, functions.sha256(), functions))
    }

    /// The DER SubjectPublicKeyInfo, parsed out of the certificate by libcrypto.
    func subjectPublicKeyInfo() throws(Failure) -> [UInt8] {
        try subjectPublicKeyInfo(try Self.functions())
    }

    private func subjectPublicKeyInfo(_ functions: LibCryptoX509.Functions) throws(Failure) -> [UInt8] {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return functions.decodeCertificate(nil, &cursor, buffer.count)
        }
        guard let certificate = parsed else { throw Failure(reason: "the certificate is not DER X.509 libcrypto can read") }
        defer { functions.freeCertificate(certificate) }
        guard let key = functions.certificatePublicKey(certificate) else {
            throw Failure(reason: "the certificate has no public key")
        }
        let length = functions.encodePublicKey(key, nil)
        guard length > 0 else { throw Failure(reason: "libcrypto cannot encode the certificate's public key") }
        var encoded = [UInt8](repeating: 0, count: Int(length))
        let written = encoded.withUnsafeMutableBufferPointer { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return functions.encodePublicKey(key, &cursor)
        }
        guard written == length else { throw Failure(reason: "libcrypto cannot encode the certificate's public key") }
        return encoded
    }

    private static func functions() throws(Failure) -> LibCryptoX509.Functions {
        switch LibCryptoX509.functions {
        case .success(let functions): return functions
        case .failure(let failure): throw Failure(reason: failure.reason)
        }
    }

    private static func digest(
        _ bytes: [UInt8], _ type: OpaquePointer?, _ functions: LibCryptoX509.Functions
    ) throws(Failure) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        let done = bytes.withUnsafeBytes { functions.digest($0.baseAddress, $0.count, &digest, &length, type, nil) }
        guard done == 1, length > 0 else { throw Failure(reason: "EVP_Digest failed") }
        return Array(digest[0..<Int(length)])
    }
}
