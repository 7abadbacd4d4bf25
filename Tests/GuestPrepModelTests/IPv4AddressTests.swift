import GuestPrepModel
import Testing

@Suite struct IPv4AddressTests {
    @Test(arguments: ["0.0.0.0", "10.1.2.3", "255.255.255.255", "192.168.200.111", "10.0.100.0", "1.20.0.9"])
    func parsesDottedQuad(_ text: String) throws {
        let address = try #require(IPv4Address(text))
        #expect(address.description == text)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "1..2.3", " 1.2.3.4", "0x1.2.3.4", "fe80::1",
                      "1.2.3.4.", ".1.2.3", "1.2.3.", "1.2.3.04", "00.1.2.3", "1.2.3.4 ", "1.2.3.1000", "1.2.3.256",
                      "1.2.3.\u{0664}", "１.2.3.4", "1.2.3.4\n"])
    func rejectsEverythingElse(_ text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test func interfaceArithmetic() throws {
        let interface = IPv4Interface(address: try #require(IPv4Address("192.168.1.77")), prefixLength: 24)
        #expect(interface.network.description == "192.168.1.0")
        #expect(interface.broadcast.description == "192.168.1.255")
        #expect(interface.netmask.description == "255.255.255.0")
        #expect(interface.contains(try #require(IPv4Address("192.168.1.1"))))
        #expect(!interface.contains(try #require(IPv4Address("192.168.2.1"))))
    }

    @Test func overlap() throws {
        let a = IPv4Interface(address: try #require(IPv4Address("10.0.0.5")), prefixLength: 8)
        let b = IPv4Interface(address: try #require(IPv4Address("10.20.0.5")), prefixLength: 16)
        let c = IPv4Interface(address: try #require(IPv4Address("11.0.0.5")), prefixLength: 16)
        #expect(a.overlaps(b) && b.overlaps(a))
        #expect(!a.overlaps(c) && !c.overlaps(b))
    }

    @Test func secretsAreRedacted() {
        let secret = Secret("S3cret!")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect(secret.reveal() == "S3cret!")
        #expect(PropertyKeys.isSecret(PropertyKeys.vcenterPassword))
        #expect(PropertyKeys.isSecret(PropertyKeys.clientAccessToken))
        #expect(PropertyKeys.isSecret("guestinfo.guestprep.repo-password"))
        #expect(!PropertyKeys.isSecret(PropertyKeys.hostname))
        // Any part counts, in any case (SecretKeyRuleTests has the whole table).
        #expect(PropertyKeys.isSecret("guestinfo.guestprep.proxy.API_Token"))
        #expect(PropertyKeys.isSecret("guestinfo.guestprep.ClientSecret"))
        #expect(PropertyKeys.isSecret("guestinfo.token.mode"))
        #expect(!PropertyKeys.isSecret("guestinfo.guestprep.tok"))
        #expect(!PropertyKeys.isSecret(""))
        #expect(Property(key: PropertyKeys.clientAccessToken, value: "tok", source: "vmware").displayValue == "<redacted>")
    }
}

@Suite struct MACAddressTests {
    @Test(arguments: [
        ("00:50:56:AB:cd:EF", ":", "00:50:56:ab:cd:ef"),
        ("00-50-56-ab-cd-ef", "-", "00:50:56:ab:cd:ef"),
    ] as [(String, Character, String)])
    func normalizesToLowerCaseColonPairs(text: String, separator: Character, expected: String) {
        #expect(MACAddress.normalized(text, separator: separator) == expected)
    }

    @Test(arguments: ["", "00:50:56:ab:cd", "00:50:56:ab:cd:ef:01", "0:50:56:ab:cd:ef", "00:50:56:ab:cd:eg",
                      "00-50-56-ab-cd-ef", "00:50:56:ab:cd:ef\n", "００:50:56:ab:cd:ef", "00:50:56:ab:cd:e",
                      "00:50:56:ab:cd:ef:", "00:50:56:ab:cd:ef0", "00::50:56:ab:cd:ef", " 00:50:56:ab:cd:ef"])
    func rejectsAnythingElse(text: String) {
        #expect(MACAddress.normalized(text) == nil)
    }
}
