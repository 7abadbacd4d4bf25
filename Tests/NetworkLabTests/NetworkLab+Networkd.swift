import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs in the guest network namespace, in fresh mount, UTS and pid namespaces, as the pid
/// namespace's init: when it is killed, the kernel kills and reaps networkd and dbus-daemon.
/// Arguments: the .network directory, "yes" for a system bus, the ready marker, the log level.
private let namespaceScript = #"""
    set -eu
    # With /sys writable networkd waits for udev to initialize each link, and no udev runs here;
    # read-only /sys is how a container tells it to go ahead.
    mount -o remount,bind,ro /sys
    mkdir -p /run/systemd /run/dbus /etc/systemd/network
    # networkd's state files and bus socket stay in this mount namespace.
    mount -t tmpfs tmpfs /run/systemd
    mount --bind "$1" /etc/systemd/network
    if [ "$2" = yes ]; then
        # networkctl talks to networkd over the system bus.
        mount -t tmpfs tmpfs /run/dbus
        /usr/bin/dbus-daemon --system --nofork --nopidfile &
        i=0
        while [ ! -S /run/dbus/system_bus_socket ]; do
            i=$((i + 1))
            if [ $i -gt 500 ]; then echo "dbus-daemon did not start in 5 s" >&2; exit 1; fi
            sleep 0.01
        done
    fi
    SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL="$4" /lib/systemd/systemd-networkd &
    networkd=$!
    touch "$3"
    status=0
    wait $networkd || status=$?
    echo "systemd-networkd exited with status $status" >&2
    exit 1
    """#

extension NetworkLab {
    /// Writes `files` into `networkDirectory` and starts systemd-networkd on them in the guest
    /// namespace (with a dbus-daemon if `dbus`, which networkctl needs), then waits with
    /// systemd-networkd-wait-online until every link of `waitingFor` is configured. Naming a
    /// link waits for it even if its file says RequiredForOnline=no; naming none waits for the
    /// links whose files leave RequiredForOnline on.
    ///
    /// Throws, with networkd's and dnsmasq's output, if networkd does not start or a link is
    /// not online within `timeout` seconds (networkd is then killed by `shutdown`).
    func startNetworkd(
        files: [(name: String, text: String)], dbus: Bool = false, waitingFor links: [String], timeout: Int = 20
    ) throws {
        let start = Date()
        for file in files {
            try Data(file.text.utf8).write(to: networkDirectory.appendingPathComponent(file.name))
        }
        let ready = directory.appendingPathComponent("networkd.ready")
        let level = ProcessInfo.processInfo.environment["NETWORKLAB_LOG_LEVEL"] ?? "info"
        let process = try BackgroundProcess(
            name: "systemd-networkd",
            [
                Self.ip, "netns", "exec", guestNamespace, Self.unshare, "--mount", "--uts", "--pid", "--fork",
                "--kill-child", "--propagation", "private", "/bin/sh", "-c", namespaceScript, "sh",
                networkDirectory.path, dbus ? "yes" : "no", ready.path, level,
            ],
            logPath: directory.appendingPathComponent("networkd.log").path)
        networkd = process
        let started = Command.poll(timeout: 10) {
            !process.isRunning || FileManager.default.fileExists(atPath: ready.path)
        }
        guard started, process.isRunning, let initPid = Self.onlyChild(of: process.pid) else {
            throw CommandError(description: "NetworkLab: systemd-networkd did not start\n\(logs())")
        }
        namespaceInit = initPid
        let arguments = links.flatMap { ["-i", $0] }
        // wait-online's own timeout first; ours (10 s later) catches a wait-online that hangs.
        let result = try Command.run(
            inNetworkdNamespaces([Self.waitOnline, "--timeout=\(timeout)"] + arguments),
            timeout: Double(timeout + 10))
        guard result.succeeded else {
            throw CommandError(
                description: "NetworkLab: \(links.joined(separator: ", ")) not online in \(timeout) s"
                    + " (wait-online exited with \(result.status)):\n\(result.errorOutput)\(logs())")
        }
        print(
            "NetworkLab \(guestNamespace): namespaces, NICs and dnsmasq took"
                + " \(String(format: "%.2f", setupSeconds)) s; networkd had \(links.joined(separator: ", "))"
                + " online after \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
    }

    /// Runs networkctl with `arguments` against the lab's networkd (needs `dbus: true`);
    /// throws with its output and networkd's log if it fails.
    @discardableResult
    func networkctl(_ arguments: [String]) throws -> String {
        let result = try Command.run(inNetworkdNamespaces([Self.networkctlPath] + arguments), timeout: 15)
        guard result.succeeded else {
            throw CommandError(
                description: "networkctl \(arguments.joined(separator: " ")) exited with \(result.status):\n"
                    + result.output + result.errorOutput + logs())
        }
        return result.output
    }

    /// The guest namespace's links, addresses and routes now.
    func snapshot() throws -> IPSnapshot {
        func query<T: Decodable>(_ type: T.Type, _ arguments: [String]) throws -> T {
            let output = try Command.check([Self.ip, "-n", guestNamespace, "-j"] + arguments)
            return try JSONDecoder().decode(T.self, from: Data(output.utf8))
        }
        return IPSnapshot(
            links: try query([IPLink].self, ["link", "show"]),
            addresses: try query([IPAddressList].self, ["address", "show"]),
            routes: try query([IPRoute].self, ["-4", "route", "show", "table", "all"]),
            routes6: try query([IPRoute].self, ["-6", "route", "show", "table", "all"]))
    }

    /// Takes snapshots until `condition` holds for one (returned) or `timeout` seconds pass
    /// (throws, with the last snapshot and the logs).
    func waitForState(timeout: Double = 10, _ what: String, _ condition: (IPSnapshot) -> Bool) throws -> IPSnapshot {
        var last = try snapshot()
        let met = try Command.poll(timeout: timeout) {
            last = try snapshot()
            return condition(last)
        }
        guard met else {
            throw CommandError(
                description: "NetworkLab: not reached in \(timeout) s: \(what)\n\(last.summary)\n\(logs())")
        }
        return last
    }

    /// networkd's and dnsmasq's output so far, for failure messages.
    func logs() -> String {
        [networkd, dnsmasq].compactMap { $0?.report() }.joined(separator: "\n")
    }

    /// `command` run in networkd's mount, UTS and network namespaces, where its state files
    /// and bus socket are.
    private func inNetworkdNamespaces(_ command: [String]) -> [String] {
        [Self.nsenter, "-t", String(namespaceInit ?? 0), "--mount", "--uts", "--net", "--"] + command
    }

    /// The one child of `pid` (unshare's child: the namespace's init), from /proc.
    static func onlyChild(of pid: pid_t) -> pid_t? {
        let path = "/proc/\(pid)/task/\(pid)/children"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { pid_t($0) }
    }
}
