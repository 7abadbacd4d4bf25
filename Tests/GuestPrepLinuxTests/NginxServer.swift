#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepLinux

/// A real nginx on 127.0.0.1 for the download tests, started as a child process of the test
/// (`daemon off`, `master_process off`: one process, so a SIGKILL cuts every transfer at once)
/// in a prefix of its own: configuration, document root (`html/`), `error.log` and
/// `access.log` with one line per request: `$status $body_bytes_sent "$http_range" "$request"`.
final class NginxServer {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The nginx binary, or nil when nginx is not installed (`apt-get install nginx`).
    static let executable: String? = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { access($0, X_OK) == 0 }

    let prefix: String
    let port: UInt16
    let certificates: TestCertificates?
    /// A forward proxy for http:// URLs instead of a file server.
    let forwardProxy: Bool
    /// nginx's `limit_rate` for everything under /slow/ (bytes a second).
    var slowRate = 256 << 10
    /// More `location` blocks for the file server (redirects), in effect at the next `start()`.
    var locations: [String] = []
    private(set) var pid: pid_t = 0

    /// The scheme and authority: `http://127.0.0.1:PORT` (https with certificates).
    var origin: String { "\(certificates == nil ? "http" : "https")://127.0.0.1:\(port)" }

    /// Starts nginx serving `prefix/html` over http, or https with `certificates`; or, with
    /// `forwardProxy`, proxying the http:// URLs clients ask for (IP addresses only: no resolver).
    init(prefix: String, certificates: TestCertificates? = nil, forwardProxy: Bool = false) throws {
        self.prefix = prefix
        self.certificates = certificates
        self.forwardProxy = forwardProxy
        port = try Self.freePort()
        for directory in ["html", "html/slow", "html/norange", "tmp"] { mkdir(prefix + "/" + directory, 0o755) }
        try start()
    }

    deinit { stop() }

    /// Writes `bytes` at `relative` under the document root.
    func put(_ relative: String, _ bytes: [UInt8]) { writeFile(prefix + "/html/" + relative, bytes) }

    /// (Re)starts nginx on the same port with the current settings and waits until it accepts
    /// connections.
    func start() throws {
        stop()
        writeFile(prefix + "/nginx.conf", Array(configuration().utf8))
        let output = open(prefix + "/nginx.out", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        defer { close(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        let argv = [
            Self.executable!, "-p", prefix + "/", "-c", prefix + "/nginx.conf", "-e", prefix + "/error.log",
        ]
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var environment: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nil]
        defer { environment.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, argv[0], &actions, nil, &cArguments, &environment)
        guard spawned == 0 else { throw Failure(description: "cannot start nginx: \(String(cString: strerror(spawned)))") }
        pid = child
        switch awaitListening(&pid, { Self.accepts(port) }) {
        case .listening: return
        case .exited: throw Failure(description: "nginx exited at start: \(readText(prefix + "/error.log"))")
        case .timedOut: throw Failure(description: "nginx did not listen on port \(port) within 5 s: \(readText(prefix + "/error.log"))")
        }
    }

    /// Kills nginx at once (SIGKILL: every connection is cut, nothing is flushed) and reaps it.
    func stop() { killAndReap(&pid) }

    /// Stops nginx (SIGSTOP) without closing anything: its transfers stall.
    func freeze() { if pid > 0 { kill(pid, SIGSTOP) } }

    /// Lets a frozen nginx go on (SIGCONT).
    func thaw() { if pid > 0 { kill(pid, SIGCONT) } }

    /// The access log's lines, once it has at least `lines` (or after 2 s). nginx logs a request
    /// after it has sent the answer, so the client may see the answer first; a short pause
    /// after that lets a request too many show up too.
    func accessLog(lines: Int = 0) -> [String] {
        func read() -> [String] { readText(prefix + "/access.log").split(separator: "\n").map(String.init) }
        for _ in 0..<200 where read().count < lines { usleep(10_000) }
        usleep(30_000)
        return read()
    }

    private func configuration() -> String {
        var listen = "listen 127.0.0.1:\(port);"
        if let certificates {
            listen = """
                listen 127.0.0.1:\(port) ssl;
                        ssl_certificate \(certificates.serverCertificate);
                        ssl_certificate_key \(certificates.serverKey);
                """
        }
        return """
            daemon off;
            master_process off;
            pid \(prefix)/nginx.pid;
            error_log \(prefix)/error.log info;
            events { worker_connections 64; }
            http {
                log_format guestprep '$status $body_bytes_sent "$http_range" "$request"';
                access_log \(prefix)/access.log guestprep;
                client_body_temp_path \(prefix)/tmp/body;
                proxy_temp_path \(prefix)/tmp/proxy;
                fastcgi_temp_path \(prefix)/tmp/fastcgi;
                uwsgi_temp_path \(prefix)/tmp/uwsgi;
                scgi_temp_path \(prefix)/tmp/scgi;
                default_type application/octet-stream;
                server {
                    \(listen)
                    \(forwardProxy ? proxyLocations : fileLocations)
                }
            }

            """
    }

    private var fileLocations: String {
        """
        root \(prefix)/html;
                location /slow/ { limit_rate \(slowRate); }
                # Byte ranges off: a 200 with the whole file answers a resume.
                location /norange/ { max_ranges 0; }
                location /unavailable { return 503; }
                \(locations.joined(separator: "\n        "))
        """
    }

    /// The request line holds the whole URL; $http_host is its host and port.
    private var proxyLocations: String {
        "location / { proxy_pass http://$http_host$request_uri; }"
    }

    /// A port on 127.0.0.1 that nothing listens on now (the kernel's pick for port 0).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "bind: \(String(cString: strerror(errno)))") }
        return UInt16(bigEndian: address.sin_port)
    }

    static func accepts(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }
}

/// A test CA and a server certificate it signed (subjectAltName IP:127.0.0.1, DNS:localhost),
/// made with the openssl CLI for one test.
struct TestCertificates {
    /// The openssl binary, or nil when it is not installed.
    static let executable: String? = ["/usr/bin/openssl", "/bin/openssl"].first { access($0, X_OK) == 0 }

