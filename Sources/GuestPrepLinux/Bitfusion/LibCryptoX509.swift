#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// libcrypto's X.509 parsing and one-shot digests, bound with dlopen on first use like
/// `LibCrypto` (the same libcrypto.so.3, which libcurl loads anyway): what pinning a vCenter
/// certificate by thumbprint needs, the SHA-256 or SHA-1 of its DER and the SHA-256 of its
/// public key (SubjectPublicKeyInfo).
enum LibCryptoX509 {
    /// `X509 *d2i_X509(X509 **a, const unsigned char **in, long len)`.
    typealias DecodeCertificate =
        @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, Int) -> OpaquePointer?
    /// `void X509_free(X509 *a)`.
    typealias FreeCertificate = @convention(c) (OpaquePointer?) -> Void
    /// `X509_PUBKEY *X509_get_X509_PUBKEY(const X509 *x)`: the certificate's own, not a copy.
    typealias CertificatePublicKey = @convention(c) (OpaquePointer?) -> OpaquePointer?
    /// `int i2d_X509_PUBKEY(const X509_PUBKEY *a, unsigned char **out)`: the DER length, and
    /// with `out`, the DER written there (and `*out` moved past it).
    typealias EncodePublicKey = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32
    /// `const EVP_MD *EVP_sha256(void)`, `EVP_sha1(void)`.
    typealias Digest = @convention(c) () -> OpaquePointer?
    /// `int EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
    /// const EVP_MD *type, ENGINE *impl)`.
    typealias OneShotDigest =
        @convention(c) (UnsafeRawPointer?, Int, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt32>?, OpaquePointer?, OpaquePointer?)
            -> Int32

    /// The entry points guestprep uses.
    struct Functions: @unchecked Sendable {
        let decodeCertificate: DecodeCertificate
        let freeCertificate: FreeCertificate
        let certificatePublicKey: CertificatePublicKey
        let encodePublicKey: EncodePublicKey
        let sha256: Digest
        let sha1: Digest
        let digest: OneShotDigest
    }

    /// The bound functions, or why libcrypto.so.3 could not be bound. Loaded once, on first
    /// use; Swift makes that thread-safe.
    static let functions: Result<Functions, LibCrypto.LoadFailure> = load()

    private static func load() -> Result<Functions, LibCrypto.LoadFailure> {
        let library: LibCrypto.Library
        switch LibCrypto.library {
        case .success(let opened): library = opened
        case .failure(let failure): return .failure(failure)
        }
        guard let decodeCertificate = library.bind("d2i_X509", as: DecodeCertificate.self),
            let freeCertificate = library.bind("X509_free", as: FreeCertificate.self),
            let certificatePublicKey = library.bind("X509_get_X509_PUBKEY", as: CertificatePublicKey.self),
            let encodePublicKey = library.bind("i2d_X509_PUBKEY", as: EncodePublicKey.self),
            let sha256 = library.bind("EVP_sha256", as: Digest.self),
            let sha1 = library.bind("EVP_sha1", as: Digest.self),
            let digest = library.bind("EVP_Digest", as: OneShotDigest.self)
        else { return .failure(LibCrypto.LoadFailure(reason: "libcrypto.so.3 lacks the X.509 and EVP_Digest functions")) }
        return .success(
            Functions(
                decodeCertificate: decodeCertificate, freeCertificate: freeCertificate,
                certificatePublicKey: certificatePublicKey, encodePublicKey: encodePublicKey, sha256: sha256, sha1: sha1,
                digest: digest))
    }
}
