/// One address of a Bitfusion server, as a client's servers.conf lists it: an IPv4 address and
/// the TCP port the server listens on. Bitfusion supports IPv4 only.
public struct BitfusionServerAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The port a servers.conf line means when it gives none.
    public static let defaultPort = 56001
    /// The ports an address may have.
    public static let portRange = 1...65535

    /// The server's IPv4 address.
    public var address: IPv4Address
    /// The server's TCP port, 1 to 65535.
    public var port: Int

    /// An address; `port` must be in ``portRange``.
    public init(address: IPv4Address, port: Int = BitfusionServerAddress.defaultPort) {
        precondition(Self.portRange.contains(port), "port out of range")
        self.address = address
        self.port = port
    }

    /// `IP:PORT`, as the YAML servers.conf writes it: `172.31.51.20:56001`.
    public var description: String { "\(address):\(port)" }
}
