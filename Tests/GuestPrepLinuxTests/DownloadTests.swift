#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import GuestPrepLinux
import Synchronization
import Testing

/// Whether nginx is installed (`apt-get install nginx`), and with it the openssl CLI for the
/// test CA (`apt-get install openssl`).
private let hasNginx = NginxServer.executable != nil
private let hasNginxAndOpenSSL = hasNginx && TestCertificates.executable != nil

/// A temporary directory with an nginx serving `nginx/html`, and a destination under `out/`
/// (which does not exist yet: the downloader creates it).
private final class Fixture {
    let directory = TemporaryDirectory()
    let server: NginxServer
    let downloader = CurlDownloader()
    var destination: String { directory.file("out/driver.run") }
    var partial: String { destination + ".partial" }

    init(tls: Bool = false) throws {
        directory.makeDirectories(directory.file("nginx"))
        let certificates = tls ? try TestCertificates(in: directory.path) : nil
        server = try NginxServer(prefix: directory.file("nginx"), certificates: certificates)
    }

    /// Puts `bytes` on the server at `relative`; returns its SHA-256 (from sha256sum).
    func serve(_ relative: String, _ bytes: [UInt8]) throws -> String {
        server.put(relative, bytes)
        return try sha256sum(server.prefix + "/html/" + relative)
    }

    func request(_ path: String, sha256: String, attempts: Int = 1, mode: UInt32 = 0o644) -> DownloadRequest {
        DownloadRequest(
            url: server.origin + path, destination: destination, sha256: sha256,
            caFile: server.certificates?.caCertificate, attempts: attempts, initialBackoff: 0.01, mode: mode)
    }
}

/// The progress reports of one download.
private final class ProgressLog: @unchecked Sendable {
    private let reports = Mutex<[DownloadProgress]>([])
    var all: [DownloadProgress] { reports.withLock { $0 } }
    func record(_ progress: DownloadProgress) { reports.withLock { $0.append(progress) } }
}

/// The error `body` throws, or nil.
private func downloadError(_ body: () throws -> Void) -> DownloadError? {
    do {
        try body()
        return nil
    } catch let error as DownloadError {
        return error
    } catch {
        Issue.record("not a DownloadError: \(error)")
        return nil
    }
}

private let zeroChecksum = String(repeating: "0", count: 64)

