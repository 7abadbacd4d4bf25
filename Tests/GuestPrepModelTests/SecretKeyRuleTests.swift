import GuestPrepModel
import Testing

@Suite struct SecretKeyRuleTests {
    /// Keys and whether their values are redacted.
    static let table: [(String, Bool)] = [
        // issue 18: a password in a part that is not the last.
        ("com.cisco.csr1000v.login-password.1", true),
        // issue 18: vCloud Director's flag (0/1) whether to reset the password; not the password.
        ("vCloud_resetPassword", false),
        ("vCloud_adminPassword", true),
        // guestprep's documented secrets.
        (PropertyKeys.vcenterPassword, true),
        (PropertyKeys.clientAccessToken, true),
        (PropertyKeys.bitfusionTokenArchive, true),
        (PropertyKeys.bitfusionTokenArchiveURL, true),
        // Words at '-', '_', camelCase and digits; compounds that end in a secret word.
        ("guestinfo.guestprep.repo-password", true),
        ("guestinfo.guestprep.proxy.API_Token", true),
        ("guestinfo.guestprep.APIToken", true),
        ("guestinfo.guestprep.ClientSecret", true),
        ("guestinfo.admin.passwd", true),
        ("guestinfo.luks.passphrase", true),
        ("guestinfo.apitokens", true),
        ("guestinfo.rootpassword", true),
        ("guestinfo.token.mode", true),
        ("guestinfo.secrets.0.value", true),
        ("guestinfo.PASSWORD", true),
        ("guestinfo.password2", true),
        // Not a secret word: a prefix, another word, a word that only contains one.
        (PropertyKeys.hostname, false),
        (PropertyKeys.vcenterUsername, false),
        (PropertyKeys.vcenterThumbprint, false),
        ("guestinfo.guestprep.tok", false),
        ("guestinfo.ssh.passwordless", false),
        ("guestinfo.tokenizer", false),
        ("guestinfo.secretary.name", false),
        ("vCloud_computerName", false),
        ("", false),
    ]

    @Test(arguments: table)
    func keyIsRedactedOrNot(_ key: String, _ secret: Bool) {
        #expect(PropertyKeys.isSecret(key) == secret, "\(key): words \(SecretKeyRule.words(key))")
        let shown = Property(key: key, value: "v4lue", source: "file:/p").displayValue
        #expect((shown == PropertyKeys.redacted) == secret)
    }

    @Test func keysSplitIntoWords() {
        #expect(SecretKeyRule.words("com.cisco.csr1000v.login-password.1") == ["com", "cisco", "csr", "1000", "v", "login", "password", "1"])
        #expect(SecretKeyRule.words("vCloud_resetPassword") == ["v", "cloud", "reset", "password"])
        #expect(SecretKeyRule.words("guestinfo.APIToken") == ["guestinfo", "api", "token"])
        #expect(SecretKeyRule.words("a..b--c") == ["a", "b", "c"])
        #expect(SecretKeyRule.words("") == [])
    }

    @Test func theExemptionIsExact() {
        // Only the documented spelling: another key with the same words stays secret.
        #expect(PropertyKeys.isSecret("vcloud_resetpassword"))
        #expect(PropertyKeys.isSecret("guestinfo.vCloud_resetPassword"))
    }
}

@Suite struct KnownSecretKeysTests {
    /// The validator reads these with `secret(_:)` and every other known key as plain text
    /// (ValidationContext's precondition): the rule must keep exactly these secret.
    @Test func exactlyTheseKnownKeysAreSecret() {
        #expect(
            PropertyKeys.all.filter(PropertyKeys.isSecret) == [
                PropertyKeys.vcenterPassword, PropertyKeys.clientAccessToken, PropertyKeys.bitfusionTokenArchive,
                PropertyKeys.bitfusionTokenArchiveURL, PropertyKeys.bitfusionTokenArchiveSHA256,
                PropertyKeys.vgpuClientConfigToken,
            ])
    }
}
