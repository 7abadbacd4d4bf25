/// What a Bitfusion client's token archive (downloaded from the vSphere Bitfusion plugin)
/// holds, checked: the CA certificate that signed the servers' certificates, the client's
/// credential and the servers it may use. The files are installed as given; the decoded
/// servers are for checks and messages.
public struct TokenArchive: Sendable, Equatable {
    /// ca.crt: PEM, one or more certificates.
    public var caCertificate: [UInt8]
    /// client.yaml: the client's credential, never shown.
    public var clientYAML: SecretBytes
    /// servers.conf, as given.
    public var serversConf: [UInt8]
    /// Every address servers.conf lists, in file order (a server with several addresses gives
    /// several).
    public var servers: [BitfusionServerAddress]

    public init(
        caCertificate: [UInt8], clientYAML: SecretBytes, serversConf: [UInt8], servers: [BitfusionServerAddress]
    ) {
        self.caCertificate = caCertificate
        self.clientYAML = clientYAML
        self.serversConf = serversConf
        self.servers = servers
    }
}
