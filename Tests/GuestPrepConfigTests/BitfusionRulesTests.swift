import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct BitfusionRulesTests {
    let sha = String(repeating: "cd", count: 32)
    let server = [
        PropertyKeys.vcenterGUID: "11111111-2222-3333-4444-555555555555", PropertyKeys.vcenterURL: "https://vc.example",
        PropertyKeys.vcenterUsername: "administrator@vsphere.local", PropertyKeys.vcenterPassword: "S3cret!pw",
    ]

    @Test func usersPackageAndCAAreRead() throws {
        let spec = try expectValid(
            validate([
                PropertyKeys.bitfusionUsers: "alice, bob alice", PropertyKeys.bitfusionClientPackage: "https://repo.example/bitfusion-client-ubuntu2204_4.5.4-5_amd64.deb",
                PropertyKeys.bitfusionClientPackageSHA256: sha.uppercased(), PropertyKeys.bitfusionCAFile: "/etc/ssl/repo-ca.pem",
                PropertyKeys.clearSecrets: "no",
            ]))
        #expect(spec.bitfusion.users == ["alice", "bob"])
        #expect(spec.bitfusion.clientPackageSHA256 == sha)
        #expect(spec.bitfusion.caFile == "/etc/ssl/repo-ca.pem")
        #expect(!spec.clearSecrets)
        #expect(try expectValid(validate([:])).bitfusion.users == ["root"])
    }

    @Test(arguments: [
        (PropertyKeys.bitfusionUsers, "Alice", "'Alice' is not a user name"),
        (PropertyKeys.bitfusionClientPackage, "https://repo.example/client.tar", "does not name a .deb or .rpm file"),
        (PropertyKeys.bitfusionClientPackageSHA256, "abc", "'abc' is not a SHA-256"),
        (PropertyKeys.bitfusionCAFile, "ca.pem", "'ca.pem' is not an absolute path"),
        (PropertyKeys.clearSecrets, "maybe", "'maybe' is not a toggle"),
        (PropertyKeys.bitfusionTokenArchiveURL, "http://files.example/client.tar.gz", "must not cross the network in clear"),
        (PropertyKeys.bitfusionTokenArchiveURL, "ftp://files.example/client.tar.gz", "neither an absolute path nor an https://"),
        (PropertyKeys.bitfusionTokenArchive, "not base64 at all!", "is not base64"),
    ])
    func badValuesAreErrorsOnTheirKey(_ key: String, _ value: String, _ fragment: String) throws {
        var values = [key: value]
        if key == PropertyKeys.bitfusionClientPackage { values[PropertyKeys.bitfusionClientPackageSHA256] = sha }
        if key == PropertyKeys.bitfusionClientPackageSHA256 { values[PropertyKeys.bitfusionClientPackage] = "/srv/bitfusion-client.deb" }
        let result = validate(values)
        #expect(result.spec == nil)
        #expect(result.diagnostics(.error, on: key).contains { $0.message.contains(fragment) }, "\(result.diagnostics)")
    }

    @Test func anArchiveURLNeverAppearsInAMessage() {
        let url = "http://user:pa55word@files.example/client.tar.gz"
        let result = validate([PropertyKeys.bitfusionTokenArchiveURL: url])
        #expect(result.diagnostics(.error, on: PropertyKeys.bitfusionTokenArchiveURL).count == 1)
        #expect(!result.diagnostics.contains { $0.message.contains("pa55word") || $0.message.contains("files.example") })
    }

    @Test func anHTTPSArchiveNeedsItsSHA256() {
        let result = validate([PropertyKeys.bitfusionTokenArchiveURL: "https://files.example/client.tar.gz"])
        #expect(result.diagnostics(.error, on: PropertyKeys.bitfusionTokenArchiveSHA256).first?.message.contains("required") == true)
        let spec = validate([PropertyKeys.bitfusionTokenArchiveURL: "https://files.example/client.tar.gz", PropertyKeys.bitfusionTokenArchiveSHA256: sha]).spec
        #expect(spec?.client?.archive == .location(Secret("https://files.example/client.tar.gz"), sha256: sha))
    }

    @Test func anArchiveAndItsURLTogetherAreAnError() {
        let result = validate([PropertyKeys.bitfusionTokenArchive: "AAAA", PropertyKeys.bitfusionTokenArchiveURL: "/srv/a.tar.gz"])
        #expect(result.diagnostics(.error, on: PropertyKeys.bitfusionTokenArchiveURL).count == 1)
    }

    @Test func aPackageNeedsItsSHA256() {
        let result = validate([PropertyKeys.bitfusionClientPackage: "/srv/bitfusion-client.deb"])
        #expect(result.diagnostics(.error, on: PropertyKeys.bitfusionClientPackageSHA256).first?.message.contains("required") == true)
    }

    @Test func aThumbprintIsNormalizedAndExcludesACAFile() throws {
        let colons = stride(from: 0, to: 64, by: 2).map { _ in "AB" }.joined(separator: ":")
        let spec = try expectValid(validate(server.with([PropertyKeys.vcenterThumbprint: colons])))
        #expect(spec.server?.thumbprint == String(repeating: "ab", count: 32))
        let sha1 = try expectValid(validate(server.with([PropertyKeys.vcenterThumbprint: String(repeating: "0F", count: 20)])))
        #expect(sha1.server?.thumbprint == String(repeating: "0f", count: 20))
        let bad = validate(server.with([PropertyKeys.vcenterThumbprint: "AB:CD"]))
        #expect(bad.diagnostics(.error, on: PropertyKeys.vcenterThumbprint).first?.message.contains("not a certificate thumbprint") == true)
        let both = validate(server.with([PropertyKeys.vcenterThumbprint: colons, PropertyKeys.vcenterCAFile: "/etc/ssl/vc.pem"]))
        #expect(both.diagnostics(.error, on: PropertyKeys.vcenterThumbprint).first?.message.contains("not both") == true)
    }

    @Test func aClearedPasswordIsNotAnError() throws {
        var values = server
        values[PropertyKeys.vcenterPassword] = ""
        let spec = try expectValid(validate(values))
        #expect(spec.server?.password == nil)
        #expect(validate(values).diagnostics(.info, on: PropertyKeys.vcenterPassword).count == 1)
    }

    @Test func theRoleIsInferredFromTheProperties() throws {
        #expect(RoleInference.choose(option: nil, spec: try expectValid(validate(server))).profile == "bitfusion-server")
        let client = try expectValid(validate([PropertyKeys.clientAccessToken: "tok"]))
        #expect(RoleInference.choose(option: nil, spec: client) == .init(profile: "bitfusion-client", reason: "inferred: \(PropertyKeys.clientAccessToken) is set"))
        #expect(RoleInference.choose(option: nil, spec: GuestSpec()).profile == "gpu-passthrough")
        #expect(RoleInference.choose(option: "gpu-passthrough", spec: client).reason == "--profile")
        let named = try expectValid(validate([PropertyKeys.clientAccessToken: "tok", PropertyKeys.profile: "gpu-passthrough"]))
        #expect(RoleInference.choose(option: nil, spec: named) == .init(profile: "gpu-passthrough", reason: PropertyKeys.profile))
    }
}

