/// Which property keys hold secrets: the one rule behind every redaction — `properties`, plans,
/// logs and journal fields, the messages the validator writes, what is cleared from guestinfo,
/// and so what a support bundle or a published status may carry.
///
/// A key is secret when it is one of guestprep's documented secrets, or when any word of it
/// names a password, token or secret: the key is split into words at dots, at every other
/// character that is not a letter or a digit (`-`, `_`), at camelCase humps (`resetPassword`,
/// `APIToken` → `API`, `Token`) and between letters and digits (`csr1000v`); a word that is, or
/// ends in (`accesstoken`, `adminpassword`), `password`, `passwd`, `passphrase`, `token` or
/// `secret` (or their plurals), in any case, makes the key secret. Every part of the key counts,
/// not only the last: `com.cisco.csr1000v.login-password.1` is a numbered password.
///
/// Words alone cannot tell a flag *about* a secret from the secret itself (`resetPassword` and
/// `setPassword` read alike), so the rule errs towards redaction and exempts only keys whose
/// meaning a primary source documents as not secret (`notSecret`).
public enum SecretKeyRule {
    /// guestprep's own secrets (DESIGN.md, "Properties"): whatever their words say.
    public static let documented: Set<String> = [
        PropertyKeys.vcenterPassword, PropertyKeys.clientAccessToken, PropertyKeys.bitfusionTokenArchive,
        PropertyKeys.bitfusionTokenArchiveURL, PropertyKeys.vgpuClientConfigToken,
    ]

    /// Keys that name a secret in their words but hold none, each with its source.
    /// - `vCloud_resetPassword`: VMware Cloud Director's guest customization puts its
    ///   GuestCustomizationSection's `ResetPasswordRequired` (xs:boolean, "require the
    ///   administrator to change the password at first login") into the OVF environment as
    ///   `0` or `1`. Sources: the API reference of GuestCustomizationSectionType
    ///   (https://vdc-repo.vmware.com/vmwb-repository/dcr-public/76f491b4-679c-4e1e-8428-f813d668297a/a2555a1b-22f1-4cca-b481-2a98ab874022/doc/doc/types/GuestCustomizationSectionType.html:
    ///   "ResetPasswordRequired | boolean | Flag to require reseting of password"), and OVF
    ///   environments captured from Cloud Director VMs, which carry
    ///   `<Property oe:key="vCloud_resetPassword" oe:value="0"/>`. The password itself travels
    ///   as `vCloud_adminPassword`, which stays secret. (`vCloud_reconfigToken`, a number that
    ///   changes with each reconfiguration, is redacted by its words: harmless, and not exempted
    ///   without a source saying it is no credential.)
    public static let notSecret: Set<String> = ["vCloud_resetPassword"]

    /// What a word of a secret key is, or ends in, lower-cased.
    static let secretWords: [[UInt8]] = [
        "password", "passwords", "passwd", "passphrase", "passphrases", "token", "tokens", "secret", "secrets",
    ].map { Array($0.utf8) }

    /// Whether `key`'s value must never be shown.
    public static func isSecret(_ key: String) -> Bool {
        if documented.contains(key) { return true }
        if notSecret.contains(key) { return false }
        // Bytes, not String APIs: this runs for every key of every run, on the boot path, and
        // the generic Unicode machinery costs more than all of validation (callgrind).
        var key = key
        return key.withUTF8 { hasSecretWord($0) }
    }

    /// The words of `key` as the rule splits them, lower-cased (for tests and messages).
    public static func words(_ key: String) -> [String] {
        var key = key
        return key.withUTF8 { bytes in
            var words: [String] = []
            forEachWord(bytes) { words.append(String(decoding: $0.map(lower), as: UTF8.self)) }
            return words
        }
    }

    private static func hasSecretWord(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var found = false
        forEachWord(bytes) { word in
            guard !found else { return }
            found = secretWords.contains { endsWith(word, $0) }
        }
        return found
    }

    /// Calls `body` with each word of `bytes` (a slice of it), left to right.
    private static func forEachWord(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Slice<UnsafeBufferPointer<UInt8>>) -> Void) {
        var start: Int?
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard isWordByte(byte) else {
                if let begun = start { body(bytes[begun..<index]) }
                start = nil
                continue
            }
            if let begun = start, index > begun, startsWord(bytes, at: index) {
                body(bytes[begun..<index])
                start = index
            } else if start == nil {
                start = index
            }
        }
        if let begun = start { body(bytes[begun..<bytes.count]) }
    }

    /// Whether a new word starts at `index` inside a run of word bytes.
    private static func startsWord(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let previous = bytes[index - 1]
        let byte = bytes[index]
        if isDigit(previous) != isDigit(byte) { return true }
        if isUpper(byte) {
            if isLower(previous) { return true }
            // The last capital of a run that goes on in lower case starts the next word: APIToken.
            if isUpper(previous), index + 1 < bytes.count, isLower(bytes[index + 1]) { return true }
        }
        return false
    }

    private static func endsWith(_ word: Slice<UnsafeBufferPointer<UInt8>>, _ suffix: [UInt8]) -> Bool {
        guard word.count >= suffix.count else { return false }
        var index = word.endIndex - suffix.count
        for byte in suffix {
            guard lower(word[index]) == byte else { return false }
            index += 1
        }
        return true
    }

    /// ASCII letters and digits, and every non-ASCII byte (a UTF-8 letter is part of a word).
    private static func isWordByte(_ byte: UInt8) -> Bool { isUpper(byte) || isLower(byte) || isDigit(byte) || byte >= 0x80 }
    private static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
    private static func isLower(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func lower(_ byte: UInt8) -> UInt8 { isUpper(byte) ? byte | 0x20 : byte }
}
