/// A Bitfusion client's servers.conf, decoded: the servers it may use, each with its
/// addresses.
public struct ServersConf: Sendable, Equatable {
    /// How the file is written.
    public enum Format: String, Sendable, Equatable {
        /// Bitfusion 3.5 and later: a YAML mapping whose `servers` list gives each server's
        /// `addresses`.
        case yaml
        /// Older clients: one server per line, `IP`, `IP:PORT` or `IP PORT`.
        case lines
    }

    /// How the file is written.
    public var format: Format
    /// Each server's addresses, in file order; in the line format each server has one.
    public var servers: [[BitfusionServerAddress]]

    public init(format: Format, servers: [[BitfusionServerAddress]]) {
        self.format = format
        self.servers = servers
    }

    /// Every address of every server, in file order.
    public var addresses: [BitfusionServerAddress] { servers.flatMap { $0 } }
}
