import Foundation
import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct VGPURulesTests {
    static let token = "eyJhbGciOiJSUzI1NiJ9.dG9rZW4tZm9yLXRlc3Q.c2lnbmF0dXJl"

    @Test(arguments: [("1", VGPUFeatureType.vgpu), ("2", .rtxVirtualWorkstation), ("4", .virtualComputeServer), ("0", .unlicensed), ("VCS", .virtualComputeServer), ("rtx-vws", .rtxVirtualWorkstation)])
    func featureTypeByNumberOrName(_ text: String, _ expected: VGPUFeatureType) throws {
        let result = validate([PropertyKeys.vgpuFeatureType: text])
        let spec = try #require(result.spec)
        #expect(spec.vgpu.featureType == expected)
    }

    @Test(arguments: ["3", "5", "vws", "-1", "１"])
    func aReservedOrUnknownFeatureTypeIsAnErrorNamingTheKey(_ text: String) {
        let result = validate([PropertyKeys.vgpuFeatureType: text])
        #expect(result.spec == nil)
        let error = result.diagnostics(.error, on: PropertyKeys.vgpuFeatureType)
        #expect(error.count == 1)
        #expect(error.first?.message.contains("is not a FeatureType of gridd.conf") == true)
        #expect(error.first?.message.contains("4 (vcs: NVIDIA Virtual Compute Server)") == true)
    }

    @Test func theTokenIsASecretKeptAsGiven() throws {
        #expect(PropertyKeys.isSecret(PropertyKeys.vgpuClientConfigToken))
        #expect(SecretKeyRule.documented.contains(PropertyKeys.vgpuClientConfigToken))
        #expect(PropertyKeys.all.contains(PropertyKeys.vgpuClientConfigToken) && PropertyKeys.all.contains(PropertyKeys.vgpuFeatureType))
        let result = validate([PropertyKeys.vgpuClientConfigToken: Self.token + "\n"])
        let spec = try #require(result.spec)
        #expect(spec.vgpu.clientConfigToken?.reveal() == Self.token + "\n")
        #expect(!"\(spec)".contains(Self.token))
    }

    @Test(arguments: ["abc\u{0}def", "abc\u{1b}[31m", "   \n", String(repeating: "a", count: 64 * 1024 + 1)])
    func aTokenThatCannotBeOneIsAnErrorThatNeverQuotesIt(_ token: String) {
        let result = validate([PropertyKeys.vgpuClientConfigToken: token])
        #expect(result.spec == nil)
        let errors = result.diagnostics(.error, on: PropertyKeys.vgpuClientConfigToken)
        #expect(errors.count == 1)
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        for diagnostic in result.diagnostics where !trimmed.isEmpty {
            #expect(!diagnostic.message.contains(trimmed.prefix(20)))
        }
    }

    @Test func theTokenMakesTheRoleAVGPUGuest() throws {
        let spec = try #require(validate([PropertyKeys.vgpuClientConfigToken: Self.token]).spec)
        let choice = RoleInference.choose(option: nil, spec: spec)
        #expect(choice == RoleInference.Choice(profile: "vgpu-guest", reason: "inferred: guestinfo.guestprep.vgpu.client-config-token is set"))
        #expect(SpecValidator.knownProfiles.contains("vgpu-guest"))
    }

    @Test func aVGPUProfileWithoutTheSitesDriverIsInvalidNamingTheKeys() {
        let steps = ["driver", "vgpu-license"]
        let problems = VGPURules.profileProblems(profile: "vgpu-guest", steps: steps, driver: DriverRequest(install: true))
        #expect(problems.count == 1)
        #expect(problems.first?.severity == .error)
        #expect(problems.first?.key == PropertyKeys.driverRunfile)
        for key in [PropertyKeys.driverRunfile, PropertyKeys.driverRunfileSHA256, PropertyKeys.driverPackageDirectory] {
            #expect(problems.first?.message.contains(key) == true)
        }
        #expect(VGPURules.profileProblems(profile: "vgpu-guest", steps: steps, driver: DriverRequest(install: true, runfile: "/srv/NVIDIA-Linux-x86_64-580.95.05-grid.run")).isEmpty)
        #expect(VGPURules.profileProblems(profile: "vgpu-guest", steps: steps, driver: DriverRequest(install: true, packageDirectory: "/srv/grid")).isEmpty)
        // A driver not installed by guestprep (in the image already), or a profile without the step: nothing to give.
        #expect(VGPURules.profileProblems(profile: "vgpu-guest", steps: steps, driver: DriverRequest(install: false)).isEmpty)
        #expect(VGPURules.profileProblems(profile: "gpu-passthrough", steps: ["driver"], driver: DriverRequest(install: true)).isEmpty)
    }
}
