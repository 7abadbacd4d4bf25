import GuestPrepConfig
import GuestPrepModel

/// The Bitfusion role's health checks, as the user guide's own health checks see a server and
/// a client:
/// - a server: `vcenter_check` (its vCenter Server answers over TLS, trusted as the properties
///   say, and is the one `vcenter-guid` names), `bitfusion_package` and `bitfusion_service`
///   (`bitfusion-manager.service` active);
/// - a client: `bitfusion_package` (the client package) and `bitfusion_server_tls`, one per
///   server of servers.conf: a TLS handshake verified against the cluster's ca.crt, as
///   `bitfusion-client-check` makes it.
/// A role without Bitfusion has none of them. What must ask the live system (the network, a
/// service, rpm) is `unknown` off the running system, never a pass.
///
/// The vCenter check never sends the password, which `secrets-clear` removed from guestinfo
/// after enrollment anyway: it checks what can be checked without one — the TCP connection,
/// the TLS handshake and certificate (CA file, pinned thumbprint or the system CAs, as
/// `vcenter-verify` trusts it), and the instance UUID through SOAP RetrieveServiceContent,
/// which vSphere answers before any login. That the user and password are accepted is checked
/// once, by `vcenter-verify` at enrollment.
public struct RoleHealthSource: HealthSource {
    public let name = "Bitfusion role checks"

    /// The vCenter Server's identity without a login; nil where it cannot be asked.
    public var vcenter: (any VCenterIdentityProbe)?
    /// TLS handshakes with the client's servers; nil where they cannot be made.
    public var tlsProbe: (any TLSEndpointProbe)?
    /// Seconds for each connection.
    public var timeout: Double

    /// The unit of the Bitfusion server software: "systemd 文件位于
    /// /lib/systemd/system/bitfusion-manager.service 中" ("Starting and stopping the vSphere
    /// Bitfusion service", the vSphere Bitfusion user guide, reference/bitfusion-user-guide.zh.txt).
    /// The guide names no service on a client: the client is an ordinary program there.
    public static let serverUnit = "bitfusion-manager.service"
    /// Where the unit file may lie (the guide's path, and the same under /usr on merged-/usr
    /// systems, and an administrator's copy).
    public static let serverUnitPaths = [
        "/lib/systemd/system/" + serverUnit, "/usr/lib/systemd/system/" + serverUnit, "/etc/systemd/system/" + serverUnit,
    ]
    /// VMware's client packages are named by distribution (`bitfusion-client-ubuntu2204`, from
    /// the .deb `bitfusion-client-ubuntu2204_4.5.4-5_amd64.deb`; `bitfusion-client-centos8`):
    /// the prefix they share.
    public static let clientPackagePrefix = "bitfusion-client"
    /// Any Bitfusion package, for a server, whose packaging the guide does not name.
    public static let serverPackagePrefix = "bitfusion"
    public static let dpkgStatus = "/var/lib/dpkg/status"

    public init(vcenter: (any VCenterIdentityProbe)?, tlsProbe: (any TLSEndpointProbe)?, timeout: Double = 5) {
        self.vcenter = vcenter
        self.tlsProbe = tlsProbe
        self.timeout = timeout
    }

    /// The Bitfusion role of the VM, from the profile's steps, else from the properties.
    public enum Role: Sendable, Equatable {
        case server, client
    }

    public static func role(profile: Profile?, spec: GuestSpec?) -> Role? {
        if let steps = profile?.steps {
            if steps.contains("vcenter-verify") || steps.contains("bitfusion-server-check") { return .server }
            if steps.contains("bitfusion-client") || steps.contains("bitfusion-client-check") { return .client }
            return nil
        }
        if spec?.server != nil { return .server }
        if spec?.client != nil { return .client }
        return nil
    }

