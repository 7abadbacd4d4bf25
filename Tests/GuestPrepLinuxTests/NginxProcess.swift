#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An nginx (Debian's, like `NginxServer`'s) running a configuration the test writes whole,
/// optionally through a launcher such as `ip netns exec NAME` (which execs nginx: the child
/// is nginx itself). One process (`daemon off`, `master_process off`), its files under `prefix`,
/// killed with SIGKILL and reaped when stopped or released.
final class NginxProcess {
    let prefix: String
    private(set) var pid: pid_t = 0

    /// Starts nginx with `http` as the body of its `http { }` block (a `guestprep` log format
    /// and temp paths are already there) and waits until every `(IPv4 address, port)` of
    /// `listening` accepts connections. `launcher` goes before nginx's argv.
    init(prefix: String, http: String, launcher: [String] = [], listening: [(String, UInt16)]) throws {
        guard let nginx = NginxServer.executable else {
            throw NginxServer.Failure(description: "nginx is missing (apt-get install nginx)")
        }
        self.prefix = prefix
        mkdir(prefix, 0o755)
        mkdir(prefix + "/tmp", 0o755)
        writeFile(
            prefix + "/nginx.conf",
            Array("""
                daemon off;
                master_process off;
                pid \(prefix)/nginx.pid;
                error_log \(prefix)/error.log info;
                events { worker_connections 64; }
                http {
                    log_format guestprep '$status "$request" "$request_body"';
                    client_body_temp_path \(prefix)/tmp/body;
                    proxy_temp_path \(prefix)/tmp/proxy;
                    fastcgi_temp_path \(prefix)/tmp/fastcgi;
                    uwsgi_temp_path \(prefix)/tmp/uwsgi;
                    scgi_temp_path \(prefix)/tmp/scgi;
                \(http)
                }

                """.utf8))
        let argv = launcher + [nginx, "-p", prefix + "/", "-c", prefix + "/nginx.conf", "-e", prefix + "/error.log"]
        pid = try spawnLogged(argv, output: prefix + "/nginx.out")
        switch awaitListening(&pid, { listening.allSatisfy { acceptsIPv4($0.0, $0.1) } }) {
        case .listening: return
        case .exited:
            throw NginxServer.Failure(
                description: "nginx exited at start: \(readText(prefix + "/nginx.out")) \(readText(prefix + "/error.log"))")
        case .timedOut:
            throw NginxServer.Failure(description: "nginx did not listen within 5 s: \(readText(prefix + "/error.log"))")
        }
    }

    deinit { stop() }

    func stop() { killAndReap(&pid) }

    /// The lines of the access log at `name` under the prefix, after a short pause: nginx logs
    /// a request once it has answered it.
    func log(_ name: String) -> [String] {
        usleep(50_000)
        return readText(prefix + "/" + name).split(separator: "\n").map(String.init)
    }
}

/// Starts `argv` (an absolute path first) with stdin from /dev/null and stdout and stderr
/// appended to `output`, in a fixed environment; its pid.
func spawnLogged(_ argv: [String], output: String, environment: [String] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]) throws -> pid_t {
    let fd = open(output, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw NginxServer.Failure(description: "open \(output): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, fd, 1)
    posix_spawn_file_actions_adddup2(&actions, fd, 2)
    var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { cArguments.forEach { free($0) } }
    var cEnvironment: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
    defer { cEnvironment.forEach { free($0) } }
    var child: pid_t = 0
    let spawned = posix_spawn(&child, argv[0], &actions, nil, &cArguments, &cEnvironment)
    guard spawned == 0 else {
        throw NginxServer.Failure(description: "cannot start \(argv[0]): \(String(cString: strerror(spawned)))")
    }
    return child
}

/// How a child started by `spawnLogged` came up.
enum ChildStart {
    case listening
    /// It exited first; it is reaped.
    case exited
    /// It did not listen within 5 s; it is killed and reaped.
    case timedOut
}

/// Polls every 10 ms, for at most 5 s, until `listening()` holds. A child that exits first or
/// never listens is reaped, and `pid` set to 0.
func awaitListening(_ pid: inout pid_t, _ listening: () -> Bool) -> ChildStart {
    for _ in 0..<500 {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            pid = 0
            return .exited
        }
        if listening() { return .listening }
        usleep(10_000)
    }
    killAndReap(&pid)
    return .timedOut
}

/// Kills the child at once (SIGKILL) and reaps it; nothing when `pid` is 0, which it is after.
func killAndReap(_ pid: inout pid_t) {
    guard pid > 0 else { return }
    kill(pid, SIGKILL)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    pid = 0
}

/// Whether a TCP connection to `address:port` (IPv4) is accepted now.
func acceptsIPv4(_ address: String, _ port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var socketAddress = sockaddr_in()
    socketAddress.sin_family = sa_family_t(AF_INET)
    socketAddress.sin_port = port.bigEndian
    guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else { return false }
    return withUnsafePointer(to: &socketAddress) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}
