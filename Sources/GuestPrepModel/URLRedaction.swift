/// URLs as guestprep shows them: a `user:password@` part is replaced, so no credential given
/// in a URL reaches a plan, a log or a message.
public enum URLRedaction {
    /// `url` with any user-info before the host shown as `<redacted>@`.
    public static func redacted(_ url: String) -> String {
        let characters = Array(url)
        guard let colon = characters.firstIndex(of: ":"), characters.count > colon + 2,
            characters[colon + 1] == "/", characters[colon + 2] == "/"
        else { return url }
        let authorityStart = colon + 3
        var authorityEnd = authorityStart
        while authorityEnd < characters.count, !"/?#".contains(characters[authorityEnd]) { authorityEnd += 1 }
        guard let at = characters[authorityStart..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(characters[..<authorityStart]) + PropertyKeys.redacted + String(characters[at...])
    }
}
