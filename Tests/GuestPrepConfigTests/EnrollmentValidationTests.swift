import GuestPrepConfig
import GuestPrepModel
import Testing

let validServer = [
    PropertyKeys.vcenterGUID: "4A1B2C3D-0E5F-4A6B-8C7D-9E0F1A2B3C4D",
    PropertyKeys.vcenterURL: "https://vcenter.example.com",
    PropertyKeys.vcenterUsername: "administrator@vsphere.local",
    PropertyKeys.vcenterPassword: "pa ss:word",
]

@Suite struct ServerEnrollmentValidationTests {
    @Test func allFourGiveAnEnrollment() throws {
        let spec = try expectValid(validate(validServer))
        let server = try #require(spec.server)
        #expect(server.vcenterGUID == "4A1B2C3D-0E5F-4A6B-8C7D-9E0F1A2B3C4D")
        #expect(server.vcenterURL == "https://vcenter.example.com")
        #expect(server.username == "administrator@vsphere.local")
        #expect(server.password?.reveal() == "pa ss:word")
    }

    @Test func noneGivesNoEnrollment() throws {
        #expect(try expectValid(validate([PropertyKeys.vcenterURL: "  "])).server == nil)
    }

    @Test func eachMissingKeyIsAnError() {
        let result = validate([PropertyKeys.vcenterURL: "https://vcenter.example.com"])
        for key in [PropertyKeys.vcenterGUID, PropertyKeys.vcenterUsername, PropertyKeys.vcenterPassword] {
            expectDiagnostic(result, .error, on: key, containing: "required when any guestinfo.bitfusion.server.* is set (set: vcenter-url)")
        }
        #expect(result.diagnostics(.error, on: PropertyKeys.vcenterURL).isEmpty)
    }

    @Test func aPasswordAloneIsIncomplete() {
        let result = validate([PropertyKeys.vcenterPassword: "secret"])
        #expect(result.diagnostics(.error).map(\.key) == [PropertyKeys.vcenterGUID, PropertyKeys.vcenterURL, PropertyKeys.vcenterUsername])
    }

    @Test(arguments: [
        "https://vcenter.example.com", "https://10.0.0.20", "HTTPS://vc", "https://vc.example.com:8443/sdk",
        "https://vc.example.com/", " https://vc.example.com ",
    ])
    func acceptedURLs(_ url: String) throws {
        let spec = try expectValid(validate(validServer.with([PropertyKeys.vcenterURL: url])))
        #expect(spec.server?.vcenterURL == url.trimmingSpaces)
    }

    @Test(arguments: [
        ("http://vcenter.example.com", "'http://vcenter.example.com' uses http://: the vCenter password must not cross the network in clear"),
        ("vcenter.example.com", "is not an https:// URL"),
        ("ftp://vcenter.example.com", "is not an https:// URL"),
        ("https://", "has no host"),
        ("https://:443/sdk", "has no host"),
        ("https://vc.example.com:99999", "invalid port '99999'"),
        ("https://vc.example.com:", "invalid port ''"),
        ("https://vc .example.com", "contains whitespace"),
        ("https://[fe80::1]/sdk", "IPv6 is not supported"),
        ("https://vc_1.example.com", "is not a valid host name"),
        ("https://10.0.0.300", "not a valid IPv4 address"),
    ])
    func rejectedURLs(_ url: String, _ fragment: String) {
        expectDiagnostic(validate(validServer.with([PropertyKeys.vcenterURL: url])), .error, on: PropertyKeys.vcenterURL, containing: fragment)
    }

    @Test func aURLWithCredentialsIsRejectedWithoutQuotingIt() {
        let result = validate(validServer.with([PropertyKeys.vcenterURL: "http://admin:hunter2@vcenter.example.com"]))
        expectDiagnostic(result, .error, on: PropertyKeys.vcenterURL, containing: "user information")
        #expect(!result.diagnostics.contains { $0.message.contains("hunter2") })
    }

    @Test(arguments: [
        "4a1b2c3d-0e5f-4a6b-8c7d-9e0f1a2b3c4d", "00000000-0000-0000-0000-000000000000", " 4A1B2C3D-0E5F-4A6B-8C7D-9E0F1A2B3C4D ",
    ])
    func acceptedGUIDs(_ guid: String) throws {
        _ = try expectValid(validate(validServer.with([PropertyKeys.vcenterGUID: guid])))
    }

    @Test(arguments: [
        "not-a-guid", "4a1b2c3d0e5f4a6b8c7d9e0f1a2b3c4d", "{4a1b2c3d-0e5f-4a6b-8c7d-9e0f1a2b3c4d}",
        "4a1b2c3d-0e5f-4a6b-8c7d-9e0f1a2b3c4g", "4a1b2c3d-0e5f-4a6b-8c7d9-e0f1a2b3c4d",
    ])
    func rejectedGUIDs(_ guid: String) {
        expectDiagnostic(
            validate(validServer.with([PropertyKeys.vcenterGUID: guid])), .error, on: PropertyKeys.vcenterGUID,
            containing: "'\(guid)' is not a vCenter GUID: give the vCenter Server's UUID as 8-4-4-4-12 hexadecimal digits")
    }

    @Test func aPasswordWithSurroundingWhitespaceIsKeptAndWarnedAbout() throws {
        let result = validate(validServer.with([PropertyKeys.vcenterPassword: "hunter2 "]))
        expectDiagnostic(result, .warning, on: PropertyKeys.vcenterPassword, containing: "starts or ends with whitespace")
        #expect(try expectValid(result).server?.password?.reveal() == "hunter2 ")
    }
}

@Suite struct ClientEnrollmentValidationTests {
    @Test func aTokenMakesAClient() throws {
        let spec = try expectValid(validate([PropertyKeys.clientAccessToken: "eyJhbGciOi.token"]))
        #expect(spec.client?.accessToken?.reveal() == "eyJhbGciOi.token")
    }

    @Test func noTokenNoClient() throws {
        #expect(try expectValid(validate([PropertyKeys.clientAccessToken: ""])).client == nil)
        #expect(try expectValid(validate([:])).client == nil)
    }
}

extension String {
    /// Surrounding spaces removed, for expectations about trimmed values.
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