@Suite struct OVFEnvironmentRedactorTests {
    let document = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Environment xmlns="http://schemas.dmtf.org/ovf/environment/1" xmlns:oe="http://schemas.dmtf.org/ovf/environment/1" oe:id="">
          <PlatformSection><Kind>VMware ESXi</Kind></PlatformSection>
          <PropertySection>
            <Property oe:key="guestinfo.bitfusion.host.hostname" oe:value="bf-server-01"/>
            <Property oe:key="guestinfo.bitfusion.server.vcenter-password" oe:value="p&amp;ss &quot;word&quot;/>"/>
            <Property oe:key="guestinfo.bitfusion.server.vcenter-url" oe:value="https://vc.example"/>
          </PropertySection>
        </Environment>

        """

    @Test func theSecretPropertyGoesAndEverythingElseStaysByteForByte() throws {
        let result = try #require(OVFEnvironmentRedactor.removing([PropertyKeys.vcenterPassword], from: document))
        let expected = document.replacingOccurrences(
            of: "    <Property oe:key=\"guestinfo.bitfusion.server.vcenter-password\" oe:value=\"p&amp;ss &quot;word&quot;/>\"/>\n", with: "")
        #expect(result == expected)
        #expect(!result.contains("p&amp;ss"))
    }

    @Test func aKeyThatIsNotThereChangesNothing() {
        #expect(OVFEnvironmentRedactor.removing([PropertyKeys.clientAccessToken], from: document) == document)
    }

    @Test func aDocumentThatDoesNotDecodeIsNotRewritten() {
        #expect(OVFEnvironmentRedactor.removing([PropertyKeys.vcenterPassword], from: "<Environment><Property oe:key=") == nil)
    }
}

extension String {
    /// Foundation-free replacement for tests.
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        TextSearch.replacingAll(target, with: replacement, in: self)
    }
}
