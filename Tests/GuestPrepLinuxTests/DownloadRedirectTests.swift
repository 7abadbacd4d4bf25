#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import GuestPrepLinux
import Testing

/// Whether nginx and the openssl CLI (for the test CA) are installed.
private let nginxWithTLS = NginxServer.executable != nil && TestCertificates.executable != nil

/// An https download never follows a redirect off https (issue 18, item 3): real nginx
/// servers, one on https with the test CA that redirects, one on plain http that must never
/// be asked.
@Suite(.serialized, .enabled(if: nginxWithTLS, "needs nginx and the openssl CLI (apt-get install nginx openssl)"))
struct DownloadRedirectTests {
    let directory = TemporaryDirectory()
    let bytes = pseudoRandomBytes(200_000, seed: 11)

    /// The https server (with `locations`) and the http one, both serving driver.run.
    func servers(_ locations: (_ httpOrigin: String) -> [String]) throws -> (https: NginxServer, http: NginxServer) {
        directory.makeDirectories(directory.file("https"))
        directory.makeDirectories(directory.file("http"))
        let http = try NginxServer(prefix: directory.file("http"))
        http.put("driver.run", bytes)
        let https = try NginxServer(prefix: directory.file("https"), certificates: try TestCertificates(in: directory.path))
        https.put("driver.run", bytes)
        https.locations = locations(http.origin)
        try https.start()
        return (https, http)
    }

    func request(_ url: String, _ server: NginxServer) throws -> DownloadRequest {
        DownloadRequest(
            url: url, destination: directory.file("out/driver.run"),
            sha256: try sha256sum(server.prefix + "/html/driver.run"), caFile: server.certificates?.caCertificate,
            attempts: 1, initialBackoff: 0.01)
    }

    func downloadError(_ request: DownloadRequest) -> DownloadError? {
        do {
            _ = try CurlDownloader().download(request) { _ in }
            return nil
        } catch {
            return error as? DownloadError
        }
    }

    @Test func aRedirectFromHTTPSToHTTPIsRefusedWithBothURLsRedacted() throws {
        let (https, http) = try servers { origin in
            // The Location carries credentials too: they are never shown.
            ["location = /driver.run { return 301 \(origin.replacing("http://", with: "http://op:hunter22@"))/driver.run; }"]
        }
        let url = https.origin.replacing("https://", with: "https://user:secret@") + "/driver.run"
        let error = downloadError(try request(url, https))
        #expect(error == .redirectRefused(url: "https://<redacted>@127.0.0.1:\(https.port)/driver.run", location: "http://<redacted>@127.0.0.1:\(http.port)/driver.run"))
        let text = error.map(String.init(describing:)) ?? ""
        #expect(text.contains("stays on https"))
        #expect(!text.contains("secret") && !text.contains("hunter22"))
        // Nothing was asked in clear text, nothing was written.
        #expect(https.accessLog(lines: 1).map { $0.hasPrefix("301 ") } == [true])
        #expect(http.accessLog().isEmpty)
        #expect(statOf(directory.file("out/driver.run")) == nil)
    }

    @Test func aRedirectToAnotherProtocolIsRefused() throws {
        let (https, _) = try servers { _ in ["location = /driver.run { return 302 file:///etc/shadow; }"] }
        let error = downloadError(try request(https.origin + "/driver.run", https))
        #expect(error == .redirectRefused(url: "https://127.0.0.1:\(https.port)/driver.run", location: "file:///etc/shadow"))
        #expect(statOf(directory.file("out/driver.run")) == nil)
    }

    @Test func aRedirectToAnotherHTTPSPathIsFollowed() throws {
        let (https, http) = try servers { _ in ["location = /old.run { return 302 /driver.run; }"] }
        let result = try CurlDownloader().download(try request(https.origin + "/old.run", https)) { _ in }
        #expect(result.bytes == UInt64(bytes.count))
        #expect(readBytes(directory.file("out/driver.run")) == bytes)
        #expect(https.accessLog(lines: 2).map { $0.split(separator: " ").first } == ["302", "200"])
        #expect(http.accessLog().isEmpty)
    }
}
