#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import GuestPrepLinux
import GuestPrepModel
import Testing

/// The textfile as the real reader reads it: Debian's prometheus-node-exporter, only its
/// textfile collector on, pointed at a directory that `PrometheusTextfile.write` wrote into
/// through the rooted file system, scraped on loopback. Its parser is the one of
/// node_exporter's collector/textfile.go (expfmt, legacy names; a file it cannot parse or with
/// a timestamp is left out and `node_textfile_scrape_error` is 1).
@Suite(.enabled(if: NodeExporter.binary != nil, "prometheus-node-exporter is not installed (apt-get install prometheus-node-exporter)"))
struct NodeExporterTextfileTests {
    @Test func nodeExporterServesGuestprepsSeries() throws {
        let root = TemporaryDirectory()
        let fs = RootedFileSystem(root: root.path)
        let checks = [
            HealthCheck(name: "temperature", level: .warn, subject: "0000:0b:00.0"),
            HealthCheck(name: "bitfusion_server", level: .critical, subject: "10.0.0.5:56001"),
            HealthCheck(name: "time_sync", level: .pass),
        ]
        let metrics = [
            HealthMetric(
                name: "guestprep_xid_total", help: "Xid errors.", kind: .counter, labels: [("gpu", "0000:0b:00.0"), ("xid", "79")],
                value: 3),
            HealthMetric(name: "guestprep_test_escaped", help: "back\\slash\nline", labels: [("path", "a\\b \"c\"\nd")], value: 0.5),
        ]
        let run = RunRecord(stage: "main", startedAt: "2026-11-21T10:03:10Z", finishedAt: "2026-11-21T10:04:00Z", outcome: "done", processesStarted: 2)
        let text = PrometheusTextfile.render(
            metrics: metrics, checks: checks, info: .init(version: "0.1.0", healthTime: 1_795_255_500, lastRun: run))
        let written = try PrometheusTextfile.write(text, to: "/textfiles", fs: fs)
        #expect(written == "/textfiles/guestprep.prom")
        #expect(statOf(root.file("textfiles/guestprep.prom")).map { $0.st_mode & 0o7777 } == 0o644)

        let exporter = try NodeExporter(textfileDirectory: root.file("textfiles"), logDirectory: root.path)
        let scraped = try exporter.scrape()
        let lines = Set(scraped.split(separator: "\n").map(String.init))
        for expected in [
            #"guestprep_health_check{check="temperature",subject="0000:0b:00.0"} 2"#,
            #"guestprep_health_check{check="bitfusion_server",subject="10.0.0.5:56001"} 3"#,
            // node_exporter 1.5 serves the empty label as written (Prometheus drops it on ingestion).
            #"guestprep_health_check{check="time_sync",subject=""} 0"#,
            "guestprep_health_status 3",
            #"guestprep_info{version="0.1.0"} 1"#,
            #"guestprep_provisioning_outcome{outcome="done",stage="main"} 1"#,
            #"guestprep_provisioning_outcome{outcome="failed",stage="main"} 0"#,
            "guestprep_provisioning_last_run_timestamp_seconds 1.79525544e+09",
            "guestprep_health_timestamp_seconds 1.7952555e+09",
            "# TYPE guestprep_xid_total counter",
            #"guestprep_xid_total{gpu="0000:0b:00.0",xid="79"} 3"#,
            #"guestprep_test_escaped{path="a\\b \"c\"\nd"} 0.5"#,
            "# HELP guestprep_test_escaped back\\\\slash\\nline",
            "node_textfile_scrape_error 0",
        ] {
            let served = lines.contains(expected)
            #expect(served, "node_exporter does not serve \(expected):\n\(Self.relevant(scraped))")
        }
        #expect(scraped.contains(#"node_textfile_mtime_seconds{file=""#))
    }

    /// guestprep's lines and node_exporter's textfile lines of a scrape, for a failure message.
    static func relevant(_ scraped: String) -> String {
        scraped.split(separator: "\n").filter { $0.contains("guestprep") || $0.contains("textfile") }.joined(separator: "\n")
    }

    @Test func aFileNodeExporterCannotParseIsAScrapeError() throws {
        // The check of the check: the same exporter reports a broken file, so the test above
        // would see one of guestprep's.
        let root = TemporaryDirectory()
        root.write("textfiles/guestprep.prom", "guestprep_info{version=\"0.1.0} 1\n")
        let exporter = try NodeExporter(textfileDirectory: root.file("textfiles"), logDirectory: root.path)
        let scraped = try exporter.scrape()
        #expect(scraped.contains("node_textfile_scrape_error 1"), "\(Self.relevant(scraped))")
        #expect(!scraped.contains("guestprep_info"))
    }
}

/// prometheus-node-exporter as a child of the test on a free loopback port, with every
/// collector off but the textfile one; killed and reaped when released.
final class NodeExporter {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let binary: String? = ["/usr/bin/prometheus-node-exporter"].first { access($0, X_OK) == 0 }

    let port: UInt16
    private var pid: pid_t = 0
    private let output: String

    init(textfileDirectory: String, logDirectory: String) throws {
        guard let binary = Self.binary else { throw Failure(description: "prometheus-node-exporter is not installed") }
        port = try NginxServer.freePort()
        output = logDirectory + "/node-exporter.out"
        pid = try spawnLogged(
            [
                binary, "--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults", "--collector.textfile",
                "--collector.textfile.directory=" + textfileDirectory,
            ], output: output)
        switch awaitListening(&pid, { acceptsIPv4("127.0.0.1", port) }) {
        case .listening: return
        case .exited: throw Failure(description: "prometheus-node-exporter exited at start: \(readText(output))")
        case .timedOut: throw Failure(description: "prometheus-node-exporter did not listen within 5 s: \(readText(output))")
        }
    }

    deinit { stop() }

    func stop() { killAndReap(&pid) }

    /// The body of `GET /metrics`, by HTTP/1.0 over a plain socket (the server closes the
    /// connection after the answer).
    func scrape() throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw Failure(description: "connect: \(String(cString: strerror(errno)))") }
        let request = Array("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw Failure(description: "send: \(String(cString: strerror(errno)))")
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                if count < 0 { throw Failure(description: "recv: \(String(cString: strerror(errno)))") }
                break
            }
            answer += buffer[0..<count]
        }
        let text = String(decoding: answer, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.0 200") || text.hasPrefix("HTTP/1.1 200"), let body = text.range(of: "\r\n\r\n") else {
            throw Failure(description: "node_exporter answered: \(text.prefix(500))")
        }
        return String(text[body.upperBound...])
    }
}