/// CurlDownloader against real nginx servers, one test at a time: each test starts its own
/// server, the kill-and-resume tests depend on timing, and the proxy test changes the
/// environment libcurl reads.
@Suite(.serialized) struct DownloadTests {
    @Test(.enabled(if: hasNginx, "needs nginx (apt-get install nginx)"))
    func fullDownloadOverHTTP() throws {
        let fixture = try Fixture()
        let bytes = pseudoRandomBytes(3 << 20 + 17)
        let checksum = try fixture.serve("driver.run", bytes)
        let progress = ProgressLog()
        let result = try fixture.downloader.download(fixture.request("/driver.run", sha256: checksum, mode: 0o750)) {
            progress.record($0)
        }
        #expect(result == DownloadResult(bytes: UInt64(bytes.count), fetched: UInt64(bytes.count), attempts: 1))
        #expect(readBytes(fixture.destination) == bytes)
        #expect(try sha256sum(fixture.destination) == checksum)
        #expect(statOf(fixture.destination).map { $0.st_mode & 0o7777 } == 0o750)
        #expect(statOf(fixture.directory.file("out")).map { $0.st_mode & 0o7777 } == 0o755)
        #expect(statOf(fixture.partial) == nil)
        #expect(fixture.server.accessLog(lines: 1) == ["200 \(bytes.count) \"-\" \"GET /driver.run HTTP/1.1\""])
        // Ends with the whole size, never goes back.
        let reports = progress.all
        #expect(reports.last == DownloadProgress(received: UInt64(bytes.count), total: UInt64(bytes.count)))
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.received <= $1.received })
    }

    @Test(.enabled(if: hasNginxAndOpenSSL, "needs nginx and the openssl CLI (apt-get install nginx openssl)"))
    func fullDownloadOverHTTPSWithTheTestCA() throws {
        let fixture = try Fixture(tls: true)
        let bytes = pseudoRandomBytes(1 << 20, seed: 7)
        let checksum = try fixture.serve("driver.run", bytes)
        let result = try fixture.downloader.download(fixture.request("/driver.run", sha256: checksum)) { _ in }
        #expect(result == DownloadResult(bytes: 1 << 20, fetched: 1 << 20, attempts: 1))
        #expect(readBytes(fixture.destination) == bytes)
        #expect(statOf(fixture.destination).map { $0.st_mode & 0o7777 } == 0o644)
        #expect(statOf(fixture.partial) == nil)
    }

    @Test(.enabled(if: hasNginx, "needs nginx (apt-get install nginx)"))
    func resumesWithARangeAfterTheServerWasKilledMidFile() throws {
        let fixture = try Fixture()
        let size = 2 << 20
        let bytes = pseudoRandomBytes(size, seed: 3)
        let checksum = try fixture.serve("slow/driver.run", bytes)
        let request = fixture.request("/slow/driver.run", sha256: checksum)
        // 256 KiB/s: the first call is cut by killing nginx once 300 KB have arrived.
        let server = UncheckedBox(fixture.server)
        let cut = downloadError {
            _ = try fixture.downloader.download(request) { progress in
                if progress.received >= 300_000 { server.value.stop() }
            }
        }
        guard case .connection(let url, let reason) = cut else {
            Issue.record("expected a cut connection, got \(String(describing: cut))")
            return
        }
        #expect(url == request.url)
        #expect(reason.hasPrefix("the connection was cut after "))
        let kept = statOf(fixture.partial).map { Int($0.st_size) } ?? 0
        #expect(kept >= 300_000 && kept < size)
        #expect(statOf(fixture.destination) == nil)
        #expect(fixture.server.accessLog().isEmpty)  // the killed request was never logged

        fixture.server.slowRate = 0
        try fixture.server.start()
        let result = try fixture.downloader.download(request) { _ in }
        #expect(result == DownloadResult(bytes: UInt64(size), fetched: UInt64(size - kept), attempts: 1))
        #expect(readBytes(fixture.destination) == bytes)
        #expect(statOf(fixture.partial) == nil)
        #expect(
            fixture.server.accessLog(lines: 1) == [
                "206 \(size - kept) \"bytes=\(kept)-\" \"GET /slow/driver.run HTTP/1.1\""
            ])
    }

    @Test(.enabled(if: hasNginx, "needs nginx (apt-get install nginx)"))
    func retryResumesWithinTheSameCallWhenTheServerComesBack() throws {
        let fixture = try Fixture()
        let size = 1 << 20
        let bytes = pseudoRandomBytes(size, seed: 4)
        let checksum = try fixture.serve("slow/driver.run", bytes)
        let server = UncheckedBox(fixture.server)
        let restarted = Mutex(false)
        // Killed and restarted (unthrottled) under the transfer: the retry resumes.
        let result = try fixture.downloader.download(fixture.request("/slow/driver.run", sha256: checksum, attempts: 3)) {
            progress in
            guard progress.received >= 200_000, restarted.withLock({ !$0 }) else { return }
            restarted.withLock { $0 = true }
            server.value.stop()
            server.value.slowRate = 0
            try? server.value.start()
        }
        #expect(result.bytes == UInt64(size) && result.fetched == UInt64(size) && result.attempts == 2)
        #expect(readBytes(fixture.destination) == bytes)
        let log = fixture.server.accessLog(lines: 1)
        #expect(log.count == 1)
        // "206 SENT "bytes=FROM-" ...", SENT + FROM == size.
        let fields = log.first?.split(separator: " ") ?? []
        let from = fields.count > 2 ? Int(fields[2].dropFirst("\"bytes=".count).dropLast(2)) : nil
        #expect(fields.first == "206")
        #expect(from != nil && from! > 0 && Int(fields[1])! + from! == size)
    }

    @Test(.enabled(if: hasNginx, "needs nginx (apt-get install nginx)"))
    func aStalledTransferIsCutAndResumed() throws {
        let fixture = try Fixture()
        let size = 1 << 20
        let bytes = pseudoRandomBytes(size, seed: 15)
        let checksum = try fixture.serve("slow/driver.run", bytes)
        let request = fixture.request("/slow/driver.run", sha256: checksum)
        // nginx frozen mid-file: no byte for a second is a stall.
        let server = UncheckedBox(fixture.server)
        let started = monotonicNow()
        let stalled = downloadError {
            _ = try CurlDownloader(stallTimeout: 1).download(request) { progress in
                if progress.received >= 100_000 { server.value.freeze() }
            }
        }
        let stallSeconds = monotonicNow() - started
        fixture.server.thaw()
        fixture.server.slowRate = 0
        try fixture.server.start()
        guard case .connection(_, let reason) = stalled else {
            Issue.record("expected a stall, got \(String(describing: stalled))")
            return
        }
        #expect(reason.hasPrefix("the transfer stalled after "))
        #expect(reason.hasSuffix(" of \(size) bytes: less than a byte a second for 1 s"))
        // libcurl averages the speed over its last five seconds or so: a stall is noticed
        // that much after stallTimeout.
        #expect(stallSeconds < 15)
        let kept = statOf(fixture.partial).map { Int($0.st_size) } ?? 0
        #expect(kept >= 100_000 && kept < size)
        let result = try CurlDownloader(stallTimeout: 1).download(request) { _ in }
        #expect(result == DownloadResult(bytes: UInt64(size), fetched: UInt64(size - kept), attempts: 1))
        #expect(readBytes(fixture.destination) == bytes)
    }

    @Test(.enabled(if: hasNginx, "needs nginx (apt-get install nginx)"))
    func aServerThatIgnoresTheRangeIsFetchedWhole() throws {
        let fixture = try Fixture()
        let bytes = pseudoRandomBytes(1 << 20, seed: 5)
        let checksum = try fixture.serve("norange/driver.run", bytes)
        fixture.directory.makeDirectories(fixture.directory.file("out"))
        writeFile(fixture.partial, Array(bytes[0..<100_000]))
        let result = try fixture.downloader.download(fixture.request("/norange/driver.run", sha256: checksum)) { _ in }
        #expect(result == DownloadResult(bytes: 1 << 20, fetched: 1 << 20, attempts: 1))
        #expect(readBytes(fixture.destination) == bytes)
        let log = fixture.server.accessLog(lines: 2)
        #expect(log.count == 2 && log.first?.hasPrefix("200 ") == true && log.first?.contains("\"bytes=100000-\"") == true)
        #expect(log.last == "200 \(1 << 20) \"-\" \"GET /norange/driver.run HTTP/1.1\"")
    }

    @Test(.enabled(if: hasNginx, "needs nginx (apt-get install nginx)"))
    func aPartialFileOfAnotherFileIsFetchedAgainFromTheStart() throws {
        let fixture = try Fixture()
        let size = 1 << 20
        let bytes = pseudoRandomBytes(size, seed: 6)
        let checksum = try fixture.serve("driver.run", bytes)
        fixture.directory.makeDirectories(fixture.directory.file("out"))
        writeFile(fixture.partial, pseudoRandomBytes(50_000, seed: 99))
        let result = try fixture.downloader.download(fixture.request("/driver.run", sha256: checksum)) { _ in }
        #expect(result == DownloadResult(bytes: UInt64(size), fetched: UInt64(size - 50_000 + size), attempts: 1))
        #expect(readBytes(fixture.destination) == bytes)
        #expect(
            fixture.server.accessLog(lines: 2) == [
                "206 \(size - 50_000) \"bytes=50000-\" \"GET /driver.run HTTP/1.1\"",
                "200 \(size) \"-\" \"GET /driver.run HTTP/1.1\"",
            ])
    }

    @Test(.enabled(if: hasNginx, "needs nginx (apt-get install nginx)"))
    func aWholePartialFileIsVerifiedOnA416() throws {
        let fixture = try Fixture()
        let bytes = pseudoRandomBytes(300_000, seed: 8)
        let checksum = try fixture.serve("driver.run", bytes)
        fixture.directory.makeDirectories(fixture.directory.file("out"))
        writeFile(fixture.partial, bytes)
        let result = try fixture.downloader.download(fixture.request("/driver.run", sha256: checksum)) { _ in }
        #expect(result == DownloadResult(bytes: 300_000, fetched: 0, attempts: 1))
        #expect(readBytes(fixture.destination) == bytes)
        #expect(statOf(fixture.partial) == nil)
        let log = fixture.server.accessLog(lines: 1)
        #expect(log.count == 1 && log.first?.hasPrefix("416 ") == true)
        #expect(log.first?.contains("\"bytes=300000-\"") == true)
    }

    @Test(.enabled(if: hasNginx, "needs nginx (apt-get install nginx)"))
    func aWrongChecksumRemovesTheFile() throws {
        let fixture = try Fixture()
        let bytes = pseudoRandomBytes(500_000, seed: 9)
        let actual = try fixture.serve("driver.run", bytes)
        let request = fixture.request("/driver.run", sha256: zeroChecksum, attempts: 3)
        let error = downloadError { _ = try fixture.downloader.download(request) { _ in } }
        #expect(error == .checksumMismatch(url: request.url, expected: zeroChecksum, actual: actual))
        #expect(statOf(fixture.destination) == nil)
        #expect(statOf(fixture.partial) == nil)
        #expect(fixture.server.accessLog(lines: 1).count == 1)  // not retried
    }

    @Test(.enabled(if: hasNginx, "needs nginx (apt-get install nginx)"))
    func notFoundIsNotRetriedAndWritesNothing() throws {
        let fixture = try Fixture()
        let request = fixture.request("/missing.run", sha256: zeroChecksum, attempts: 3)
        let error = downloadError { _ = try fixture.downloader.download(request) { _ in } }
        #expect(error == .httpStatus(url: request.url, status: 404))
        let log = fixture.server.accessLog(lines: 1)
        #expect(log.count == 1 && log.first?.hasPrefix("404 ") == true)
        #expect(statOf(fixture.destination) == nil)
        #expect(statOf(fixture.partial) == nil)
    }

    @Test(.enabled(if: hasNginx, "needs nginx (apt-get install nginx)"))
    func serviceUnavailableIsRetriedThenReported() throws {
        let fixture = try Fixture()
        let request = fixture.request("/unavailable", sha256: zeroChecksum, attempts: 3)
        let error = downloadError { _ = try fixture.downloader.download(request) { _ in } }
        #expect(error == .httpStatus(url: request.url, status: 503))
        #expect(fixture.server.accessLog(lines: 3).map { $0.prefix(4) } == ["503 ", "503 ", "503 "])
        #expect(statOf(fixture.partial) == nil)
    }

    @Test func refusedConnectionIsRetriedThenNamed() throws {
        let directory = TemporaryDirectory()
        let port = try NginxServer.freePort()
        let url = "http://127.0.0.1:\(port)/driver.run"
        let request = DownloadRequest(
            url: url, destination: directory.file("driver.run"), sha256: zeroChecksum, attempts: 3, initialBackoff: 0.05)
        let started = monotonicNow()
        let error = downloadError { _ = try CurlDownloader().download(request) { _ in } }
        #expect(error == .connection(url: url, reason: "connection refused by 127.0.0.1 port \(port) (3 attempts)"))
        #expect(monotonicNow() - started >= 0.15)  // 0.05 s, then 0.1 s between the attempts
        #expect(directory.names(in: "").isEmpty)
    }

    @Test(.enabled(if: hasNginxAndOpenSSL, "needs nginx and the openssl CLI (apt-get install nginx openssl)"))
    func anUnknownCAFailsVerificationWithoutRetrying() throws {
        let fixture = try Fixture(tls: true)
        let checksum = try fixture.serve("driver.run", pseudoRandomBytes(1000))
        var request = fixture.request("/driver.run", sha256: checksum, attempts: 3)
        request.caFile = nil  // the system CAs do not know the test CA
        let error = downloadError { _ = try fixture.downloader.download(request) { _ in } }
        guard case .tls(let url, let reason) = error else {
            Issue.record("expected a TLS failure, got \(String(describing: error))")
            return
        }
        #expect(url == request.url)
        #expect(reason.contains("certificate"))
        #expect(fixture.server.accessLog().isEmpty)
        // One handshake, not three: nginx logs each failed one.
        let handshakes = readText(fixture.server.prefix + "/error.log").split(separator: "\n")
            .filter { $0.contains("SSL_do_handshake() failed") }
        #expect(handshakes.count == 1)
        #expect(statOf(fixture.destination) == nil && statOf(fixture.partial) == nil)
    }

    @Test(.enabled(if: hasNginxAndOpenSSL, "needs nginx and the openssl CLI (apt-get install nginx openssl)"))
    func anotherCAFileFailsVerification() throws {
        let fixture = try Fixture(tls: true)
        let checksum = try fixture.serve("driver.run", pseudoRandomBytes(1000))
        let other = TemporaryDirectory()
        let otherCA = try TestCertificates(in: other.path)
        var request = fixture.request("/driver.run", sha256: checksum)
        request.caFile = otherCA.caCertificate
        let error = downloadError { _ = try fixture.downloader.download(request) { _ in } }
        guard case .tls = error else {
            Issue.record("expected a TLS failure, got \(String(describing: error))")
            return
        }
    }

    @Test(.enabled(if: hasNginx, "needs nginx (apt-get install nginx)"))
    func aVerifiedFileAlreadyThereIsNotFetched() throws {
        let fixture = try Fixture()
        let bytes = pseudoRandomBytes(200_000, seed: 10)
        let checksum = try fixture.serve("driver.run", bytes)
        fixture.directory.makeDirectories(fixture.directory.file("out"))
        writeFile(fixture.destination, bytes)
        let progress = ProgressLog()
        let result = try fixture.downloader.download(fixture.request("/driver.run", sha256: checksum)) {
            progress.record($0)
        }
        #expect(result == DownloadResult(bytes: 200_000, fetched: 0, attempts: 0))
        #expect(fixture.server.accessLog().isEmpty)
        #expect(progress.all == [DownloadProgress(received: 200_000, total: 200_000)])
        #expect(statOf(fixture.partial) == nil)
    }

    @Test(.enabled(if: hasNginx, "needs nginx (apt-get install nginx)"))
    func aDifferentFileAlreadyThereIsReplaced() throws {
        let fixture = try Fixture()
        let bytes = pseudoRandomBytes(200_000, seed: 11)
        let checksum = try fixture.serve("driver.run", bytes)
        fixture.directory.makeDirectories(fixture.directory.file("out"))
        writeFile(fixture.destination, pseudoRandomBytes(10, seed: 12))
        let result = try fixture.downloader.download(fixture.request("/driver.run", sha256: checksum)) { _ in }
        #expect(result == DownloadResult(bytes: 200_000, fetched: 200_000, attempts: 1))
        #expect(readBytes(fixture.destination) == bytes)
    }

    @Test func fileURLsAreCopiedAndFTPIsRefused() throws {
        let directory = TemporaryDirectory()
        let bytes = pseudoRandomBytes(700_000, seed: 13)
        writeFile(directory.file("source.run"), bytes)
        let checksum = try sha256sum(directory.file("source.run"))
        let destination = directory.file("copy/driver.run")
        let result = try CurlDownloader().download(
            DownloadRequest(url: "file://" + directory.file("source.run"), destination: destination, sha256: checksum)
        ) { _ in }
        #expect(result == DownloadResult(bytes: 700_000, fetched: 700_000, attempts: 1))
        #expect(readBytes(destination) == bytes)

        let missing = downloadError {
            _ = try CurlDownloader().download(
                DownloadRequest(url: "file://" + directory.file("missing.run"), destination: destination + "2", sha256: checksum)
            ) { _ in }
        }
        guard case .local(let path, _) = missing else {
            Issue.record("expected a local failure, got \(String(describing: missing))")
            return
        }
        #expect(path == directory.file("missing.run"))

        let ftp = downloadError {
            _ = try CurlDownloader().download(
                DownloadRequest(url: "ftp://user:secret@127.0.0.1/driver.run", destination: destination + "3", sha256: checksum)
            ) { _ in }
        }
        #expect(ftp == .unsupportedURL("ftp://<redacted>@127.0.0.1/driver.run"))
        #expect(statOf(destination + "3.partial") == nil)
    }

    @Test(.enabled(if: hasNginx, "needs nginx (apt-get install nginx)"))
    func aPasswordInTheURLIsNeverShown() throws {
        let fixture = try Fixture()
        var request = fixture.request("/missing.run", sha256: zeroChecksum)
        request.url = "http://user:secret@127.0.0.1:\(fixture.server.port)/missing.run"
        let notFound = downloadError { _ = try fixture.downloader.download(request) { _ in } }
        #expect(notFound == .httpStatus(url: "http://<redacted>@127.0.0.1:\(fixture.server.port)/missing.run", status: 404))
        #expect(notFound.map { !"\($0)".contains("secret") } == true)

        let port = try NginxServer.freePort()
        request.url = "https://user:secret@127.0.0.1:\(port)/driver.run"
        let refused = downloadError { _ = try fixture.downloader.download(request) { _ in } }
        #expect(refused == .connection(url: "https://<redacted>@127.0.0.1:\(port)/driver.run", reason: "connection refused by 127.0.0.1 port \(port)"))
        #expect(refused.map { !"\($0)".contains("secret") } == true)
    }

    /// Changes the process's environment (libcurl reads http_proxy when a transfer starts):
    /// this suite is serialized, so no other download runs meanwhile, and the variables are
    /// restored at the end.
    @Test(.enabled(if: hasNginx, "needs nginx (apt-get install nginx)"))
    func anHTTPProxyFromTheEnvironmentIsUsed() throws {
        let fixture = try Fixture()
        let bytes = pseudoRandomBytes(400_000, seed: 14)
        let checksum = try fixture.serve("driver.run", bytes)
        fixture.directory.makeDirectories(fixture.directory.file("proxy"))
        let proxy = try NginxServer(prefix: fixture.directory.file("proxy"), forwardProxy: true)
        let names = ["http_proxy", "no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"]
        let saved = names.map { name in getenv(name).map { String(cString: $0) } }
        defer {
            for (name, value) in zip(names, saved) {
                if let value { setenv(name, value, 1) } else { unsetenv(name) }
            }
        }
        names.dropFirst().forEach { unsetenv($0) }
        // libcurl reads the environment when the transfer starts.
        setenv("http_proxy", proxy.origin, 1)
        let request = fixture.request("/driver.run", sha256: checksum)
        let result = try fixture.downloader.download(request) { _ in }
        #expect(result == DownloadResult(bytes: 400_000, fetched: 400_000, attempts: 1))
        #expect(readBytes(fixture.destination) == bytes)
        // The proxy got the whole URL, and passed it on.
        #expect(proxy.accessLog(lines: 1) == ["200 400000 \"-\" \"GET \(request.url) HTTP/1.1\""])
        #expect(fixture.server.accessLog(lines: 1) == ["200 400000 \"-\" \"GET /driver.run HTTP/1.0\""])
    }
}

/// A non-Sendable value handed to a progress closure, which runs on the calling thread.
private final class UncheckedBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

private func monotonicNow() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
