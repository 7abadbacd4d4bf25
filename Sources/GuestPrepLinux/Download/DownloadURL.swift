import GuestPrepModel

/// The parts of a download URL guestprep needs without parsing it fully (libcurl does that),
/// and the form of it that may be shown: never with its `user:password@` part.
enum DownloadURL {
    /// The schemes guestprep downloads from.
    static let schemes: Set<String> = ["https", "http", "file"]

    /// The scheme in lower case ("https"), or nil when `url` has no `scheme://`.
    static func scheme(of url: String) -> String? {
        guard let separator = url.firstRange(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound]
        guard let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return nil }
        return scheme.lowercased()
    }

    /// `url` as it may be shown: its user-info replaced as everywhere else in guestprep
    /// (`https://user:secret@host/x` → `https://<redacted>@host/x`, `URLRedaction`); a URL
    /// without `scheme://` is treated as starting with its authority.
    static func redacted(_ url: String) -> String {
        if scheme(of: url) != nil { return URLRedaction.redacted(url) }
        let stripped = withoutUserInfo(url)
        return stripped == url ? url : PropertyKeys.redacted + "@" + stripped
    }

    /// `url` without the user-info of its authority (`https://user:secret@host/x` →
    /// `https://host/x`).
    static func withoutUserInfo(_ url: String) -> String {
        let authorityStart = url.firstRange(of: "://")?.upperBound ?? url.startIndex
        let rest = url[authorityStart...]
        let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? url.endIndex
        guard let at = url[authorityStart..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<authorityStart]) + String(url[url.index(after: at)...])
    }

    /// The user-info of `url` (`user:secret`), or nil.
    static func userInfo(of url: String) -> String? {
        let authorityStart = url.firstRange(of: "://")?.upperBound ?? url.startIndex
        let rest = url[authorityStart...]
        let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? url.endIndex
        guard let at = url[authorityStart..<authorityEnd].lastIndex(of: "@") else { return nil }
        return String(url[authorityStart..<at])
    }

    /// `text` (a message from libcurl about `url`) with the URL's user-info, and its password
    /// on its own, replaced by `<redacted>`, in case the message quotes them.
    static func scrub(_ text: String, url: String) -> String {
        guard let userInfo = userInfo(of: url), !userInfo.isEmpty else { return text }
        var scrubbed = text.replacing(userInfo, with: "<redacted>")
        if let colon = userInfo.firstIndex(of: ":") {
            let password = userInfo[userInfo.index(after: colon)...]
            // A one- or two-character password would match ordinary text; it is too weak to
            // protect anyway.
            if password.count >= 3 { scrubbed = scrubbed.replacing(password, with: "<redacted>") }
        }
        return scrubbed
    }

    /// The host (without brackets for IPv6) and port the URL names, the port defaulting to the
    /// scheme's; nil for `file://` or without a host.
    static func hostAndPort(of url: String) -> (host: String, port: Int)? {
        guard let scheme = scheme(of: url), scheme == "http" || scheme == "https" else { return nil }
        let shown = withoutUserInfo(url)
        guard let start = shown.firstRange(of: "://")?.upperBound else { return nil }
        let rest = shown[start...]
        let authority = rest[..<(rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex)]
        let defaultPort = scheme == "https" ? 443 : 80
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            let port = after.hasPrefix(":") ? Int(after.dropFirst()) ?? defaultPort : defaultPort
            return host.isEmpty ? nil : (host, port)
        }
        let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let host = parts.first, !host.isEmpty else { return nil }
        let port = parts.count == 2 ? Int(parts[1]) ?? defaultPort : defaultPort
        return (String(host), port)
    }
}
