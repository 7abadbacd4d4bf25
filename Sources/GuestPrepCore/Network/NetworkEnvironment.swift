import GuestPrepModel
import GuestPrepRender

/// What the guest uses for its network, read from its file system: which configuration
/// system is installed or enabled, which is running (for a reload), and whether cloud-init
/// would configure the network too.
public struct NetworkEnvironment: Sendable, Equatable {
    public var netplanInstalled = false
    public var networkManagerEnabled = false
    public var networkdEnabled = false
    public var networkdRunning = false
    public var networkManagerRunning = false
    public var cloudInit = CloudInit.absent

    public enum CloudInit: Sendable, Equatable {
        case absent
        /// Installed, and would configure the network.
        case active
        /// Installed, but its network configuration (or cloud-init itself) is off: by `path`.
        case networkDisabled(by: String)
    }

    public init() {}

    static let netplanPrograms = ["/usr/sbin/netplan", "/usr/bin/netplan", "/sbin/netplan"]
    static let cloudInitPrograms = ["/usr/bin/cloud-init", "/bin/cloud-init"]
    static let unitWants = "/etc/systemd/system/multi-user.target.wants/"

    /// Reads the environment under the step's file system.
    public static func detect(fs: any FileSystem) -> NetworkEnvironment {
        var environment = NetworkEnvironment()
        environment.netplanInstalled = netplanPrograms.contains(where: fs.linkOrEntryExists)
        environment.networkManagerEnabled = fs.linkOrEntryExists(unitWants + "NetworkManager.service")
        environment.networkdEnabled =
            fs.linkOrEntryExists(unitWants + "systemd-networkd.service")
            || fs.linkOrEntryExists("/etc/systemd/system/dbus-org.freedesktop.network1.service")
        // Each manager keeps runtime state under /run only while it runs.
        environment.networkdRunning = fs.exists("/run/systemd/netif/state")
        environment.networkManagerRunning = fs.exists("/run/NetworkManager")
        environment.cloudInit = cloudInitStatus(fs)
        return environment
    }

    /// The kind to write for: the override when given, else netplan when installed, else
    /// NetworkManager when enabled, else systemd-networkd; and why, in words.
    public func choose(override: NetworkRendererKind?) -> (kind: NetworkRendererKind, reason: String) {
        if let override { return (override, "as \(PropertyKeys.networkRenderer) asks") }
        if netplanInstalled { return (.netplan, "netplan is installed") }
        if networkManagerEnabled { return (.networkManager, "NetworkManager is enabled") }
        return (.networkd, "neither netplan nor an enabled NetworkManager was found")
    }

    private static func cloudInitStatus(_ fs: any FileSystem) -> CloudInit {
        guard cloudInitPrograms.contains(where: fs.linkOrEntryExists) else { return .absent }
        let disabledMarker = "/etc/cloud/cloud-init.disabled"
        if fs.exists(disabledMarker) { return .networkDisabled(by: disabledMarker) }
        let directory = CloudInitNetworkRenderer.directory
        for name in (try? fs.list(directory)) ?? [] where name.hasSuffix(".cfg") && name != CloudInitNetworkRenderer.fileName {
            let path = directory + "/" + name
            if let text = try? fs.readText(path), disablesNetwork(text) { return .networkDisabled(by: path) }
        }
        return .active
    }

    /// Whether a cloud.cfg.d file holds `network: {config: disabled}` (flow or block form).
    package static func disablesNetwork(_ text: String) -> Bool {
        let compact = String(text.filter { $0 != " " && $0 != "\t" && $0 != "\"" && $0 != "'" })
        for line in compact.split(separator: "\n") where !line.hasPrefix("#") {
            if line == "network:{config:disabled}" { return true }
        }
        // Block form: a `network:` line followed by an indented `config: disabled`.
        let lines = text.split(separator: "\n").map { String($0) }
        for (offset, line) in lines.enumerated() where line.trimmingCharacters(in: " \t") == "network:" {
            guard offset + 1 < lines.count else { continue }
            let next = lines[offset + 1]
            let value = next.trimmingCharacters(in: " \t").filter { $0 != "\"" && $0 != "'" }
            if next.first == " " || next.first == "\t", value == "config: disabled" { return true }
        }
        return false
    }
}
