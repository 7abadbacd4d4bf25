import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension NetworkLab {
    /// Kills everything the lab started and deletes its namespaces and files. Idempotent; never
    /// throws (a test calls it from `defer`).
    func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        if let networkd {
            // Killing the pid namespace's init makes the kernel kill and reap networkd and
            // dbus-daemon; unshare then reaps the init and exits, and Process reaps unshare.
            // (SIGTERM to unshare would be ignored, and SIGKILL to it would orphan the init.)
            if let namespaceInit { kill(namespaceInit, SIGKILL) }
            networkd.stop(signal: namespaceInit == nil ? SIGKILL : nil, grace: 5)
        }
        dnsmasq?.stop()
        for namespace in [guestNamespace, switchNamespace] {
            Self.removeNamespace(namespace)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Kills what still runs in `namespace` (normally nothing) and deletes it; the kernel
    /// deletes its veths with it.
    static func removeNamespace(_ namespace: String) {
        guard FileManager.default.fileExists(atPath: "/run/netns/" + namespace) else { return }
        if let pids = try? Command.run([ip, "netns", "pids", namespace]).output {
            for pid in pids.split(whereSeparator: \.isWhitespace).compactMap({ pid_t($0) }) {
                kill(pid, SIGKILL)
            }
        }
        _ = try? Command.run([ip, "netns", "delete", namespace])
    }

    private static let leftoversRemoved: Void = removeLeftovers()

    /// Removes leftovers once per test process.
    static func removeLeftoversOnce() { leftoversRemoved }

    /// Removes the namespaces and directories of labs whose test process is gone (killed before
    /// its `defer` ran), so that they cannot pile up or break later runs.
    static func removeLeftovers() {
        let namespaces = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        for name in namespaces where isLeftover(name) {
            removeNamespace(name)
        }
        let temporary = FileManager.default.temporaryDirectory
        let directories = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in directories where isLeftover(name) {
            try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
    }

    /// Whether `name` is `gplab-PID-…` for a PID that no longer runs.
    private static func isLeftover(_ name: String) -> Bool {
        guard name.hasPrefix(prefix) else { return false }
        let fields = name.dropFirst(prefix.count).split(separator: "-")
        guard let owner = fields.first.flatMap({ pid_t($0) }) else { return false }
        return !isRunning(owner)
    }

    /// Whether `pid` runs: it exists and is not a zombie (a killed test process whose parent
    /// is gone stays one until pid 1 reaps it, which on these machines can take a while).
    private static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        // The state letter follows the parenthesised command name.
        return stat[close...].dropFirst(2).first != "Z"
    }
}