    public func evaluate(_ context: HealthContext) throws -> HealthOutcome {
        switch Self.role(profile: context.profile, spec: context.spec) {
        case nil:
            return HealthOutcome()
        case .server:
            return HealthOutcome(checks: [
                vcenterCheck(context),
                packageCheck(context, prefix: Self.serverPackagePrefix, excluding: Self.clientPackagePrefix),
                serviceCheck(context),
            ])
        case .client:
            var outcome = serverTLSChecks(context)
            outcome.checks.insert(packageCheck(context, prefix: Self.clientPackagePrefix, excluding: nil), at: 0)
            return outcome
        }
    }

    // MARK: - Server

    func vcenterCheck(_ context: HealthContext) -> HealthCheck {
        let name = "vcenter_check"
        guard let server = context.spec?.server else {
            return HealthCheck(
                name: name, level: .unknown, evidence: ["the guestinfo.bitfusion.server.* properties cannot be read now"],
                fix: "check that \(PropertyKeys.vcenterURL) and \(PropertyKeys.vcenterGUID) are set (guestprep properties)")
        }
        let subject = server.vcenterURL
        guard context.onHost, let vcenter else {
            return HealthCheck(
                name: name, level: .unknown, subject: subject, evidence: ["the vCenter Server is asked only on the running system (--root is not /)"])
        }
        let trust: VCenterTrust
        let trustWords: String
        if let thumbprint = server.thumbprint {
            trust = .thumbprint(thumbprint)
            trustWords = "the pinned thumbprint \(thumbprint)"
        } else if let caFile = server.caFile {
            guard context.fs.exists(caFile), let host = context.fs.hostPath(of: caFile) else {
                return HealthCheck(
                    name: name, level: .critical, subject: subject, evidence: ["\(caFile) (\(PropertyKeys.vcenterCAFile)) does not exist"],
                    fix: "put the vCenter Server's CA back at \(caFile), or pin its thumbprint in \(PropertyKeys.vcenterThumbprint)")
            }
            trust = .caFile(host)
            trustWords = "the CA file \(caFile)"
        } else {
            trust = .systemCAs
            trustWords = "the system's CAs"
        }
        do {
            let identity = try vcenter.identify(url: server.vcenterURL, expectedGUID: server.vcenterGUID, trust: trust, timeout: timeout)
            return HealthCheck(
                name: name, level: .pass, subject: subject,
                evidence: [
                    "TLS verified by \(trustWords)", "\(identity.fullName), instance UUID \(identity.instanceUUID) = \(PropertyKeys.vcenterGUID)",
                    "the login is not checked here: no password is kept after enrollment (vcenter-verify checked it)",
                ])
        } catch {
            return HealthCheck(name: name, level: .critical, subject: subject, evidence: [error.description], fix: Self.fix(error))
        }
    }

    static func fix(_ error: VCenterError) -> String {
        switch error {
        case .unreachable: "check the route to the vCenter Server, DNS and the firewall (TCP 443)"
        case .tls, .thumbprintMismatch:
            "if vCenter's certificate was renewed, give its CA in \(PropertyKeys.vcenterCAFile) or its new thumbprint in \(PropertyKeys.vcenterThumbprint)"
        case .guidMismatch, .notVCenter: "point \(PropertyKeys.vcenterURL) at the vCenter Server this server is registered with"
        case .http, .malformed, .fault, .invalidLogin: "check that \(PropertyKeys.vcenterURL) is a vCenter Server and that it is up"
        }
    }

