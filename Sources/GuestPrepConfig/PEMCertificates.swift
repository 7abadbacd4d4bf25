/// The certificates of a PEM file: each `-----BEGIN CERTIFICATE-----` block, ended by its
/// `-----END CERTIFICATE-----` line, whose base64 body (``Base64Text``) decodes to a DER
/// SEQUENCE. Text around the blocks (OpenSSL's `subject=` lines, comments) is ignored. Used for
/// the token archive's ca.crt and for the certificates libcurl hands over.
public enum PEMCertificates {
    static let begin = Array("-----BEGIN CERTIFICATE-----".utf8)
    static let end = Array("-----END CERTIFICATE-----".utf8)

    /// The DER bytes of every certificate of `pem`, in order.
    ///
    /// - Throws: ``PEMError`` saying which certificate (by number and line) is broken, or that
    ///   there is none; it never quotes the file.
    public static func decode(_ pem: [UInt8]) throws(PEMError) -> [[UInt8]] {
        var certificates: [[UInt8]] = []
        var searchFrom = 0
        while let start = find(begin, in: pem, from: searchFrom) {
            let number = certificates.count + 1
            let line = self.line(of: start, in: pem)
            let bodyStart = start + begin.count
            guard let stop = find(end, in: pem, from: bodyStart) else {
                throw PEMError("certificate \(number) (line \(line)) has no -----END CERTIFICATE----- line")
            }
            guard let der = Base64Text.decode(pem[bodyStart..<stop]) else {
                throw PEMError("certificate \(number) (line \(line)) is not valid base64")
            }
            guard der.count > 2, der[0] == 0x30 else {
                throw PEMError("certificate \(number) (line \(line)) is not a DER certificate")
            }
            certificates.append(der)
            searchFrom = stop + end.count
        }
        guard !certificates.isEmpty else { throw PEMError("it holds no -----BEGIN CERTIFICATE----- block") }
        return certificates
    }

    /// The index where `needle` starts in `haystack` at or after `from`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard haystack.count - from >= needle.count else { return nil }
        var index = from
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// The 1-based line of byte `offset`.
    private static func line(of offset: Int, in bytes: [UInt8]) -> Int {
        bytes[..<offset].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
    }
}

/// What is wrong with a PEM file of certificates.
public struct PEMError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
