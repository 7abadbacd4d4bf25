import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension NetworkLab {
    /// Why the lab cannot run on this machine, or nil if it can. Checked once: root, the tools,
    /// and that a network namespace and the mount/UTS/pid namespaces can really be created.
    static let unavailableReason: String? = findUnavailableReason()

    static var available: Bool { unavailableReason == nil }
    static var skipReason: Comment { Comment(rawValue: "NetworkLab: " + (unavailableReason ?? "available")) }

    /// Why the tests that use networkctl (over a system bus) cannot run, or nil.
    static let networkctlUnavailableReason: String? =
        unavailableReason ?? missingTool([dbusDaemon, networkctlPath], package: "dbus, systemd")

    static var networkctlAvailable: Bool { networkctlUnavailableReason == nil }
    static var networkctlSkipReason: Comment {
        Comment(rawValue: "NetworkLab: " + (networkctlUnavailableReason ?? "available"))
    }

    private static func findUnavailableReason() -> String? {
        guard geteuid() == 0 else { return "needs root (it creates network namespaces and mounts)" }
        let missing =
            missingTool([ip], package: "iproute2") ?? missingTool([unshare, nsenter], package: "util-linux")
            ?? missingTool([networkdPath, waitOnline], package: "systemd")
            ?? missingTool([dnsmasqPath], package: "dnsmasq-base")
        if let missing { return missing }
        let probe = prefix + "\(getpid())-probe"
        defer { removeNamespace(probe) }
        do {
            try Command.check([ip, "netns", "add", probe])
            try Command.check([
                ip, "netns", "exec", probe, unshare, "--mount", "--uts", "--pid", "--fork", "/bin/true",
            ])
        } catch {
            return "cannot create the namespaces: \(error)"
        }
        return nil
    }

    private static func missingTool(_ paths: [String], package: String) -> String? {
        guard let path = paths.first(where: { !FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        return "\(path) is missing (apt-get install \(package))"
    }
}
