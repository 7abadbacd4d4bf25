#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepConfig
import GuestPrepCore
@testable import GuestPrepLinux
import GuestPrepTesting
import Testing

/// What these tests need: root and iproute2 for the network namespace, nginx and openssl.
private enum Needs {
    static let reason: String? =
        TestNetworkNamespace.unavailableReason
        ?? (NginxServer.executable == nil ? "needs nginx (apt-get install nginx)" : nil)
        ?? (TestCertificates.executable == nil ? "needs the openssl CLI (apt-get install openssl)" : nil)
    static let available = reason == nil
    static let comment = Comment(rawValue: reason ?? "")
}

/// A Bitfusion server stand-in: nginx in a network namespace of its own, at the namespace's
/// address, with one port per way a TLS endpoint can be: a certificate from the cluster's CA
/// for its address, one from another CA, one from the cluster's CA for another address, and
/// plain http.
private final class ProbeFixture {
    static let trustedPort = 8443
    static let otherAuthorityPort = 8444
    static let otherAddressPort = 8445
    static let plainPort = 8080
    static let closedPort = 8446

    let directory = TemporaryDirectory()
    let namespace: TestNetworkNamespace
    let clusterCA: TestPKI.Issued
    let nginx: NginxProcess

    init() throws {
        namespace = try TestNetworkNamespace()
        let pki = TestPKI(in: directory.path)
        clusterCA = try pki.authority("cluster")
        let otherCA = try pki.authority("other-cluster")
        let address = namespace.peerAddress
        let trusted = try pki.server("trusted", subjectAltName: "IP:\(address)", signedBy: clusterCA)
        let foreign = try pki.server("foreign", subjectAltName: "IP:\(address)", signedBy: otherCA)
        let elsewhere = try pki.server("elsewhere", subjectAltName: "IP:\(namespace.subnet).99", signedBy: clusterCA)
        func tls(_ port: Int, _ issued: TestPKI.Issued) -> String {
            """
                server {
                    listen \(address):\(port) ssl;
                    ssl_certificate \(issued.certificate);
                    ssl_certificate_key \(issued.key);
                    return 204;
                }
            """
        }
        nginx = try NginxProcess(
            prefix: directory.file("nginx"),
            http: [
                "access_log \(directory.file("nginx"))/access.log guestprep;",
                tls(Self.trustedPort, trusted), tls(Self.otherAuthorityPort, foreign), tls(Self.otherAddressPort, elsewhere),
                "    server { listen \(address):\(Self.plainPort); return 204; }",
            ].joined(separator: "\n"),
            launcher: namespace.launcher,
            listening: [Self.trustedPort, Self.otherAuthorityPort, Self.otherAddressPort, Self.plainPort].map {
                (address, UInt16($0))
            })
    }

    deinit { nginx.stop() }

    func probe(_ port: Int, host: String? = nil, timeout: Double = 5) -> TLSEndpointResult {
        CurlTLSEndpointProbe().probe(host: host ?? namespace.peerAddress, port: port, caFile: clusterCA.certificate, timeout: timeout)
    }
}

/// CurlTLSEndpointProbe against nginx in a network namespace, one test at a time. Each test
/// makes a namespace of its own (TestNetworkNamespace numbers them), so this suite and
/// RoleHealthClientTLSTests, which the runner starts at the same time, do not share one.
@Suite(.serialized) struct TLSEndpointProbeTests {
    @Test(.enabled(if: Needs.available, Needs.comment))
    func aCertificateFromTheClusterCAIsTrusted() throws {
        let fixture = try ProbeFixture()
        #expect(fixture.probe(ProbeFixture.trustedPort) == .trusted)
        // A handshake only: nothing was asked of the server.
        #expect(fixture.nginx.log("access.log").isEmpty)
    }

    @Test(.enabled(if: Needs.available, Needs.comment))
    func aCertificateFromAnotherCAIsAnUnknownAuthority() throws {
        let fixture = try ProbeFixture()
        guard case .unknownAuthority(let message) = fixture.probe(ProbeFixture.otherAuthorityPort) else {
            Issue.record("not an unknown authority: \(fixture.probe(ProbeFixture.otherAuthorityPort))")
            return
        }
        #expect(message.contains("unable to get local issuer certificate"))
    }

