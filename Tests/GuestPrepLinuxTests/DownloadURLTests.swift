@testable import GuestPrepLinux
import Testing

/// What of a download URL may be shown, and the parts the downloader reads from it.
@Suite struct DownloadURLTests {
    @Test func userInfoIsRemoved() {
        #expect(DownloadURL.redacted("https://user:secret@example.com/x?y=1") == "https://<redacted>@example.com/x?y=1")
        #expect(DownloadURL.redacted("http://user@example.com:8080") == "http://<redacted>@example.com:8080")
        #expect(DownloadURL.redacted("https://a:b@c@[::1]:8443/p@q") == "https://<redacted>@[::1]:8443/p@q")
        #expect(DownloadURL.redacted("https://example.com/a@b") == "https://example.com/a@b")
        #expect(DownloadURL.redacted("user:secret@host/x") == "<redacted>@host/x")
        #expect(DownloadURL.redacted("file:///srv/driver.run") == "file:///srv/driver.run")
    }

    @Test func schemeIsLowerCased() {
        #expect(DownloadURL.scheme(of: "HTTPS://example.com/") == "https")
        #expect(DownloadURL.scheme(of: "file:///x") == "file")
        #expect(DownloadURL.scheme(of: "example.com/x") == nil)
        #expect(DownloadURL.scheme(of: "://x") == nil)
    }

    @Test func hostAndPortDefaultToTheScheme() {
        #expect(DownloadURL.hostAndPort(of: "https://u:p@example.com/x").map { "\($0.host) \($0.port)" } == "example.com 443")
        #expect(DownloadURL.hostAndPort(of: "http://10.0.0.1:8080").map { "\($0.host) \($0.port)" } == "10.0.0.1 8080")
        #expect(DownloadURL.hostAndPort(of: "http://[fe80::1]:81/x").map { "\($0.host) \($0.port)" } == "fe80::1 81")
        #expect(DownloadURL.hostAndPort(of: "file:///x") == nil)
    }

    @Test func libcurlMessagesAreScrubbed() {
        let url = "https://admin:hunter2@example.com/x"
        #expect(DownloadURL.scrub("bad admin:hunter2 and hunter2", url: url) == "bad <redacted> and <redacted>")
        #expect(DownloadURL.scrub("Could not resolve host: example.com", url: url) == "Could not resolve host: example.com")
    }
}
