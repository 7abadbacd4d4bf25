import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

/// `doctor` knows the VM's role: no GPU is critical where the role needs one, a fact where it
/// does not (a Bitfusion client).
@Suite struct GPURoleTests {
    static func bundled(_ name: String) throws -> Profile {
        try ProfileDecoder.decode(try #require(BundledProfiles.all[name]), source: "profiles/\(name).yaml", knownSteps: StepCatalog.ids)
    }

    static let noGPU = GPUEnvironment(hypervisor: .vmware, firmware: .efi, secureBoot: false, memTotalBytes: 16 << 30, devices: [])

    @Test func theBundledProfilesSayWhetherTheyExpectAGPU() throws {
        #expect(try GPURole(profile: Self.bundled("bitfusion-client"), source: "--profile").expectsGPU == false)
        #expect(try GPURole(profile: Self.bundled("bitfusion-server"), source: "--profile").expectsGPU)
        #expect(try GPURole(profile: Self.bundled("gpu-passthrough"), source: "--profile").expectsGPU)
        // A site profile is judged by its steps, not its name.
        let site = Profile(name: "my-gpu-box", description: "x", steps: ["hostname", "driver-verify"])
        #expect(GPURole(profile: site, source: "--profile").expectsGPU)
        #expect(!GPURole(profile: Profile(name: "net-only", description: "x", steps: ["network"]), source: "--profile").expectsGPU)
    }

    @Test func aClientWithoutAGPUHasNoCriticalFinding() throws {
        let role = try GPURole(profile: Self.bundled("bitfusion-client"), source: "the last run")
        let findings = GPUDoctor(environment: Self.noGPU, role: role).findings()
        #expect(!GPUDoctor.hasCritical(findings))
        #expect(findings.map(\.code) == ["no-gpu-by-role"])
        #expect(findings[0].level == .info)
        #expect(findings[0].summary.contains("bitfusion-client role"))
        #expect(findings[0].evidence.contains { $0.contains("from the last run") })
    }

    @Test func aServerWithoutAGPUIsStillCritical() throws {
        let role = try GPURole(profile: Self.bundled("bitfusion-server"), source: "the last run")
        let findings = GPUDoctor(environment: Self.noGPU, role: role).findings()
        #expect(GPUDoctor.hasCritical(findings))
        #expect(findings.map(\.code) == ["no-nvidia-gpu"])
        // And so with no role known.
        #expect(GPUDoctor.hasCritical(GPUDoctor(environment: Self.noGPU).findings()))
    }

    @Test func aClientWithAGPUIsCheckedLikeAnyVM() throws {
        let environment = GPUEnvironment(
            hypervisor: .qemu, firmware: .efi, secureBoot: false, memTotalBytes: 64 << 30,
            devices: [GPUFixture.gpu("0000:06:00.0", device: GPUFixture.t4, bar1: 256 << 20)])
        let role = try GPURole(profile: Self.bundled("bitfusion-client"), source: "--profile")
        let asClient = GPUDoctor(environment: environment, role: role).findings()
        #expect(asClient == GPUDoctor(environment: environment).findings())
        #expect(!asClient.contains { $0.code.contains("role") })
    }

    @Test func aClientWhereHyperVHadNoRoomForAnAssignedGPUIsWarned() throws {
        let message = "hv_pci 1c8a7a7e-3cbb-4b4b-9d1b-3e4f5a6b7c8d: Need 0x402000000 of high MMIO space. Consider reconfiguring the VM."
        let environment = GPUEnvironment(
            hypervisor: .hyperV, firmware: .efi, secureBoot: false, devices: [],
            kernelLog: [KernelLogEvent(kind: .hypervHighMMIOShort, device: nil, bar: nil, bytes: 0x4_0200_0000, message: message)])
        let role = try GPURole(profile: Self.bundled("bitfusion-client"), source: "--profile")
        let findings = GPUDoctor(environment: environment, role: role).findings()
        #expect(findings.map(\.code) == ["no-nvidia-gpu"])
        #expect(findings[0].level == .warning)
        #expect(findings[0].summary.contains("the bitfusion-client role needs no GPU"))
    }

    @Test func theRunRecordsItsProfileForDoctor() throws {
        let fs = InMemoryFileSystem(["/etc/hostname": "localhost\n", "/etc/hosts": "127.0.0.1\tlocalhost\n"])
        _ = try Engine(fs: fs, runner: nil, clock: FixedClock()).run(
            steps: [HostnameStep()], spec: GuestSpec(hostname: "bf-client-01"),
            identity: InstanceIdentity(productUUID: "u", macs: [], instanceID: nil), stage: .early, dryRun: false,
            profile: "bitfusion-client")
        #expect(try AgentState.load(fs: fs).lastRun?.profile == "bitfusion-client")
        // A failed run records it too.
        _ = try Engine(fs: fs, runner: nil, clock: FixedClock()).run(
            steps: [BrokenStep()], spec: GuestSpec(hostname: "bf-client-01"),
            identity: InstanceIdentity(productUUID: "u", macs: [], instanceID: nil), stage: .main, dryRun: false,
            profile: "bitfusion-server")
        #expect(try AgentState.load(fs: fs).lastRun?.profile == "bitfusion-server")
    }

    @Test func theReportNamesTheRoleWhenOneIsKnown() throws {
        let role = try GPURole(profile: Self.bundled("bitfusion-client"), source: "--profile")
        let doctor = GPUDoctor(environment: Self.noGPU, role: role)
        let json = DoctorFormatter.json(doctor, findings: doctor.findings())
        #expect(json.contains("""
              "role" : {
                "gpusExpected" : false,
                "profile" : "bitfusion-client",
                "source" : "--profile"
              }
            """), "\(json)")
        #expect(DoctorFormatter.text(doctor, findings: doctor.findings()).contains("role: bitfusion-client (from --profile): no GPU of its own expected"))
        // No role known: no role in the report.
        let plain = GPUDoctor(environment: Self.noGPU)
        #expect(!DoctorFormatter.json(plain, findings: plain.findings()).contains("\"role\""))
        #expect(!DoctorFormatter.text(plain, findings: plain.findings()).contains("role:"))
    }
}
