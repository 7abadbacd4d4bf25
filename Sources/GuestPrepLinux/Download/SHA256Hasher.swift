#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore

/// An incremental SHA-256, computed by libcrypto (bound on first use, see `LibCrypto`).
///
/// Not thread-safe: one hasher belongs to one transfer or one file read at a time.
public final class SHA256Hasher {
    private let functions: LibCrypto.Functions
    private let context: OpaquePointer

    /// A hasher over no bytes yet. Throws `DownloadError.libraryMissing` when libcrypto.so.3
    /// cannot be loaded.
    public init() throws(DownloadError) {
        let functions: LibCrypto.Functions
        switch LibCrypto.functions {
        case .success(let bound): functions = bound
        case .failure(let failure): throw .libraryMissing("no SHA-256: \(failure.reason)")
        }
        guard let context = functions.contextNew() else {
            throw .libraryMissing("no SHA-256: EVP_MD_CTX_new failed")
        }
        self.functions = functions
        self.context = context
        reset()
    }

    deinit { functions.contextFree(context) }

    /// Starts over, as if no bytes had been added.
    public func reset() {
        // Fails only when out of memory or with a broken libcrypto; then nothing can be trusted.
        precondition(functions.digestInit(context, functions.sha256(), nil) == 1, "EVP_DigestInit_ex failed")
    }

    /// Adds `bytes` to the hash.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        precondition(functions.digestUpdate(context, bytes.baseAddress, bytes.count) == 1, "EVP_DigestUpdate failed")
    }

    /// Adds `bytes` to the hash.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The SHA-256 of every byte added since the last reset, as 64 lower-case hex digits; the
    /// hasher then starts over.
    public func finish() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        precondition(functions.digestFinal(context, &digest, &length) == 1 && length == 32, "EVP_DigestFinal_ex failed")
        reset()
        return Self.hex(digest)
    }

    /// Adds everything `fd` reads from its current offset to the end; returns the bytes read,
    /// or the errno of a failing read.
    func update(readingToEndOf fd: Int32) -> Result<UInt64, ReadFailure> {
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        var total: UInt64 = 0
        while true {
            let count = Posix.readSome(fd, buffer)
            if count < 0 { return .failure(ReadFailure(code: errno)) }
            if count == 0 { return .success(total) }
            update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            total += UInt64(count)
        }
    }

    /// The errno of a failed read.
    struct ReadFailure: Error {
        var code: Int32
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
