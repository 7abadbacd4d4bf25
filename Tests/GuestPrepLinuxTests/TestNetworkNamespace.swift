#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepLinux
import Synchronization

/// A network namespace joined to this one by a veth pair on a /24 of its own:
/// `10.M.N.1` here, `10.M.N.2` there, with N from the test process's pid (two test processes
/// do not collide) and M from a count of the namespaces this process made (two suites that run
/// at once do not collide: each instance has its own name, interfaces and subnet).
/// `10.M.N.3` is on the link but nobody has it: a connection there gets no answer at all.
/// Deleted, with whatever still runs in it, when released.
final class TestNetworkNamespace {
    static let ip = "/usr/sbin/ip"
    /// How many namespaces this process has made: each instance takes the next number.
    private static let made = Atomic<Int>(0)

    /// Why namespaces cannot be made here, or nil: root and iproute2 are needed.
    static let unavailableReason: String? = {
        guard geteuid() == 0 else { return "needs root (it creates a network namespace)" }
        guard access(ip, X_OK) == 0 else { return "\(ip) is missing (apt-get install iproute2)" }
        return nil
    }()

    let name: String
    let hostInterface: String
    let subnet: String
    var hostAddress: String { subnet + ".1" }
    var peerAddress: String { subnet + ".2" }
    /// An address on the link that nobody answers (no ARP reply): connections to it hang.
    var silentAddress: String { subnet + ".3" }
    /// What runs a program inside the namespace: `ip netns exec NAME`.
    var launcher: [String] { [Self.ip, "netns", "exec", name] }

    init() throws {
        let id = Int(getpid())
        let instance = Self.made.add(1, ordering: .relaxed).oldValue % 40
        name = "guestprep-tls-\(id)-\(instance)"
        // At most 15 bytes with the peer's "p": "gpt" + 6 digits + "n" + 2 digits + "p".
        hostInterface = "gpt\(id % 1_000_000)n\(instance)"
        subnet = "10.\(213 + instance).\(id % 250 + 1)"
        let peerInterface = hostInterface + "p"
        // A namespace left by a killed run of the same pid would make `add` fail.
        Self.remove(name, interface: hostInterface)
        do {
            try Self.ip(["netns", "add", name])
            try Self.ip(["link", "add", hostInterface, "type", "veth", "peer", "name", peerInterface, "netns", name])
            try Self.ip(["addr", "add", hostAddress + "/24", "dev", hostInterface])
            try Self.ip(["link", "set", hostInterface, "up"])
            try Self.ip(["-n", name, "addr", "add", peerAddress + "/24", "dev", peerInterface])
            try Self.ip(["-n", name, "link", "set", peerInterface, "up"])
            try Self.ip(["-n", name, "link", "set", "lo", "up"])
        } catch {
            Self.remove(name, interface: hostInterface)
            throw error
        }
    }

    deinit { Self.remove(name, interface: hostInterface) }

    /// Kills what runs in the namespace, deletes it and the host end of the veth pair.
    private static func remove(_ name: String, interface: String) {
        if let pids = try? PosixProcessRunner().run(executable: ip, arguments: ["netns", "pids", name], timeout: 10) {
            for line in pids.outputText.split(separator: "\n") {
                if let pid = pid_t(line) { kill(pid, SIGKILL) }
            }
        }
        _ = try? PosixProcessRunner().run(executable: ip, arguments: ["netns", "delete", name], timeout: 10)
        _ = try? PosixProcessRunner().run(executable: ip, arguments: ["link", "delete", interface], timeout: 10)
    }

    private static func ip(_ arguments: [String]) throws {
        let result = try PosixProcessRunner().run(executable: ip, arguments: arguments, timeout: 10)
        guard result.status == 0 else {
            throw NginxServer.Failure(description: "ip \(arguments.joined(separator: " ")) failed: \(result.errorText)")
        }
    }
}
