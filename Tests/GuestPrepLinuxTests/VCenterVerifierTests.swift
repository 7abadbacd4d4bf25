#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCurlLoader
import GuestPrepCore
@testable import GuestPrepLinux
import GuestPrepModel
import Testing

/// What the vcsim tests need: openssl and vcsim-lite (built from Tests/Tools/vcsim; as root
/// with apt-get, a failed build is a failure, not a skip), and nginx for those that put one in
/// front of vcsim.
private enum Needs {
    static let vcsim = TestCertificates.executable != nil && VCSimServer.buildable
    static let vcsimReason: Comment =
        "needs the openssl CLI and vcsim-lite (golang-go and golang-github-vmware-govmomi-dev, or root with apt-get to install them)"
    static let vcsimAndNginx = vcsim && NginxServer.executable != nil
    static let vcsimAndNginxReason: Comment = "\(vcsimReason), and nginx"
    static let opensslAndNginx = TestCertificates.executable != nil && NginxServer.executable != nil
}

/// A vcsim-lite serving a certificate for 127.0.0.1 signed by a test CA (or self-signed).
private final class VCenterFixture {
    static let uuid = "5f3c2a10-8b7e-4d2a-9c61-0e4f7a9b3d21"

    let directory = TemporaryDirectory()
    let pki: TestPKI
    let authority: TestPKI.Issued
    let certificate: TestPKI.Issued
    let server: VCSimServer

    init(selfSigned: Bool = false, subjectAltName: String = "IP:127.0.0.1, DNS:localhost") throws {
        pki = TestPKI(in: directory.path)
        authority = try pki.authority("vcenter-ca")
        certificate =
            selfSigned
            ? try pki.selfSigned("vcenter", subjectAltName: subjectAltName)
            : try pki.server("vcenter", subjectAltName: subjectAltName, signedBy: authority)
        server = try VCSimServer(
            directory: directory.path, certificate: certificate.certificate, key: certificate.key, uuid: Self.uuid)
    }

    func check(
        _ trust: VCenterTrust, url: String? = nil, guid: String = uuid, password: String = VCSimServer.password,
        timeout: Double = 10
    ) -> VCenterCheck {
        VCenterCheck(
            url: url ?? server.origin, expectedGUID: guid, username: VCSimServer.username, password: Secret(password),
            trust: trust, timeout: timeout)
    }
}

/// The error `verify` throws, after checking that its description holds no password; nil
/// (and a recorded issue) when it passes.
private func failure(
    _ check: VCenterCheck, sourceLocation: SourceLocation = #_sourceLocation
) -> VCenterError? {
    do {
        let identity = try CurlVCenterVerifier().verify(check)
        Issue.record("expected a failure, got \(identity)", sourceLocation: sourceLocation)
        return nil
    } catch {
        let text = "\(error) \(String(reflecting: error))"
        #expect(!text.contains(check.password.reveal()), "the error shows the password", sourceLocation: sourceLocation)
        #expect(!text.contains(VCSimServer.password), "the error shows the password", sourceLocation: sourceLocation)
        return error
    }
}

/// CurlVCenterVerifier against vcsim-lite, one test at a time (each starts its own).
@Suite(.serialized) struct VCenterVerifierTests {
    @Test(.enabled(if: Needs.vcsim, Needs.vcsimReason))
    func rightGUIDAndPasswordPassWithTheFullName() throws {
        let fixture = try VCenterFixture()
        #expect(fixture.server.instanceUUID == VCenterFixture.uuid)
        let identity = try CurlVCenterVerifier().verify(fixture.check(.caFile(fixture.authority.certificate)))
        #expect(identity == VCenterIdentity(fullName: "VMware vCenter Server 6.5.0 build-5973321", instanceUUID: VCenterFixture.uuid))
        // A trailing slash, or /sdk already there, changes nothing.
        _ = try CurlVCenterVerifier().verify(fixture.check(.caFile(fixture.authority.certificate), url: fixture.server.origin + "/"))
        _ = try CurlVCenterVerifier().verify(fixture.check(.caFile(fixture.authority.certificate), url: fixture.server.origin + "/sdk"))
    }

    @Test(.enabled(if: Needs.vcsim, Needs.vcsimReason))
    func theGUIDIsComparedCaseInsensitively() throws {
        let fixture = try VCenterFixture()
        let identity = try CurlVCenterVerifier().verify(
            fixture.check(.caFile(fixture.authority.certificate), guid: VCenterFixture.uuid.uppercased()))
        // As the server wrote it.
        #expect(identity.instanceUUID == VCenterFixture.uuid)
    }

