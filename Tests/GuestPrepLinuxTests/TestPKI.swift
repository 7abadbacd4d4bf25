#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepLinux

/// Certificate authorities and certificates made with the openssl CLI in one directory, for
/// the vCenter and TLS probe tests: RSA 2048 (what vcsim-lite's Go TLS and Debian's OpenSSL
/// both accept), valid for two days.
struct TestPKI {
    /// A certificate and its key, as PEM file paths.
    struct Issued {
        let certificate: String
        let key: String
    }

    let directory: String

    init(in directory: String) { self.directory = directory }

    /// A CA named `name` (`CN=guestprep test CA name`), self-signed.
    func authority(_ name: String) throws -> Issued {
        let issued = paths(name)
        try Self.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", issued.key, "-out", issued.certificate, "-days", "2",
            "-subj", "/CN=guestprep test CA \(name)", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        return issued
    }

    /// A server certificate `name` for `subjectAltName` (`IP:127.0.0.1, DNS:localhost`) signed
    /// by `authority`.
    func server(_ name: String, subjectAltName: String, signedBy authority: Issued) throws -> Issued {
        let issued = paths(name)
        let extensions = directory + "/\(name).ext"
        writeFile(
            extensions,
            Array("""
                subjectAltName = \(subjectAltName)
                basicConstraints = critical, CA:FALSE
                keyUsage = critical, digitalSignature, keyEncipherment
                extendedKeyUsage = serverAuth

                """.utf8))
        try Self.openssl([
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", issued.key, "-out", directory + "/\(name).csr",
            "-subj", "/CN=\(name)",
        ])
        try Self.openssl([
            "x509", "-req", "-in", directory + "/\(name).csr", "-CA", authority.certificate, "-CAkey", authority.key,
            "-set_serial", "\(Int.random(in: 2..<Int(Int32.max)))", "-days", "2", "-extfile", extensions, "-out",
            issued.certificate,
        ])
        return issued
    }

    /// A self-signed server certificate `name` for `subjectAltName`, as a vCenter Server's
    /// own certificate may be.
    func selfSigned(_ name: String, subjectAltName: String) throws -> Issued {
        let issued = paths(name)
        try Self.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", issued.key, "-out", issued.certificate, "-days", "2",
            "-subj", "/CN=\(name)", "-addext", "subjectAltName=\(subjectAltName)",
        ])
        return issued
    }

    /// The certificate's thumbprint as openssl computes it (`sha256` or `sha1`): lower-case
    /// hex, no colons.
    static func thumbprint(_ certificate: String, digest: String) throws -> String {
        let output = try openssl(["x509", "-in", certificate, "-noout", "-fingerprint", "-" + digest])
        // "sha256 Fingerprint=AB:CD:..."
        guard let equals = output.firstIndex(of: "=") else { throw NginxServer.Failure(description: "openssl: \(output)") }
        return String(output[output.index(after: equals)...].filter { $0.isHexDigit }).lowercased()
    }

    /// `sha256//BASE64` of the certificate's public key, as openssl computes it.
    static func publicKeyPin(_ certificate: String, in directory: String) throws -> String {
        let publicKey = directory + "/pin-pubkey.pem"
        let der = directory + "/pin-pubkey.der"
        let digest = directory + "/pin-pubkey.sha256"
        _ = try openssl(["x509", "-in", certificate, "-noout", "-pubkey", "-out", publicKey])
        _ = try openssl(["pkey", "-pubin", "-in", publicKey, "-outform", "DER", "-out", der])
        _ = try openssl(["dgst", "-sha256", "-binary", "-out", digest, der])
        let base64 = try openssl(["base64", "-A", "-in", digest])
        return "sha256//" + base64.filter { !$0.isWhitespace }
    }

    private func paths(_ name: String) -> Issued {
        Issued(certificate: directory + "/\(name).pem", key: directory + "/\(name).key")
    }

    /// Runs openssl; its standard output.
    @discardableResult
    static func openssl(_ arguments: [String]) throws -> String {
        guard let executable = TestCertificates.executable else {
            throw NginxServer.Failure(description: "the openssl CLI is missing (apt-get install openssl)")
        }
        let result = try PosixProcessRunner().run(executable: executable, arguments: arguments, timeout: 60)
        guard result.status == 0 else {
            throw NginxServer.Failure(description: "openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(result.errorText)")
        }
        return result.outputText
    }
}
