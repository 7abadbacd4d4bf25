#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepLinux

/// vcsim-lite (Tests/Tools/vcsim: govmomi's vCenter simulator behind TLS) as a child process
/// of the test, on a port of its own on 127.0.0.1, with a certificate the test made. It prints
/// `URL=`, `INSTANCE_UUID=`, `SHA256=` and `PID=` once it serves; it is killed and reaped when
/// released.
final class VCSimServer {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let username = "administrator@vsphere.local"
    /// XML's special characters, so that the Login body's escaping is checked end to end.
    static let password = #"Gu3st-Pr3p&<vc>"sim'9"#

    /// The binary, built once per test process into `.build/vcsim-lite/` (reused when it is
    /// newer than its source), or why it cannot be built here.
    static let binary: Result<String, Failure> = build()

    /// `https://127.0.0.1:PORT`, without the user and password vcsim prints.
    let origin: String
    let instanceUUID: String
    /// The certificate's SHA-256 thumbprint as vcsim computed it, lower-case hex.
    let sha256: String
    private(set) var pid: pid_t = 0
    private let output: String

    /// Starts vcsim-lite with `certificate` and `key` and `uuid` as its instance UUID, and
    /// `arguments` besides (`-extra-config FILE`); its temporary files and output go under
    /// `directory`.
    init(directory: String, certificate: String, key: String, uuid: String, arguments: [String] = []) throws {
        let binary = try Self.binary.get()
        output = directory + "/vcsim.out"
        let temporary = directory + "/vcsim-tmp"
        mkdir(temporary, 0o700)
        pid = try spawnLogged(
            [
                binary, "-l", "127.0.0.1:0", "-u", Self.username, "-p", Self.password, "-uuid", uuid, "-cert", certificate,
                "-key", key,
            ] + arguments, output: output, environment: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TMPDIR=" + temporary])
        var fields: [String: String] = [:]
        for _ in 0..<1000 {
            for line in readText(output).split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            if fields["PID"] != nil { break }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                throw Failure(description: "vcsim-lite exited at start: \(readText(output))")
            }
            usleep(10_000)
        }
        guard let url = fields["URL"], let uuid = fields["INSTANCE_UUID"], let sha256 = fields["SHA256"], fields["PID"] != nil,
            let at = url.lastIndex(of: "@"), let path = url[at...].firstIndex(of: "/")
        else {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            throw Failure(description: "vcsim-lite did not say where it serves within 10 s: \(readText(output))")
        }
        // https://user:pass@127.0.0.1:PORT/sdk → https://127.0.0.1:PORT
        origin = "https://" + url[url.index(after: at)..<path]
        instanceUUID = uuid
        self.sha256 = sha256.lowercased()
    }

    deinit { stop() }

    /// SIGTERM, then SIGKILL if it has not exited within 2 s; reaped either way.
    func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<200 {
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                return
            }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        pid = 0
    }

    /// What vcsim-lite printed.
    var printed: String { readText(output) }

    // MARK: - Building

    /// The package's root: three levels above this file (Tests/GuestPrepLinuxTests/).
    static let packageRoot: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) }
        return path
    }()

    /// Whether vcsim-lite can be built here: its tools are installed, or this is root with
    /// apt-get to install them (build.sh does). A cheap check, for tests' `.enabled(if:)`.
    static let buildable: Bool = {
        let canInstall = geteuid() == 0 && access("/usr/bin/apt-get", X_OK) == 0
        let hasTools =
            access("/usr/bin/go", X_OK) == 0 && access("/usr/share/gocode/src/github.com/vmware/govmomi/simulator", F_OK) == 0
        return hasTools || canInstall
    }()

    private static func build() -> Result<String, Failure> {
        let tool = packageRoot + "/Tests/Tools/vcsim"
        let folder = packageRoot + "/.build/vcsim-lite"
        let binary = folder + "/vcsim-lite"
        mkdir(packageRoot + "/.build", 0o755)
        mkdir(folder, 0o755)
        // One build at a time, should two test processes start together.
        let lock = open(folder + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if lock >= 0 { _ = flock(lock, LOCK_EX) }
        defer { if lock >= 0 { close(lock) } }
        if let built = modificationTime(binary), let source = modificationTime(tool + "/src/vcsim-lite/main.go"), built >= source {
            return .success(binary)
        }
        guard buildable else {
            return .failure(
                Failure(
                    description:
                        "vcsim-lite cannot be built: golang-go and golang-github-vmware-govmomi-dev are missing and cannot be installed here (needs root and apt-get)"))
        }
        do {
            // build.sh installs the Debian packages when they are missing (a few minutes).
            let result = try PosixProcessRunner().run(executable: "/bin/bash", arguments: [tool + "/build.sh", folder], timeout: 900)
            guard result.status == 0, access(binary, X_OK) == 0 else {
                return .failure(
                    Failure(description: "Tests/Tools/vcsim/build.sh failed (\(result.status)): \(result.errorText.suffix(2000))"))
            }
        } catch {
            return .failure(Failure(description: "Tests/Tools/vcsim/build.sh: \(error)"))
        }
        return .success(binary)
    }

    private static func modificationTime(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mtim.tv_sec
    }
}
