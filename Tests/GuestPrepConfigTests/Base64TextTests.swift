import GuestPrepConfig
import Testing

/// Base64Text: FoundationEssentials' base64 with white space allowed, against RFC 4648's
/// vectors (section 10).
@Suite struct Base64TextTests {
    private static let vectors = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test func encodesAndDecodesRFC4648sVectors() {
        for (plain, encoded) in Self.vectors {
            #expect(Base64Text.encode(Array(plain.utf8)) == encoded)
            #expect(Base64Text.decode(encoded) == Array(plain.utf8))
        }
        let all = (0...255).map { UInt8($0) }
        #expect(Base64Text.decode(Base64Text.encode(all)) == all)
    }

    @Test func acceptsWhiteSpaceAndLineBreaks() {
        // base64 without -w0 wraps at 76 columns; PEM at 64; a property may be indented.
        #expect(Base64Text.decode("Zm9v\nYmFy\r\n") == Array("foobar".utf8))
        #expect(Base64Text.decode("  Zm9v\tYmFy \n") == Array("foobar".utf8))
        #expect(Base64Text.decode(Array("Zm9v\u{0B}\u{0C}YmFy".utf8)) == Array("foobar".utf8))
    }

    @Test func refusesWhatIsNotBase64() {
        for broken in ["Z", "Zm9vY", "Zg==Zg==", "Z!==", "Zm9v=Zm9v", "Zm9v_mFy", "Zm9v-mFy", "Zm9v\u{E9}", "Zm9vYg"] {
            #expect(Base64Text.decode(broken) == nil, "\(broken)")
        }
    }
}

/// PEMCertificates: the blocks of a PEM file, decoded, and what is wrong with a broken one.
@Suite struct PEMCertificatesTests {
    private static let first = "-----BEGIN CERTIFICATE-----\nMAMCAQ\nE=\n-----END CERTIFICATE-----\n"
    private static let second = "-----BEGIN CERTIFICATE-----\nMAMCAQI=\n-----END CERTIFICATE-----\n"

    private func reason(_ pem: String) -> String? {
        do {
            let certificates = try PEMCertificates.decode(Array(pem.utf8))
            Issue.record("expected an error, got \(certificates)")
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func decodesEveryBlockAndSkipsTheTextAround() throws {
        let pem = "# bundle\n" + Self.first + "subject=CN = other\n" + Self.second
        #expect(try PEMCertificates.decode(Array(pem.utf8)) == [[0x30, 3, 2, 1, 1], [0x30, 3, 2, 1, 2]])
    }

    @Test func saysWhichCertificateIsBrokenAndHow() {
        #expect(reason("") == "it holds no -----BEGIN CERTIFICATE----- block")
        #expect(reason("-----BEGIN CERTIFICATE-----\nMAMC\n") == "certificate 1 (line 1) has no -----END CERTIFICATE----- line")
        #expect(
            reason(Self.first + "-----BEGIN CERTIFICATE-----\nMAM!AQI=\n-----END CERTIFICATE-----\n")
                == "certificate 2 (line 5) is not valid base64")
        #expect(
            reason("-----BEGIN CERTIFICATE-----\nQUJDREVG\n-----END CERTIFICATE-----\n")
                == "certificate 1 (line 1) is not a DER certificate")
    }
}
