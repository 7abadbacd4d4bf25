import GuestPrepConfig
import GuestPrepModel
import Testing

/// Secret values must never appear in a diagnostic, whatever else is wrong.
@Suite struct SecretValidationTests {
    static let secret = "Zq9SECRETvalue7Kp"

    /// Property sets that are wrong in many ways, each carrying the secret somewhere.
    static let scenarios: [[String: String]] = {
        let s = secret
        let server = [
            PropertyKeys.vcenterGUID: "4a1b2c3d-0e5f-4a6b-8c7d-9e0f1a2b3c4d", PropertyKeys.vcenterURL: "https://vc.example.com",
            PropertyKeys.vcenterUsername: "administrator@vsphere.local",
        ]
        return [
            [PropertyKeys.vcenterPassword: s],
            [PropertyKeys.vcenterPassword: s, PropertyKeys.vcenterGUID: "guid?", PropertyKeys.vcenterURL: "http://vc"],
            server.with([PropertyKeys.vcenterPassword: " \(s) "]),
            server.with([PropertyKeys.vcenterPassword: "\(s)\n"]),
            server.with([PropertyKeys.vcenterPassword: s, PropertyKeys.vcenterURL: "https://admin:\(s)@vc.example.com"]),
            server.with([PropertyKeys.vcenterPassword: s, PropertyKeys.vcenterURL: "http://admin:\(s)@vc"]),
            server.with([PropertyKeys.vcenterPassword: s, PropertyKeys.vcenterURL: "ftp://\(s)@vc/x y"]),
            [PropertyKeys.clientAccessToken: "\t\(s)"],
            [PropertyKeys.clientAccessToken: s, PropertyKeys.hostname: "-bad", nic(1, .ipv4address): "::1", PropertyKeys.profile: "x"],
            ["guestinfo.bitfusion.server.vcenter-pasword": s],
            ["guestinfo.bitfusion.client.acesstoken": s],
            ["guestinfo.guestprep.repo-password": s],
            ["guestinfo.bitfusion.host.net2.token": s],
            // The secret pasted into the wrong (non-secret) field is still not shown.
            [PropertyKeys.vcenterPassword: s, PropertyKeys.clientAccessToken: s, nic(2, .configure): s],
            server.with([PropertyKeys.vcenterPassword: s, PropertyKeys.vcenterURL: "http://\(s)"]),
            [PropertyKeys.clientAccessToken: " \(s) ", PropertyKeys.hostname: "host.\(s)", nic(1, .ntp): "\(s)_1"],
            [PropertyKeys.clientAccessToken: "pä\(s)", PropertyKeys.instanceID: "pä\(s)"],
        ]
    }()

    @Test(arguments: scenarios)
    func secretsNeverAppearInDiagnostics(_ values: [String: String]) {
        let result = validate(values)
        #expect(!result.diagnostics.isEmpty, "the scenario must provoke diagnostics to prove anything")
        for diagnostic in result.diagnostics {
            #expect(!diagnostic.message.contains("SECRETvalue"), "leaked: \(diagnostic.key ?? "-")")
            #expect(!diagnostic.description.contains("SECRETvalue"), "leaked: \(diagnostic.key ?? "-")")
        }
        #expect(!String(describing: result).contains("SECRETvalue"))
    }

    @Test func aValidSpecDoesNotShowItsSecretsEither() throws {
        let result = validate(validServer.with([
            PropertyKeys.vcenterPassword: Self.secret, PropertyKeys.clientAccessToken: Self.secret,
        ]))
        let spec = try expectValid(result)
        #expect(spec.server?.password?.reveal() == Self.secret)
        #expect(spec.client?.accessToken?.reveal() == Self.secret)
        #expect(!String(describing: result).contains("SECRETvalue"))
        #expect(!String(reflecting: spec).contains("SECRETvalue"))
    }

    @Test func aSecretPastedIntoAnotherFieldIsRedactedThere() {
        let result = validate([PropertyKeys.vcenterPassword: Self.secret, PropertyKeys.hostname: "x.\(Self.secret)"])
        expectDiagnostic(result, .error, on: PropertyKeys.hostname, containing: "'x.<redacted>' contains '.'")
    }

    /// The test above could pass vacuously if the quoting helper never quoted anything; this
    /// shows a non-secret value in the same position is quoted.
    @Test func nonSecretValuesAreQuoted() {
        let result = validate([PropertyKeys.vcenterURL: "http://NOTsecretvalue"])
        #expect(result.diagnostics.contains { $0.message.contains("'http://NOTsecretvalue'") })
    }
}
