import GuestPrepConfig
import GuestPrepModel
import Testing

/// SecretScrubber over whole files, as the support bundle uses it: known values in every
/// escaped form, and the values of keys that name a secret in each text format.
@Suite struct SecretScrubberTextTests {
    private func scrub(_ text: String, _ secrets: [String] = []) -> String {
        SecretScrubber.scrub(text: text, secrets: secrets)
    }

    @Test func knownValuesAreReplacedWhereverTheyStand() {
        let text = "Nov 21 host kernel: something s3cr3t-value here\nurl=https://x/s3cr3t-value\n"
        #expect(scrub(text, ["s3cr3t-value"]) == "Nov 21 host kernel: something <redacted> here\nurl=https://x/<redacted>\n")
    }

    @Test func knownValuesInTheirEscapedForms() {
        let secret = #"pa"ss\w<rd>&"#
        let json = #"{"note": "pa\"ss\\w<rd>&"}"#
        let xml = "<note>pa&quot;ss\\w&lt;rd&gt;&amp;</note>"
        #expect(!scrub(json, [secret]).contains("ss\\\\w"))
        #expect(scrub(json, [secret]) == #"{"note": "<redacted>"}"#)
        #expect(scrub(xml, [secret]) == "<note><redacted></note>")
    }

    @Test func aSecretContainingAnotherIsReplacedWhole() {
        #expect(scrub("x abcdefgh y", ["abcd", "abcdefgh"]) == "x <redacted> y")
    }

    @Test func shortValuesAreNotReplaced() {
        // A three-character "secret" would blank out ordinary words.
        #expect(scrub("the cat sat", ["cat"]) == "the cat sat")
    }

    @Test func keyValueLines() {
        #expect(scrub("VCENTER_PASSWORD=hunter2") == "VCENTER_PASSWORD=<redacted>")
        #expect(scrub("export API_TOKEN=\"abc def\" # set") == "export API_TOKEN=\"<redacted>\" # set")
        #expect(scrub("GUESTPREP_ARGS=\"--source vmware\" db_secret='x y z'") == "GUESTPREP_ARGS=\"--source vmware\" db_secret='<redacted>'")
        #expect(scrub("guestinfo.bitfusion.client.accesstoken=tok-1") == "guestinfo.bitfusion.client.accesstoken=<redacted>")
        // Keys that name no secret keep their values.
        #expect(scrub("Address=10.0.0.5/24\nMTU=9000") == "Address=10.0.0.5/24\nMTU=9000")
    }

    @Test func journalLines() {
        let line = "2026-12-05T10:00:00+0000 vm guestprep[412]: enrolling vcenter-password=Hunter2! user=admin"
        #expect(scrub(line) == "2026-12-05T10:00:00+0000 vm guestprep[412]: enrolling vcenter-password=<redacted>")
        let rpctool = "ran vmware-rpctool info-set guestinfo.bitfusion.client.accesstoken tok-abc123"
        #expect(scrub(rpctool) == "ran vmware-rpctool info-set guestinfo.bitfusion.client.accesstoken <redacted>")
    }

    @Test func yaml() {
        let text = """
            user: bitfusion-client-7f3a
            token: bf-client-credential
            nested:
              password: "quoted value"
              secrets:
                - one-secret
                - two-secret
              name: kept
            key: |
              not a secret
            client_token: >
              folded secret
              more of it
            after: kept
            """
        let expected = """
            user: bitfusion-client-7f3a
            token: <redacted>
            nested:
              password: "<redacted>"
              secrets:
                <redacted>
                <redacted>
              name: kept
            key: |
              not a secret
            client_token: >
              <redacted>
              <redacted>
            after: kept
            """
        #expect(scrub(text) == expected)
    }

    @Test func json() {
        let text = """
            {
              "accessToken" : "abc\\"def",
              "count" : 3,
              "vcenter_password": 12345678,
              "message" : "ok"
            }
            """
        let expected = """
            {
              "accessToken" : "<redacted>",
              "count" : 3,
              "vcenter_password": <redacted>
              "message" : "ok"
            }
            """
        #expect(scrub(text) == expected)
        #expect(scrub(#"{"token":"t-1","a":"b"}"#) == #"{"token":"<redacted>","a":"b"}"#)
    }

    @Test func xml() {
        let ovf = #"<Property oe:key="guestinfo.bitfusion.server.vcenter-password" oe:value="V&amp;pw"/>"#
        #expect(scrub(ovf) == #"<Property oe:key="guestinfo.bitfusion.server.vcenter-password" oe:value="<redacted>"/>"#)
        let plain = #"<Property oe:key="guestinfo.bitfusion.host.hostname" oe:value="gpu-01"/>"#
        #expect(scrub(plain) == plain)
        #expect(scrub("<cfg:Password>pw-123</cfg:Password><user>u</user>") == "<cfg:Password><redacted></cfg:Password><user>u</user>")
        #expect(scrub(#"<login user="u" password="p w"/>"#) == #"<login user="u" password="<redacted>"/>"#)
    }

    @Test func secretValuesAreFoundForScrubbingElsewhere() {
        let yaml = "user: bitfusion-client-7f3a\ntoken: bf-client-credential-Qm9v\npassword: \"q-value\"\n"
        #expect(SecretScrubber.secretValues(in: yaml) == ["bf-client-credential-Qm9v", "q-value"])
    }

    @Test func secretsOfProperties() {
        let properties = PropertySet([
            Property(key: PropertyKeys.vcenterPassword, value: " pw-with-space ", source: "test"),
            Property(key: PropertyKeys.hostname, value: "gpu-node-01", source: "test"),
        ])
        #expect(SecretScrubber.secrets(in: properties) == [" pw-with-space ", "pw-with-space"])
    }
}
