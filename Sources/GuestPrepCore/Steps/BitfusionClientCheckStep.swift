import GuestPrepConfig
import GuestPrepModel

/// At every boot, a TLS handshake with each Bitfusion server in the first Bitfusion user's
/// servers.conf (else /etc/bitfusion/servers.conf), verified against /etc/bitfusion/tls/ca.crt:
/// what the client itself does before it asks for GPUs. The user guide's symptoms become
/// findings with their fix: a certificate "signed by unknown authority" means the client
/// belongs to another cluster or vCenter (cloned, moved, or the servers were reinstalled) and
/// must be re-enabled. Nothing is changed; an unreachable server is a warning, a certificate
/// the CA does not vouch for an error.
public struct BitfusionClientCheckStep: Step {
    public init() {}

    public let id = "bitfusion-client-check"
    public let stage = Stage.main
    public let frequency = StepFrequency.everyBoot
    public let summary = "TLS to every Bitfusion server verified against the cluster's ca.crt"

    public static let systemServersConf = "/etc/bitfusion/servers.conf"
    /// Seconds for each handshake.
    public static let timeout = 5.0
    /// The most of a user's servers.conf that is read: a real one lists a few servers.
    static let readLimit = 1 << 20

    /// The servers.conf the client uses: the first of `users`' that exists, else the system's;
    /// nil when none exists. `refused`: why a user's could not be read (each names the user and
    /// the path). Shared with `guestprep health`'s role checks.
    static func findServersConf(fs: any FileSystem, users: [String]) throws -> (found: (path: String, text: String)?, refused: [String]) {
        let accounts = try BitfusionAccounts.read(fs: fs)
        let resolved = (try? accounts.resolve(users)) ?? []
        // A user's servers.conf is read below the home without following a link: root would
        // read (and quote in its findings) whatever file a link points to, /etc/shadow too.
        var refused: [String] = []
        var found: (path: String, text: String)?
        for user in resolved where found == nil {
            let path = BitfusionAccounts.directory(of: user) + "/servers.conf"
            do {
                if let bytes = try fs.readUnderHome(path, home: accounts.home(of: user), limit: Self.readLimit) {
                    found = (path, String(decoding: bytes, as: UTF8.self))
                }
            } catch {
                refused.append("\(error)")
            }
        }
        if found == nil, let text = try fs.readText(Self.systemServersConf) { found = (Self.systemServersConf, text) }
        return (found, refused)
    }

    public func plan(_ context: StepContext) throws -> StepPlan {
        let fs = context.fs
        let (found, refusedReasons) = try Self.findServersConf(fs: fs, users: context.spec.bitfusion.users)
        let refused = refusedReasons.map { Diagnostic.error(nil, $0) }
        guard let (path, text) = found else {
            return StepPlan(diagnostics: refused + [.info(nil, "no servers.conf yet: the client has not enrolled, so no Bitfusion server is checked")])
        }
        let conf: ServersConf
        do { conf = try ServersConfDecoder.decode(text) } catch {
            return StepPlan(diagnostics: refused + [.error(nil, "\(path): \(error)")])
        }
        guard fs.exists(BitfusionClientStep.caPath), let caFile = fs.hostPath(of: BitfusionClientStep.caPath) else {
            return StepPlan(diagnostics: refused + [
                .error(nil, "\(BitfusionClientStep.caPath) is missing: the client cannot verify its servers; re-enable the client (guestprep reenable-client)")
            ])
        }
        guard let probe = context.tlsProbe else {
            return StepPlan(diagnostics: refused + [.info(nil, "Bitfusion servers are checked only on the running system (--root is not /)")])
        }
        var diagnostics: [Diagnostic] = refused
        var trusted = 0
        let addresses = conf.servers.flatMap { $0 }
        for address in addresses {
            let result = probe.probe(host: "\(address.address)", port: address.port, caFile: caFile, timeout: Self.timeout)
            if result == .trusted { trusted += 1 }
            if let diagnostic = Self.diagnostic(address, result) { diagnostics.append(diagnostic) }
        }
        diagnostics.insert(
            .info(nil, "Bitfusion servers (\(path)): \(trusted) of \(addresses.count) answer with a certificate of the cluster's CA"),
            at: refused.count)
        return StepPlan(diagnostics: diagnostics)
    }

    /// The finding for one server, nil when it is trusted.
    static func diagnostic(_ address: BitfusionServerAddress, _ result: TLSEndpointResult) -> Diagnostic? {
        switch result {
        case .trusted:
            return nil
        case .refused(let reason):
            return .warning(nil, "Bitfusion server \(address): \(reason): is the server up? Remove a server that no longer exists with the vSphere Bitfusion plugin (or bitfusion removenode)")
        case .timedOut:
            return .warning(nil, "Bitfusion server \(address): no answer within \(Int(timeout)) s: check the address, the route from this VM's data NICs and the firewall (TCP \(address.port))")
        case .unknownAuthority(let reason):
            return .error(nil, "Bitfusion server \(address): x509: certificate signed by unknown authority (\(reason)): this client belongs to another cluster or vCenter (cloned, moved, or the servers were reinstalled): re-enable it in the vSphere Bitfusion plugin with the VM powered off, then run guestprep reenable-client")
        case .certificateProblem(let reason):
            return .error(nil, "Bitfusion server \(address): its certificate is not valid for it (\(reason)): check the server's address in servers.conf and the server's clock")
        case .handshakeFailed(let reason):
            return .warning(nil, "Bitfusion server \(address): no TLS handshake (\(reason)): is a Bitfusion server listening on port \(address.port)?")
        }
    }
}
