@testable import GuestPrepLinux
import Testing

/// Base64 against RFC 4648's vectors, and a certificate's thumbprints and public-key pin
/// against the openssl CLI's.
@Suite struct PeerCertificateTests {
    @Test func base64OfRFC4648sVectors() {
        let vectors = [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(Array(encoded.utf8)) == Array(plain.utf8))
        }
        let all = (0...255).map { UInt8($0) }
        #expect(Base64.decode(Array(Base64.encode(all).utf8)) == all)
        // PEM's line ends are skipped.
        #expect(Base64.decode(Array("Zm9v\nYmFy\r\n".utf8)) == Array("foobar".utf8))
    }

    @Test func brokenBase64IsRefused() {
        for broken in ["Z", "Zg=", "Zm9vY", "Zg==Zg==", "Z!==", "Zg===", "Zm9v=Zm9v"] {
            #expect(Base64.decode(Array(broken.utf8)) == nil, "\(broken)")
        }
    }

    @Test func pemWithoutACertificateIsNil() {
        #expect(PeerCertificate(pem: "") == nil)
        #expect(PeerCertificate(pem: "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n") == nil)
        #expect(PeerCertificate(pem: "-----BEGIN CERTIFICATE-----\nZm9v\n") == nil)
        #expect(PeerCertificate(pem: "-----BEGIN CERTIFICATE-----\nZm9v\n-----END CERTIFICATE-----") == PeerCertificate(der: Array("foo".utf8)))
    }

    @Test func thumbprintsAndPinAreOpenSSLs() throws {
        if TestCertificates.executable == nil {
            print("skipped: thumbprintsAndPinAreOpenSSLs needs the openssl CLI (apt-get install openssl)")
            return
        }
        let directory = TemporaryDirectory()
        let issued = try TestPKI(in: directory.path).selfSigned("server", subjectAltName: "IP:127.0.0.1")
        let certificate = try #require(PeerCertificate(pem: readText(issued.certificate)))
        #expect(try certificate.thumbprint(.sha256) == TestPKI.thumbprint(issued.certificate, digest: "sha256"))
        #expect(try certificate.thumbprint(.sha1) == TestPKI.thumbprint(issued.certificate, digest: "sha1"))
        #expect(try certificate.publicKeyPin() == TestPKI.publicKeyPin(issued.certificate, in: directory.path))
    }

    @Test func bytesThatAreNotACertificateHaveNoPublicKey() throws {
        #expect(throws: PeerCertificate.Failure.self) { try PeerCertificate(der: Array("foo".utf8)).publicKeyPin() }
        // A digest needs no parsing.
        #expect(try PeerCertificate(der: Array("abc".utf8)).thumbprint(.sha256) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try PeerCertificate(der: Array("abc".utf8)).thumbprint(.sha1) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    @Test func theThumbprintsLengthNamesItsAlgorithm() {
        #expect(PeerCertificate.Algorithm(hexDigits: 64) == .sha256)
        #expect(PeerCertificate.Algorithm(hexDigits: 40) == .sha1)
        #expect(PeerCertificate.Algorithm(hexDigits: 32) == nil)
    }
}