    func serviceCheck(_ context: HealthContext) -> HealthCheck {
        let name = "bitfusion_service"
        let subject = Self.serverUnit
        guard context.onHost else {
            return HealthCheck(name: name, level: .unknown, subject: subject, evidence: ["a service is asked only on the running system (--root is not /)"])
        }
        guard Self.serverUnitPaths.contains(where: { context.fs.exists($0) }) else {
            return HealthCheck(
                name: name, level: .critical, subject: subject,
                evidence: ["no unit file \(Self.serverUnitPaths.joined(separator: ", "))"],
                fix: "install the vSphere Bitfusion server software (the guide's bitfusion-manager.service)")
        }
        guard let systemctl = CommandTable.resolve("systemctl", using: context.runner) else {
            return HealthCheck(name: name, level: .unknown, subject: subject, evidence: ["systemctl is not installed"])
        }
        let result: ProcessResult
        do {
            result = try context.runner.run(
                executable: systemctl, arguments: ["is-active", Self.serverUnit], timeout: CommandTable.timeout(for: "systemctl"))
        } catch {
            return HealthCheck(name: name, level: .unknown, subject: subject, evidence: ["systemctl is-active \(Self.serverUnit): \(error)"])
        }
        // systemctl(1), is-active: prints the unit's active state; exit status 0 only when active.
        let state = result.outputText.split(separator: "\n").first.map(String.init) ?? ""
        let evidence = ["systemctl is-active \(Self.serverUnit): \(state.isEmpty ? "(no answer)" : state) (exit \(result.status))"]
        switch state {
        case "active" where result.status == 0:
            return HealthCheck(name: name, level: .pass, subject: subject, evidence: evidence)
        case "activating", "reloading", "deactivating", "refreshing":
            return HealthCheck(
                name: name, level: .warn, subject: subject, evidence: evidence,
                fix: "wait for it, then look at journalctl -u \(Self.serverUnit)")
        default:
            return HealthCheck(
                name: name, level: .critical, subject: subject, evidence: evidence,
                fix: "systemctl start bitfusion; the reason is in journalctl -u \(Self.serverUnit)")
        }
    }

    // MARK: - Package

    /// The installed packages whose name starts with `prefix` (and not with `excluding`):
    /// dpkg's database where it exists (a file, so also off the running system), else
    /// `rpm -qa` on the running system.
    func packageCheck(_ context: HealthContext, prefix: String, excluding: String?) -> HealthCheck {
        let name = "bitfusion_package"
        func keep(_ package: String) -> Bool {
            package.hasPrefix(prefix) && !(excluding.map { package.hasPrefix($0) } ?? false)
        }
        var found: [String]
        let source: String
        let dpkg: String?
        do { dpkg = try context.fs.readText(Self.dpkgStatus) } catch {
            return HealthCheck(name: name, level: .unknown, evidence: ["\(error)"])
        }
        if let status = dpkg {
            found = DpkgStatusDecoder.installed(Substring(status), prefix: prefix).map(\.name).filter(keep)
            source = Self.dpkgStatus
        } else if context.onHost, let rpm = CommandTable.resolve("rpm", using: context.runner) {
            let result: ProcessResult
            do {
                result = try context.runner.run(
                    executable: rpm, arguments: ["-qa", "--queryformat", "%{NAME}\\n"], timeout: CommandTable.timeout(for: "rpm"))
            } catch {
                return HealthCheck(name: name, level: .unknown, evidence: ["rpm -qa: \(error)"])
            }
            guard result.status == 0 else {
                return HealthCheck(name: name, level: .unknown, evidence: ["rpm -qa exited \(result.status): \(result.errorText.prefix(200))"])
            }
            found = result.outputText.split(separator: "\n").map(String.init).filter(keep)
            source = "rpm -qa"
        } else {
            return HealthCheck(
                name: name, level: .unknown,
                evidence: ["no \(Self.dpkgStatus), and rpm is asked only on the running system"])
        }
        found = Array(Set(found)).sorted()
        if !found.isEmpty {
            // No subject: the check is one per VM, and its Prometheus series must not change
            // with a package's name.
            return HealthCheck(name: name, level: .pass, evidence: ["installed (\(source)): \(found.joined(separator: ", "))"])
        }
        if excluding != nil, Self.serverUnitPaths.contains(where: { context.fs.exists($0) }) {
            return HealthCheck(
                name: name, level: .warn, evidence: ["no package named \(prefix)* (\(source)), but \(Self.serverUnit) is there: installed outside the package manager"],
                fix: "install the Bitfusion server from its package so that it can be updated")
        }
        return HealthCheck(
            name: name, level: .critical, evidence: ["no installed package named \(prefix)* (\(source))"],
            fix: excluding == nil
                ? "install the vSphere Bitfusion client package (\(PropertyKeys.bitfusionClientPackage), or apt-get/dnf install it)"
                : "install the vSphere Bitfusion server software")
    }