    @Test(.enabled(if: Needs.vcsim, Needs.vcsimReason))
    func aWrongGUIDIsAGUIDMismatch() throws {
        let fixture = try VCenterFixture()
        let other = "5f3c2a10-8b7e-4d2a-9c61-0e4f7a9b3d22"
        #expect(
            failure(fixture.check(.caFile(fixture.authority.certificate), guid: other))
                == .guidMismatch(expected: other, actual: VCenterFixture.uuid))
    }

    @Test(.enabled(if: Needs.vcsim, Needs.vcsimReason))
    func aWrongPasswordIsAnInvalidLogin() throws {
        let fixture = try VCenterFixture()
        let wrong = "Not-The-Right-One-42"
        let error = failure(fixture.check(.caFile(fixture.authority.certificate), password: wrong))
        #expect(error == .invalidLogin(username: VCSimServer.username))
        #expect(error.map { "\($0)" }?.contains(PropertyKeys.vcenterPassword) == true)
    }

    @Test(.enabled(if: Needs.vcsim, Needs.vcsimReason))
    func rightSHA256AndSHA1ThumbprintsPass() throws {
        let fixture = try VCenterFixture(selfSigned: true)
        let sha256 = try TestPKI.thumbprint(fixture.certificate.certificate, digest: "sha256")
        #expect(sha256 == fixture.server.sha256)
        let sha1 = try TestPKI.thumbprint(fixture.certificate.certificate, digest: "sha1")
        #expect(sha1.count == 40)
        for thumbprint in [sha256, sha1] {
            let identity = try CurlVCenterVerifier().verify(fixture.check(.thumbprint(thumbprint)))
            #expect(identity.instanceUUID == VCenterFixture.uuid)
        }
        // As vSphere shows it: upper case with colons.
        var colons = ""
        for (index, character) in sha256.uppercased().enumerated() {
            if index > 0 && index % 2 == 0 { colons += ":" }
            colons.append(character)
        }
        _ = try CurlVCenterVerifier().verify(fixture.check(.thumbprint(colons)))
    }

    @Test func aThumbprintOfNeitherLengthIsRefusedBeforeConnecting() throws {
        // Port 9 on 127.0.0.1: a connection would be refused, which is not what is reported.
        let check = VCenterCheck(
            url: "https://127.0.0.1:9", expectedGUID: VCenterFixture.uuid, username: "u", password: Secret("p4ssw0rd"),
            trust: .thumbprint("abc123"))
        guard case .tls(_, let reason)? = failure(check) else {
            Issue.record("not a TLS error")
            return
        }
        #expect(reason.contains("neither a SHA-256 (64 hex digits) nor a SHA-1 (40)"))
    }

    /// A man in the middle: nginx with a certificate of its own, proxying to vcsim and logging
    /// every request body it passes on. Pinned to vcsim's thumbprint, the check stops after
    /// RetrieveServiceContent: no Login, no password, ever reaches the proxy.
    @Test(.enabled(if: Needs.vcsimAndNginx, Needs.vcsimAndNginxReason))
    func aWrongThumbprintSendsNoPassword() throws {
        let fixture = try VCenterFixture(selfSigned: true)
        let intruder = try fixture.pki.selfSigned("intruder", subjectAltName: "IP:127.0.0.1")
        let proxy = try LoggingProxy(fixture: fixture, certificate: intruder)
        let intruderSHA256 = try TestPKI.thumbprint(intruder.certificate, digest: "sha256")

        let error = failure(fixture.check(.thumbprint(fixture.server.sha256), url: proxy.origin))
        #expect(error == .thumbprintMismatch(url: proxy.origin, expected: fixture.server.sha256, actual: intruderSHA256))
        #expect(error.map { "\($0)" }?.contains("the password was not sent") == true)
        let log = proxy.nginx.log("access.log")
        #expect(log.count == 1)
        #expect(log.allSatisfy { $0.contains("RetrieveServiceContent") })
        #expect(!log.contains { $0.contains("Login") || $0.contains("Gu3st-Pr3p") })

        // The control: pinned to the proxy's own certificate, the same check logs in through it,
        // so the log would have shown a Login.
        let identity = try CurlVCenterVerifier().verify(fixture.check(.thumbprint(intruderSHA256), url: proxy.origin))
        #expect(identity.instanceUUID == VCenterFixture.uuid)
        let passed = proxy.nginx.log("access.log")
        #expect(passed.contains { $0.contains("<Login ") && $0.contains("Gu3st-Pr3p") })
        #expect(passed.contains { $0.hasPrefix("200 ") && $0.contains("<Logout ") })
    }

    /// `guestprep health`'s vCenter check, after the password was cleared: through the logging
    /// proxy (pinned to its certificate), `identify` returns vcsim's identity having sent
    /// RetrieveServiceContent only — no Login, no Logout; a wrong GUID is still found, and a
    /// certificate the given CA does not vouch for is a TLS failure.
    @Test(.enabled(if: Needs.vcsimAndNginx, Needs.vcsimAndNginxReason))
    func identifyChecksTLSAndTheGUIDWithoutALogin() throws {
        let fixture = try VCenterFixture()
        let front = try fixture.pki.selfSigned("front", subjectAltName: "IP:127.0.0.1")
        let proxy = try LoggingProxy(fixture: fixture, certificate: front)
        let frontSHA256 = try TestPKI.thumbprint(front.certificate, digest: "sha256")
        let verifier = CurlVCenterVerifier()

        let identity = try verifier.identify(url: proxy.origin, expectedGUID: VCenterFixture.uuid.uppercased(), trust: .thumbprint(frontSHA256), timeout: 10)
        #expect(identity == VCenterIdentity(fullName: "VMware vCenter Server 6.5.0 build-5973321", instanceUUID: VCenterFixture.uuid))
        let log = proxy.nginx.log("access.log")
        #expect(log.count == 1)
        #expect(log.allSatisfy { $0.hasPrefix("200 ") && $0.contains("RetrieveServiceContent") })
        #expect(!log.contains { $0.contains("Login") || $0.contains("Logout") })

        #expect(throws: VCenterError.guidMismatch(expected: "00000000-0000-0000-0000-000000000000", actual: VCenterFixture.uuid)) {
            try verifier.identify(
                url: fixture.server.origin, expectedGUID: "00000000-0000-0000-0000-000000000000", trust: .caFile(fixture.authority.certificate),
                timeout: 10)
        }
        let other = try fixture.pki.authority("other-ca")
        do {
            _ = try verifier.identify(url: fixture.server.origin, expectedGUID: VCenterFixture.uuid, trust: .caFile(other.certificate), timeout: 10)
            Issue.record("a certificate of another CA passed")
        } catch {
            guard case .tls = error else {
                Issue.record("expected a TLS failure, got \(error)")
                return
            }
        }
    }

    /// The public-key pin that guards the Login: libcurl refuses a connection whose key is
    /// another certificate's during the handshake, before a byte of the request is sent.
    @Test(.enabled(if: Needs.vcsimAndNginx, Needs.vcsimAndNginxReason))
    func aPinnedPublicKeyOfAnotherCertificateStopsTheRequest() throws {
        let fixture = try VCenterFixture(selfSigned: true)
        let intruder = try fixture.pki.selfSigned("intruder", subjectAltName: "IP:127.0.0.1")
        let proxy = try LoggingProxy(fixture: fixture, certificate: intruder)
        let vcsimPin = try PeerCertificate(pem: readText(fixture.certificate.certificate))!.publicKeyPin()
        #expect(vcsimPin == (try TestPKI.publicKeyPin(fixture.certificate.certificate, in: fixture.directory.path)))

        #expect(ccurl_load() == 0)
        let easy = try #require(CurlEasy())
        easy.set(CURLOPT_URL, proxy.origin + "/sdk")
        easy.set(CURLOPT_SSL_VERIFYPEER, 0)
        easy.set(CURLOPT_SSL_VERIFYHOST, 0)
        easy.set(CURLOPT_PINNEDPUBLICKEY, vcsimPin)
        easy.setTimeout(seconds: 10)
        #expect(easy.rejected == CURLE_OK)
        #expect(easy.post(Array("<secret-body/>".utf8)) == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
        #expect(proxy.nginx.log("access.log").isEmpty)
        // Pinned to the proxy's key, the same request goes through.
        easy.set(CURLOPT_PINNEDPUBLICKEY, try TestPKI.publicKeyPin(intruder.certificate, in: fixture.directory.path))
        let retrieve =
            #"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">"#
            + #"<soapenv:Body><RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this>"#
            + "</RetrieveServiceContent></soapenv:Body></soapenv:Envelope>"
        #expect(easy.post(Array(retrieve.utf8)) == CURLE_OK)
        #expect(easy.status == 200)
        #expect(proxy.nginx.log("access.log").count == 1)
    }

    @Test(.enabled(if: Needs.vcsim, Needs.vcsimReason))
    func aCAFileThatDidNotSignTheCertificateIsATLSFailure() throws {
        let fixture = try VCenterFixture()
        let other = try fixture.pki.authority("other-ca")
        guard case .tls(let url, let reason)? = failure(fixture.check(.caFile(other.certificate))) else {
            Issue.record("not a TLS error")
            return
        }
        #expect(url == fixture.server.origin)
        #expect(reason.hasPrefix("the certificate is signed by an unknown CA ("))
    }

    @Test(.enabled(if: Needs.vcsim, Needs.vcsimReason))
    func aCertificateForAnotherAddressIsATLSFailure() throws {
        let fixture = try VCenterFixture(subjectAltName: "IP:10.9.9.9")
        guard case .tls(_, let reason)? = failure(fixture.check(.caFile(fixture.authority.certificate))) else {
            Issue.record("not a TLS error")
            return
        }
        #expect(reason.hasPrefix("the certificate is not for 127.0.0.1 ("))
    }

    @Test(.enabled(if: Needs.vcsim, Needs.vcsimReason))
    func theSystemCAsDoNotTrustASelfSignedCertificate() throws {
        let fixture = try VCenterFixture(selfSigned: true)
        guard case .tls(_, let reason)? = failure(fixture.check(.systemCAs)) else {
            Issue.record("not a TLS error")
            return
        }
        #expect(reason.hasPrefix("the certificate is signed by an unknown CA ("))
        #expect(reason.contains("self"))
    }

    @Test func aPortWithNothingListeningIsUnreachable() throws {
        let port = try NginxServer.freePort()
        let check = VCenterCheck(
            url: "https://127.0.0.1:\(port)", expectedGUID: VCenterFixture.uuid, username: "u",
            password: Secret(VCSimServer.password), trust: .systemCAs, timeout: 5)
        #expect(
            failure(check) == .unreachable(url: "https://127.0.0.1:\(port)", reason: "connection refused by 127.0.0.1 port \(port)"))
    }

    /// What a server that is not a vCenter Server answers on /sdk: an ESXi host's
    /// ServiceContent (recorded from govmomi's ESX model), a 404, an HTML page.
    @Test(.enabled(if: Needs.opensslAndNginx, "needs the openssl CLI and nginx"))
    func answersThatAreNotAVCenterServers() throws {
        let directory = TemporaryDirectory()
        let pki = TestPKI(in: directory.path)
        let authority = try pki.authority("ca")
        let certificate = try pki.server("server", subjectAltName: "IP:127.0.0.1", signedBy: authority)
        let esxi = readText(VCSimServer.packageRoot + "/Tests/GuestPrepConfigTests/Fixtures/vcenter/retrieve-service-content-esxi.xml")
        try #require(esxi.contains("HostAgent") && !esxi.contains("'") && !esxi.contains("$") && !esxi.contains("\\"))
        let ports = (esxi: try NginxServer.freePort(), missing: try NginxServer.freePort(), html: try NginxServer.freePort())
        func server(_ port: UInt16, _ location: String) -> String {
            """
                server {
                    listen 127.0.0.1:\(port) ssl;
                    ssl_certificate \(certificate.certificate);
                    ssl_certificate_key \(certificate.key);
                    access_log off;
                    \(location)
                }
            """
        }
        let nginx = try NginxProcess(
            prefix: directory.file("nginx"),
            http: [
                server(ports.esxi, "location = /sdk { default_type text/xml; return 200 '\(esxi)'; }"),
                server(ports.missing, "location / { return 404; }"),
                server(ports.html, "location / { default_type text/html; return 200 '<html><body>vSphere</body></html>'; }"),
            ].joined(separator: "\n"),
            listening: [("127.0.0.1", ports.esxi), ("127.0.0.1", ports.missing), ("127.0.0.1", ports.html)])
        defer { nginx.stop() }
        func check(_ port: UInt16) -> VCenterCheck {
            VCenterCheck(
                url: "https://127.0.0.1:\(port)", expectedGUID: VCenterFixture.uuid, username: "u",
                password: Secret(VCSimServer.password), trust: .caFile(authority.certificate), timeout: 5)
        }
        #expect(failure(check(ports.esxi)) == .notVCenter(url: "https://127.0.0.1:\(ports.esxi)", apiType: "HostAgent"))
        #expect(failure(check(ports.missing)) == .http(url: "https://127.0.0.1:\(ports.missing)", status: 404))
        #expect(
            failure(check(ports.html))
                == .malformed(
                    url: "https://127.0.0.1:\(ports.html)",
                    reason: "the root element is <html>, not a SOAP Envelope (answering RetrieveServiceContent)"))
    }
}

/// nginx on a port of its own with `certificate`, proxying everything to vcsim and logging
/// each request with its body: `STATUS "REQUEST" "BODY"`.
private final class LoggingProxy {
    let nginx: NginxProcess
    let origin: String

    init(fixture: VCenterFixture, certificate: TestPKI.Issued) throws {
        let port = try NginxServer.freePort()
        origin = "https://127.0.0.1:\(port)"
        nginx = try NginxProcess(
            prefix: fixture.directory.file("proxy"),
            http: """
                    server {
                        listen 127.0.0.1:\(port) ssl;
                        ssl_certificate \(certificate.certificate);
                        ssl_certificate_key \(certificate.key);
                        access_log \(fixture.directory.file("proxy"))/access.log guestprep;
                        # $request_body is set when the body fits in this buffer.
                        client_body_buffer_size 64k;
                        location / { proxy_pass \(fixture.server.origin); }
                    }
                """,
            listening: [("127.0.0.1", port)])
    }
}