    @Test(.enabled(if: Needs.available, Needs.comment))
    func aCertificateForAnotherAddressIsACertificateProblem() throws {
        let fixture = try ProbeFixture()
        let result = fixture.probe(ProbeFixture.otherAddressPort)
        guard case .certificateProblem(let message) = result else {
            Issue.record("not a certificate problem: \(result)")
            return
        }
        #expect(message.hasPrefix("the certificate is not for \(fixture.namespace.peerAddress) ("))
    }

    @Test(.enabled(if: Needs.available, Needs.comment))
    func aPortWithNothingListeningIsRefused() throws {
        let fixture = try ProbeFixture()
        #expect(
            fixture.probe(ProbeFixture.closedPort)
                == .refused("connection refused by \(fixture.namespace.peerAddress) port \(ProbeFixture.closedPort)"))
    }

    @Test(.enabled(if: Needs.available, Needs.comment))
    func anAddressNobodyAnswersTimesOut() throws {
        let fixture = try ProbeFixture()
        let start = Posix.monotonicSeconds()
        // Nobody answers ARP for it: the kernel would give up after about 3 s; the probe's
        // timeout comes first.
        #expect(fixture.probe(443, host: fixture.namespace.silentAddress, timeout: 1) == .timedOut)
        let elapsed = Posix.monotonicSeconds() - start
        #expect(elapsed >= 0.9 && elapsed < 2.5, "took \(elapsed) s")
    }

    @Test(.enabled(if: Needs.available, Needs.comment))
    func plainHTTPIsAFailedHandshake() throws {
        let fixture = try ProbeFixture()
        let result = fixture.probe(ProbeFixture.plainPort)
        guard case .handshakeFailed(let message) = result else {
            Issue.record("not a failed handshake: \(result)")
            return
        }
        #expect(!message.isEmpty)
    }

    @Test(.enabled(if: Needs.available, Needs.comment))
    func anUnreadableCAFileIsAFailedHandshake() throws {
        let fixture = try ProbeFixture()
        let result = CurlTLSEndpointProbe().probe(
            host: fixture.namespace.peerAddress, port: ProbeFixture.trustedPort, caFile: fixture.directory.file("missing.pem"),
            timeout: 5)
        guard case .handshakeFailed(let message) = result else {
            Issue.record("not a failed handshake: \(result)")
            return
        }
        #expect(message.contains("missing.pem"))
    }
}

/// `guestprep health`'s client check (RoleHealthSource's `bitfusion_server_tls`) against the
/// same stand-in: a rooted guest whose servers.conf lists the cluster's server, one of another
/// cluster and a closed port, with the cluster's ca.crt, probed by the real libcurl probe.
@Suite(.serialized) struct RoleHealthClientTLSTests {
    @Test(.enabled(if: Needs.available, Needs.comment))
    func eachServerOfServersConfIsCheckedWithTheClusterCA() throws {
        let fixture = try ProbeFixture()
        let root = TemporaryDirectory()
        let address = fixture.namespace.peerAddress
        root.write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
        root.write("etc/group", "root:x:0:\n")
        root.write(
            "etc/bitfusion/servers.conf",
            "\(address):\(ProbeFixture.trustedPort)\n\(address):\(ProbeFixture.otherAuthorityPort)\n\(address):\(ProbeFixture.closedPort)\n")
        root.write("etc/bitfusion/tls/ca.crt", readText(fixture.clusterCA.certificate))
        root.write("var/lib/dpkg/status", "Package: bitfusion-client-ubuntu2204\nStatus: install ok installed\n")
        let profile = Profile(name: "bitfusion-client", description: "", steps: ["bitfusion-client", "bitfusion-client-check"])
        let outcome = try RoleHealthSource(vcenter: nil, tlsProbe: CurlTLSEndpointProbe()).evaluate(
            HealthContext(
                fs: RootedFileSystem(root: root.path), runner: ScriptedProcessRunner(installed: []), onHost: true, profile: profile, now: 0))
        let levels = outcome.checks.filter { $0.name == "bitfusion_server_tls" }.map { "\($0.subject ?? "") \($0.level)" }
        #expect(
            levels == [
                "\(address):\(ProbeFixture.trustedPort) pass", "\(address):\(ProbeFixture.otherAuthorityPort) critical",
                "\(address):\(ProbeFixture.closedPort) warn",
            ])
        let foreign = outcome.checks.first { $0.subject == "\(address):\(ProbeFixture.otherAuthorityPort)" }
        #expect(foreign?.evidence.joined().contains("certificate signed by unknown authority") == true)
        #expect(outcome.checks.first?.name == "bitfusion_package" && outcome.checks.first?.level == .pass)
    }
}