    // MARK: - Client

    func serverTLSChecks(_ context: HealthContext) -> HealthOutcome {
        let name = "bitfusion_server_tls"
        let found: (path: String, text: String)?
        let refused: [String]
        do {
            (found, refused) = try BitfusionClientCheckStep.findServersConf(fs: context.fs, users: context.spec?.bitfusion.users ?? ["root"])
        } catch {
            return HealthOutcome(checks: [HealthCheck(name: name, level: .unknown, evidence: ["servers.conf cannot be looked for: \(error)"])])
        }
        guard let (path, text) = found else {
            return HealthOutcome(checks: [
                HealthCheck(
                    name: name, level: .critical,
                    evidence: refused + ["no servers.conf (\(BitfusionClientCheckStep.systemServersConf) or a Bitfusion user's ~/.bitfusion): the client has not enrolled"],
                    fix: "enroll the client (\(PropertyKeys.clientAccessToken)) or re-enable it (guestprep reenable-client)")
            ])
        }
        let conf: ServersConf
        do { conf = try ServersConfDecoder.decode(text) } catch {
            return HealthOutcome(checks: [
                HealthCheck(name: name, level: .critical, evidence: ["\(path): \(error)"], fix: "re-enable the client (guestprep reenable-client)")
            ])
        }
        let addresses = conf.servers.flatMap { $0 }
        guard context.fs.exists(BitfusionClientStep.caPath), let caFile = context.fs.hostPath(of: BitfusionClientStep.caPath) else {
            return HealthOutcome(checks: [
                HealthCheck(
                    name: name, level: .critical, evidence: ["\(BitfusionClientStep.caPath) is missing: the client cannot verify its servers"],
                    fix: "re-enable the client (guestprep reenable-client)")
            ])
        }
        guard context.onHost, let tlsProbe else {
            return HealthOutcome(checks: addresses.map {
                HealthCheck(name: name, level: .unknown, subject: "\($0)", evidence: ["servers are asked only on the running system (--root is not /)"])
            })
        }
        let results = addresses.map { ($0, tlsProbe.probe(host: "\($0.address)", port: $0.port, caFile: caFile, timeout: timeout)) }
        let trusted = results.filter { $0.1 == .trusted }.count
        var checks: [HealthCheck] = []
        for (address, result) in results {
            let subject = "\(address)"
            guard let finding = BitfusionClientCheckStep.diagnostic(address, result) else {
                checks.append(
                    HealthCheck(name: name, level: .pass, subject: subject, evidence: ["TLS handshake verified by \(BitfusionClientStep.caPath) (\(path))"]))
                continue
            }
            let level: HealthCheck.Level
            switch result {
            case .unknownAuthority, .certificateProblem: level = .critical
            // One server down of several: the client still gets GPUs; all down: it gets none.
            default: level = trusted > 0 ? .warn : .critical
            }
            checks.append(HealthCheck(name: name, level: level, subject: subject, evidence: [finding.message], fix: Self.fix(result, address)))
        }
        let metrics = [
            HealthMetric(name: "guestprep_bitfusion_servers", help: "Bitfusion servers in the client's servers.conf.", value: Double(addresses.count)),
            HealthMetric(
                name: "guestprep_bitfusion_servers_trusted",
                help: "Bitfusion servers that completed a TLS handshake verified by the cluster's CA.", value: Double(trusted)),
        ]
        return HealthOutcome(checks: checks, metrics: metrics)
    }

    static func fix(_ result: TLSEndpointResult, _ address: BitfusionServerAddress) -> String {
        switch result {
        case .trusted: ""
        case .unknownAuthority:
            "re-enable the client in the vSphere Bitfusion plugin (VM powered off), then guestprep reenable-client"
        case .certificateProblem: "check the server's address in servers.conf and both clocks"
        case .refused, .handshakeFailed: "start the Bitfusion server at \(address), or remove it from the cluster"
        case .timedOut: "check the route and the firewall to \(address) (TCP \(address.port))"
        }
    }
}
