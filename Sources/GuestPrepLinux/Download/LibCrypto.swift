#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// libcrypto's EVP digest functions, bound with dlopen the first time guestprep hashes
/// something rather than linked.
///
/// OpenSSL's SHA-256 uses the CPU's SHA extensions (about 1.8 GB/s on the benchmark machine,
/// four times coreutils' sha256sum), which is what lets the downloader hash inline and keep up
/// with the curl CLI. libcrypto.so.3 comes with libssl3, which libcurl4 needs anyway; linking it
/// would load it at every start of the agent. The functions are not variadic, so Swift calls
/// them directly through `@convention(c)` pointers, as LibSystemd.swift does.
enum LibCrypto {
    /// `EVP_MD_CTX *EVP_MD_CTX_new(void)`.
    typealias ContextNew = @convention(c) () -> OpaquePointer?
    /// `void EVP_MD_CTX_free(EVP_MD_CTX *ctx)`.
    typealias ContextFree = @convention(c) (OpaquePointer?) -> Void
    /// `const EVP_MD *EVP_sha256(void)`.
    typealias Digest = @convention(c) () -> OpaquePointer?
    /// `int EVP_DigestInit_ex(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl)`.
    typealias DigestInit = @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Int32
    /// `int EVP_DigestUpdate(EVP_MD_CTX *ctx, const void *d, size_t cnt)`.
    typealias DigestUpdate = @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int) -> Int32
    /// `int EVP_DigestFinal_ex(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s)`.
    typealias DigestFinal = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt32>?) -> Int32

    /// The entry points guestprep uses.
    struct Functions: @unchecked Sendable {
        let contextNew: ContextNew
        let contextFree: ContextFree
        let sha256: Digest
        let digestInit: DigestInit
        let digestUpdate: DigestUpdate
        let digestFinal: DigestFinal
    }

    /// The bound functions, or why libcrypto.so.3 could not be bound. Loaded once, on first
    /// use; Swift makes that thread-safe.
    static let functions: Result<Functions, LoadFailure> = load()

    /// Why the library could not be bound (dlerror's text).
    struct LoadFailure: Error {
        let reason: String
    }

    /// libcrypto.so.3, opened once for every binding of it (the digests here, LibCryptoX509).
    static let library: Result<Library, LoadFailure> = {
        guard let handle = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL) else {
            return .failure(LoadFailure(reason: dlerror().map { String(cString: $0) } ?? "cannot load libcrypto.so.3"))
        }
        return .success(Library(handle: handle))
    }()

    /// The opened library; `bind` looks a function up by name as the C type it has.
    struct Library: @unchecked Sendable {
        let handle: UnsafeMutableRawPointer

        func bind<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(handle, name).map { unsafeBitCast($0, to: type) }
        }
    }

    private static func load() -> Result<Functions, LoadFailure> {
        let library: Library
        switch Self.library {
        case .success(let opened): library = opened
        case .failure(let failure): return .failure(failure)
        }
        guard let contextNew = library.bind("EVP_MD_CTX_new", as: ContextNew.self),
            let contextFree = library.bind("EVP_MD_CTX_free", as: ContextFree.self),
            let sha256 = library.bind("EVP_sha256", as: Digest.self),
            let digestInit = library.bind("EVP_DigestInit_ex", as: DigestInit.self),
            let digestUpdate = library.bind("EVP_DigestUpdate", as: DigestUpdate.self),
            let digestFinal = library.bind("EVP_DigestFinal_ex", as: DigestFinal.self)
        else { return .failure(LoadFailure(reason: "libcrypto.so.3 lacks the EVP digest functions")) }
        return .success(
            Functions(
                contextNew: contextNew, contextFree: contextFree, sha256: sha256, digestInit: digestInit,
                digestUpdate: digestUpdate, digestFinal: digestFinal))
    }
}
