#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import GuestPrepLinux
import GuestPrepModel
import GuestPrepTesting
import Testing

/// Debian's own archive, asked directly: bookworm's package indexes, fetched from
/// deb.debian.org when the test runs, per component.
private enum Bookworm {
    static let components = ["main", "contrib", "non-free", "non-free-firmware"]

    /// The package names of each component, or why they could not be fetched.
    static let indexes: Result<[String: Set<String>], IndexError> = fetch()
    static let reason: String? = {
        if case .failure(let error) = indexes { return "bookworm's package indexes cannot be fetched from deb.debian.org: \(error.message)" }
        return nil
    }()
    static let comment = Comment(rawValue: reason ?? "")

    struct IndexError: Error { let message: String }

    static func fetch() -> Result<[String: Set<String>], IndexError> {
        let runner = PosixProcessRunner()
        let curl = ["/usr/bin/curl", "/bin/curl"].first(where: runner.isExecutable)
        let xz = ["/usr/bin/xz", "/bin/xz"].first(where: runner.isExecutable)
        guard let curl, let xz else { return .failure(IndexError(message: "needs curl and xz-utils (apt-get install curl xz-utils)")) }
        let directory = TemporaryDirectory()
        var names: [String: Set<String>] = [:]
        for component in components {
            let file = directory.file("\(component).xz")
            let url = "https://deb.debian.org/debian/dists/bookworm/\(component)/binary-amd64/Packages.xz"
            do {
                let fetched = try runner.run(executable: curl, arguments: ["-sSfL", "-m", "120", "-o", file, url], timeout: 150)
                guard fetched.status == 0 else {
                    return .failure(IndexError(message: "curl \(url): \(String(decoding: fetched.standardError, as: UTF8.self))"))
                }
                let unpacked = try runner.run(executable: xz, arguments: ["-d", file], timeout: 120)
                guard unpacked.status == 0 else { return .failure(IndexError(message: "xz -d \(url): exit \(unpacked.status)")) }
            } catch {
                return .failure(IndexError(message: "\(error)"))
            }
            let text = String(decoding: readAll(directory.file(component)), as: UTF8.self)
            names[component] = Set(
                text.split(separator: "\n").compactMap { $0.hasPrefix("Package: ") ? String($0.dropFirst(9)) : nil })
        }
        return .success(names)
    }

    static func readAll(_ path: String) -> [UInt8] {
        guard let file = fopen(path, "rb") else { return [] }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }
}

/// The Debian route's package names exist in bookworm's own indexes, and the plan names every
/// component they come from (issue 19: nvidia-persistenced, nvidia-open-kernel-dkms and
/// nvidia-installer-cleanup are in contrib, firmware-nvidia-gsp in non-free-firmware).
@Suite(.enabled(if: Bookworm.reason == nil, Bookworm.comment))
struct DebianArchiveRouteTests {
    /// A Debian 12 guest with one GPU (`device`), apt's lists holding bookworm's real package
    /// names, and the running kernel a real bookworm kernel.
    func guest(device: String, subsystem: String, names: [String: Set<String>], kernel: String) -> InMemoryFileSystem {
        let fs = InMemoryFileSystem()
        let path = "/sys/devices/pci0000:00/0000:00:16.0/0000:0b:00.0"
        for (file, value) in [
            ("vendor", "0x10de"), ("device", device), ("class", "0x030200"), ("subsystem_vendor", "0x10de"),
            ("subsystem_device", subsystem), ("numa_node", "-1"),
        ] {
            fs.setText("\(path)/\(file)", value + "\n")
        }
        fs.setLink("/sys/bus/pci/devices/0000:0b:00.0", to: "../../../devices/pci0000:00/0000:00:16.0/0000:0b:00.0")
        fs.setText("/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n")
        fs.setText("/proc/sys/kernel/osrelease", kernel + "\n")
        for (component, packages) in names {
            fs.setText(
                "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_\(component)_binary-amd64_Packages",
                packages.sorted().map { "Package: \($0)\n" }.joined(separator: "\n"))
        }
        return fs
    }

    @Test(arguments: [("0x1db6", "0x124a", "V100 PCIe 32GB, proprietary"), ("0x1eb8", "0x12a2", "T4, open")])
    func everyPackageOfTheRouteIsInBookwormAndItsComponentIsNamed(_ gpu: (device: String, subsystem: String, label: String)) throws {
        let names = try Bookworm.indexes.get()
        // A kernel bookworm really ships, as `uname -r` names it.
        let kernel = try #require(
            names["main"]?.filter { $0.hasPrefix("linux-headers-") && $0.hasSuffix("-amd64") && $0.first(where: \.isNumber) != nil }
                .sorted().last.map { String($0.dropFirst("linux-headers-".count)) })
        var spec = GuestSpec(installNvidiaPackages: true)
        spec.driver.route = .distro
        let fs = guest(device: gpu.device, subsystem: gpu.subsystem, names: names, kernel: kernel)
        let plan = try DriverStep().plan(StepContext(spec: spec, fs: fs, onHost: true))
        let install = try #require(
            plan.changes.compactMap { change -> [String]? in
                if case .run(let argv) = change.action, argv.starts(with: ["apt-get", "install"]) { argv } else { nil }
            }.first, "\(gpu.label): the plan installs nothing with apt-get: \(plan.changes)")
        let packages = install.dropFirst(2).filter { !$0.hasPrefix("-") && !$0.hasPrefix("Dpkg::") }
        #expect(!packages.isEmpty)
        var used: Set<String> = []
        for package in packages {
            let found = Bookworm.components.filter { names[$0]?.contains(package) == true }
            #expect(!found.isEmpty, "\(gpu.label): \(package) is in none of bookworm's components")
            used.formUnion(found)
        }
        // The plan's words: "non-free" must stand as a word of its own, not inside non-free-firmware.
        let text = (plan.notes + plan.diagnostics.map(\.message)).joined(separator: " ")
        let words = Set(text.split(whereSeparator: { !($0.isLetter || $0 == "-") }).map(String.init))
        for component in used where component != "main" {
            #expect(words.contains(component), "\(gpu.label): the plan does not say that it needs \(component): \(text)")
        }
    }
}