    let caCertificate: String
    let serverCertificate: String
    let serverKey: String

    init(in directory: String) throws {
        caCertificate = directory + "/ca.pem"
        serverCertificate = directory + "/server.pem"
        serverKey = directory + "/server.key"
        let extensions = directory + "/server.ext"
        writeFile(
            extensions,
            Array("""
                subjectAltName = IP:127.0.0.1, DNS:localhost
                basicConstraints = critical, CA:FALSE
                keyUsage = critical, digitalSignature
                extendedKeyUsage = serverAuth
                authorityKeyIdentifier = keyid

                """.utf8))
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(
            ["req", "-x509"] + curve + [
                "-keyout", directory + "/ca.key", "-out", caCertificate, "-days", "2", "-subj", "/CN=guestprep test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ])
        try Self.openssl(["req"] + curve + ["-keyout", serverKey, "-out", directory + "/server.csr", "-subj", "/CN=localhost"])
        try Self.openssl([
            "x509", "-req", "-in", directory + "/server.csr", "-CA", caCertificate, "-CAkey", directory + "/ca.key",
            "-set_serial", "2", "-days", "2", "-extfile", extensions, "-out", serverCertificate,
        ])
    }

    private static func openssl(_ arguments: [String]) throws {
        let result = try PosixProcessRunner().run(executable: executable!, arguments: arguments, timeout: 60)
        guard result.status == 0 else {
            throw NginxServer.Failure(description: "openssl \(arguments[0]) failed: \(result.errorText)")
        }
    }
}

/// Writes `bytes` to `path` (created 0644 or truncated).
func writeFile(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    precondition(fd >= 0, "open \(path): \(String(cString: strerror(errno)))")
    defer { close(fd) }
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        precondition(written > 0, "write \(path)")
        offset += written
    }
}

/// The bytes of the file at `path`, or nil.
func readBytes(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count <= 0 { return count == 0 ? bytes : nil }
        bytes += buffer[0..<count]
    }
}

/// The text of the file at `path` ("" when it cannot be read).
func readText(_ path: String) -> String {
    readBytes(path).map { String(decoding: $0, as: UTF8.self) } ?? ""
}

/// `count` pseudo-random bytes, the same for the same seed (xorshift64*): test content that
/// no compression or caching could shortcut.
func pseudoRandomBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { raw in
        var index = 0
        while index < count {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            var word = state &* 0x2545_F491_4F6C_DD1D
            for _ in 0..<8 where index < count {
                raw[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
    }
    return bytes
}

/// The SHA-256 of a file as coreutils' sha256sum computes it: a check independent of libcrypto.
func sha256sum(_ path: String) throws -> String {
    let result = try PosixProcessRunner().run(executable: "/usr/bin/sha256sum", arguments: [path], timeout: 60)
    guard result.status == 0 else { throw NginxServer.Failure(description: "sha256sum failed: \(result.errorText)") }
    return String(result.outputText.prefix(64))
}
