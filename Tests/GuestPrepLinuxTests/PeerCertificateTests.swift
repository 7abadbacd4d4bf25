@testable import GuestPrepLinux
import Testing

/// A certificate from PEM, and its thumbprints and public-key pin against the openssl CLI's.
@Suite struct PeerCertificateTests {
    @Test func pemWithoutACertificateIsNil() {
        #expect(PeerCertificate(pem: "") == nil)
        #expect(PeerCertificate(pem: "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n") == nil)
        #expect(PeerCertificate(pem: "-----BEGIN CERTIFICATE-----\nZm9v\n") == nil)
        // Base64 that is no DER certificate.
        #expect(PeerCertificate(pem: "-----BEGIN CERTIFICATE-----\nZm9v\n-----END CERTIFICATE-----") == nil)
    }

    @Test func pemGivesTheFirstCertificatesDER() {
        // A SEQUENCE of 3 bytes, wrapped as PEM bodies are, after text and before a second one.
        let pem = "subject=CN = test\n-----BEGIN CERTIFICATE-----\nMAMCAQ\nE=\n-----END CERTIFICATE-----\n"
            + "-----BEGIN CERTIFICATE-----\nMAMCAQI=\n-----END CERTIFICATE-----\n"
        #expect(PeerCertificate(pem: pem) == PeerCertificate(der: [0x30, 0x03, 0x02, 0x01, 0x01]))
    }

    @Test(.enabled(if: TestCertificates.executable != nil, "needs the openssl CLI (apt-get install openssl)"))
    func thumbprintsAndPinAreOpenSSLs() throws {
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
