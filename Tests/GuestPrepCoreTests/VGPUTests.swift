import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel
import GuestPrepRender
import GuestPrepTesting
import Testing

/// A driver that answers about vGPUs as scripted (and, as a `DriverProbe`, about nothing else).
struct ScriptedVGPUProbe: DriverProbe, VGPUProbe {
    var reports: @Sendable (Int) throws -> [VGPUDriverReport]
    func query() throws -> DriverQuery { DriverQuery(driverVersion: "580.95.05", gpus: [], source: "NVML") }
    func vgpuReports(waitForLicense seconds: Int) throws -> [VGPUDriverReport] { try reports(seconds) }
}

enum VGPUFixture {
    static let token = "eyJhbGciOiJSUzI1NiJ9.Y2xpZW50LWNvbmZpZy10b2tlbi1mb3ItdGVzdHM.c2lnbmVk"

    static func license(licensed: Bool, supported: Bool = true) -> VGPULicenseReport {
        VGPULicenseReport(
            supported: supported,
            features: [VGPULicenseReport.Feature(code: 4, licensed: licensed, enabled: true, product: "NVIDIA Virtual Compute Server")])
    }

    static func report(_ address: String = "0000:02:00.0", mode: GPUVirtualizationMode? = .vgpu, licensed: Bool? = true) -> VGPUDriverReport {
        VGPUDriverReport(address: address, name: "GRID M60-2Q", mode: mode, license: licensed.map { license(licensed: $0) })
    }

    /// A Tesla M60 vGPU of type M60-2Q (10de:13f2, subsystem 10de:114e, as pci.ids lists it).
    static func m60_2Q(_ address: String = "0000:02:00.0") -> NVIDIADevice {
        GPUFixture.gpu(address, device: 0x13f2, subsystem: (0x10de, 0x114e), bar1: 256 << 20)
    }

    /// nvmlGridLicensableFeatures_t's bytes as NVML fills them (layout of nvml.h, NVML 13.3.29).
    static func featureBytes(supported: Int32, count: UInt32, features: [(code: Int32, state: UInt32, product: String, enabled: UInt32)]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: VGPULicenseReport.structSize)
        func put(_ value: UInt32, at offset: Int) {
            for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
        }
        put(UInt32(bitPattern: supported), at: 0)
        put(count, at: 4)
        for (index, feature) in features.enumerated() {
            let base = 8 + index * 284
            put(UInt32(bitPattern: feature.code), at: base)
            put(feature.state, at: base + 4)
            for (i, byte) in feature.product.utf8.prefix(127).enumerated() { bytes[base + 136 + i] = byte }
            put(feature.enabled, at: base + 264)
        }
        return bytes
    }
}

@Suite struct VGPUDetectionTests {
    @Test func pciIDsVGPUTypesAreRecognisedWithoutTheDriver() throws {
        let recognition = try #require(VGPUDetection.recognise(VGPUFixture.m60_2Q(), report: nil))
        #expect(recognition.typeName == "GRID M60-2Q")
        #expect(recognition.evidence == "pci.ids: 13f2 with subsystem 10de:114e is the vGPU type GRID M60-2Q")
        // Kepler's vGPUs have their own device IDs.
        let k240q = GPUFixture.gpu("0000:02:00.0", device: 0x11b0, subsystem: (0x10de, 0x101a), bar1: 256 << 20)
        #expect(VGPUDetection.recognise(k240q, report: nil)?.typeName == "GRID K240Q")
    }

    @Test func aWholeGPUIsNotAVGPU() {
        // A Tesla M60 passed through (its board's subsystem), and a T4 whose subsystem names no type.
        let m60 = GPUFixture.gpu("0000:02:00.0", device: 0x13f2, subsystem: (0x10de, 0x113a), bar1: 256 << 20)
        let t4 = GPUFixture.gpu("0000:0b:00.0", device: GPUFixture.t4, subsystem: (0x10de, 0x12a2), bar1: 256 << 20)
        #expect(VGPUDetection.recognise(m60, report: nil) == nil)
        #expect(VGPUDetection.recognise(t4, report: nil) == nil)
        // The subsystem vendor must be NVIDIA's.
        let other = GPUFixture.gpu("0000:02:00.0", device: 0x13f2, subsystem: (0x15ad, 0x114e), bar1: 256 << 20)
        #expect(VGPUDetection.recognise(other, report: nil) == nil)
    }

    @Test func theDriversVirtualizationModeDecides() throws {
        let t4 = GPUFixture.gpu("0000:0b:00.0", device: GPUFixture.t4, subsystem: (0x10de, 0x1309), bar1: 256 << 20)
        let vgpu = VGPUDriverReport(address: "0000:0b:00.0", name: "GRID T4-16Q", mode: .vgpu, license: nil)
        let recognised = try #require(VGPUDetection.recognise(t4, report: vgpu))
        #expect(recognised.typeName == "GRID T4-16Q")
        #expect(recognised.evidence.contains("NVML: virtualization mode vGPU (2)"))
        // The driver says passthrough: the pci.ids table does not overrule it.
        let passthrough = VGPUDriverReport(address: "0000:02:00.0", name: "Tesla M60", mode: .passthrough, license: nil)
        #expect(VGPUDetection.recognise(VGPUFixture.m60_2Q(), report: passthrough) == nil)
        // A driver without the mode: the PCI IDs still count.
        let unknown = VGPUDriverReport(address: "0000:02:00.0", name: "GRID M60-2Q", mode: nil, license: nil)
        #expect(VGPUDetection.recognise(VGPUFixture.m60_2Q(), report: unknown)?.typeName == "GRID M60-2Q")
    }

    @Test func theTableHoldsOnlyNamedVGPUTypes() {
        #expect(VGPUDetection.knownTypes.count == 15)
        #expect(VGPUDetection.knownTypes.allSatisfy { $0.name.hasPrefix("GRID ") })
        #expect(Set(VGPUDetection.knownTypes.map { "\($0.deviceID):\($0.subsystemID)" }).count == VGPUDetection.knownTypes.count)
    }
}

@Suite struct VGPULicenseReportTests {
    @Test func decodesNVMLsStruct() throws {
        let bytes = VGPUFixture.featureBytes(
            supported: 1, count: 2,
            features: [(1, 0, "GRID Virtual PC", 0), (2, 1, "NVIDIA RTX Virtual Workstation", 1)])
        let report = try #require(VGPULicenseReport.decode(bytes))
        #expect(report.supported)
        #expect(report.features == [
            VGPULicenseReport.Feature(code: 1, licensed: false, enabled: false, product: "GRID Virtual PC"),
            VGPULicenseReport.Feature(code: 2, licensed: true, enabled: true, product: "NVIDIA RTX Virtual Workstation"),
        ])
        #expect(report.licensed == true)
        #expect(report.product == "NVIDIA RTX Virtual Workstation")
    }

    @Test func anEnabledFeatureNotLicensedIsUnlicensed() throws {
        let bytes = VGPUFixture.featureBytes(supported: 1, count: 1, features: [(4, 0, "NVIDIA Virtual Compute Server", 1)])
        #expect(VGPULicenseReport.decode(bytes)?.licensed == false)
        let unsupported = VGPUFixture.featureBytes(supported: 0, count: 0, features: [])
        #expect(VGPULicenseReport.decode(unsupported)?.licensed == nil)
    }

    @Test func theDriversCountIsBoundedAndAWrongSizeIsRefused() throws {
        let bytes = VGPUFixture.featureBytes(supported: 1, count: 0xffff_ffff, features: [(1, 1, "x", 1)])
        #expect(try #require(VGPULicenseReport.decode(bytes)).features.count == 3)
        #expect(VGPULicenseReport.decode([UInt8](repeating: 0, count: 859)) == nil)
        // A product name without its NUL ends at the field's end, never beyond.
        var unterminated = VGPUFixture.featureBytes(supported: 1, count: 1, features: [(1, 1, "", 1)])
        for i in 0..<128 { unterminated[8 + 136 + i] = UInt8(ascii: "A") }
        #expect(VGPULicenseReport.decode(unterminated)?.features.first?.product == String(repeating: "A", count: 128))
    }
}

@Suite struct VGPULicenseStepTests {
    func plan(_ fs: InMemoryFileSystem, _ licensing: VGPULicensing) throws -> StepPlan {
        var spec = GuestSpec()
        spec.vgpu = licensing
        return try VGPULicenseStep().plan(StepContext(spec: spec, fs: fs, onHost: true))
    }

    @Test func installsTheTokenSetsFeatureTypeAndRestartsGridd() throws {
        let fs = InMemoryFileSystem([GriddConfRenderer.templatePath: "# template\nFeatureType=0\n"])
        let result = try plan(fs, VGPULicensing(featureType: .virtualComputeServer, clientConfigToken: Secret(VGPUFixture.token)))
        #expect(result.changes.count == 3)
        let token = result.changes[0]
        #expect(token.action == .write(path: "/etc/nvidia/ClientConfigToken/client_configuration_token.tok", content: Array(VGPUFixture.token.utf8), mode: 0o600, owner: .root))
        #expect(token.sensitive)
        #expect(result.changes[1].action == .write(path: "/etc/nvidia/gridd.conf", content: Array("# template\nFeatureType=4\n".utf8), mode: 0o644, owner: .root))
        #expect(!result.changes[1].sensitive)
        #expect(result.changes[2].action == .run(argv: ["systemctl", "restart", "nvidia-gridd.service"]))
        #expect(!"\(result.diagnostics)\(result.notes)".contains(VGPUFixture.token))
    }

    @Test func changesNothingOnceDone() throws {
        let fs = InMemoryFileSystem([
            GriddConfRenderer.path: "FeatureType=4\n", VGPULicenseStep.tokenPath: VGPUFixture.token,
        ])
        let result = try plan(fs, VGPULicensing(featureType: .virtualComputeServer, clientConfigToken: Secret(VGPUFixture.token)))
        #expect(result.changes.isEmpty)
        #expect(result.diagnostics.contains { $0.message.contains("nvidia-gridd left running") })
    }

    @Test func aNewTokenAloneRestartsGridd() throws {
        let fs = InMemoryFileSystem([GriddConfRenderer.path: "FeatureType=2\n", VGPULicenseStep.tokenPath: "old"])
        // No FeatureType given: the file's own value stays.
        let result = try plan(fs, VGPULicensing(clientConfigToken: Secret(VGPUFixture.token)))
        #expect(result.changes.map(\.actionName) == ["write", "run"])
        #expect(result.changes.first?.path == VGPULicenseStep.tokenPath)
        #expect(result.notes == ["vgpu: FeatureType=2"])
    }

    @Test func withoutAnyTokenTheStepReportsAnErrorNamingTheKeyAndChangesNothing() throws {
        let result = try plan(InMemoryFileSystem(), VGPULicensing(featureType: .vgpu))
        #expect(result.changes.isEmpty)
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.severity == .error)
        #expect(result.diagnostics.first?.key == PropertyKeys.vgpuClientConfigToken)
        #expect(result.diagnostics.first?.message.contains("/etc/nvidia/ClientConfigToken/") == true)
        // The engine carries on and ends degraded.
        let fs = InMemoryFileSystem()
        var spec = GuestSpec()
        spec.vgpu = VGPULicensing()
        let engine = Engine(fs: fs, runner: nil, clock: FixedClock(), notifier: RecordingNotifier())
        let report = try engine.run(
            steps: [VGPULicenseStep(), SecretsClearStep()], spec: spec, identity: InstanceIdentity(productUUID: "u", macs: [], instanceID: nil),
            stage: .all, dryRun: false)
        #expect(report.outcome == .degraded(reasons: ["step vgpu-license reported 1 error"]))
        #expect(report.steps.map(\.step) == ["vgpu-license", "secrets-clear"])
    }

    @Test func aTokenInTheImageIsUsedAndFeatureTypeDefaultsToVGPU() throws {
        let fs = InMemoryFileSystem(["/etc/nvidia/ClientConfigToken/client_configuration_token_03-28-2023-16-16-36.tok": "t"])
        let result = try plan(fs, VGPULicensing())
        #expect(result.changes.map(\.actionName) == ["write", "run"])
        #expect(result.changes.first?.path == GriddConfRenderer.path)
        #expect(result.diagnostics.contains { $0.key == PropertyKeys.vgpuClientConfigToken && $0.severity == .info })
        #expect(result.notes == ["vgpu: FeatureType=1"])
    }

    @Test func theTokenIsClearedFromGuestinfoOnceInstalled() throws {
        var spec = GuestSpec()
        spec.vgpu = VGPULicensing(clientConfigToken: Secret(VGPUFixture.token))
        let guestinfo = GuestinfoSecrets(direct: [PropertyKeys.vgpuClientConfigToken])
        let before = InMemoryFileSystem()
        let waiting = try SecretsClearStep().plan(StepContext(spec: spec, fs: before, onHost: true, guestinfo: guestinfo))
        #expect(waiting.changes.isEmpty, "not installed yet: kept")
        let after = InMemoryFileSystem([VGPULicenseStep.tokenPath: VGPUFixture.token])
        let cleared = try SecretsClearStep().plan(StepContext(spec: spec, fs: after, onHost: true, guestinfo: guestinfo))
        #expect(cleared.changes.count == 1)
        guard case .run(let argv)? = cleared.changes.first?.action else {
            Issue.record("expected a run change")
            return
        }
        #expect(argv.joined(separator: " ").contains(PropertyKeys.vgpuClientConfigToken))
        #expect(!argv.joined(separator: " ").contains(VGPUFixture.token))
    }

    @Test func aRunNeverShowsOrStoresTheToken() throws {
        let fs = InMemoryFileSystem()
        var spec = GuestSpec()
        spec.vgpu = VGPULicensing(featureType: .vgpu, clientConfigToken: Secret(VGPUFixture.token))
        let (logger, handler) = CapturingLogHandler.logger()
        let engine = Engine(fs: fs, runner: nil, clock: FixedClock(), notifier: RecordingNotifier(), logger: logger)
        let identity = InstanceIdentity(productUUID: "u", macs: [], instanceID: nil)
        let report = try engine.run(steps: [VGPULicenseStep()], spec: spec, identity: identity, stage: .all, dryRun: false)
        #expect(fs[VGPULicenseStep.tokenPath] == VGPUFixture.token)
        #expect(try fs.mode(VGPULicenseStep.tokenPath) == 0o600)
        let files = fs.paths.filter { $0 != VGPULicenseStep.tokenPath }.compactMap { fs[$0] }
        for text in [handler.everything, ReportFormatter.text(report), ReportFormatter.json(report)] + files {
            #expect(!text.contains(VGPUFixture.token))
        }
        #expect(ReportFormatter.text(report).contains("client_configuration_token.tok"))
    }
}

@Suite struct VGPULicenseVerifyStepTests {
    func plan(_ probe: ScriptedVGPUProbe?) throws -> StepPlan {
        try VGPULicenseVerifyStep(wait: 3).plan(StepContext(spec: GuestSpec(), fs: InMemoryFileSystem(), onHost: probe != nil, driverProbe: probe))
    }

    @Test func aLicensedVGPUPasses() throws {
        let result = try plan(ScriptedVGPUProbe { wait in
            #expect(wait == 3)
            return [VGPUFixture.report()]
        })
        #expect(result.changes.isEmpty)
        #expect(result.diagnostics.map(\.message) == ["vGPU 0000:02:00.0 (GRID M60-2Q) licensed: NVIDIA Virtual Compute Server"])
    }

    @Test func anUnlicensedVGPUFailsTheStepWithWhereToLook() {
        #expect {
            try plan(ScriptedVGPUProbe { _ in [VGPUFixture.report(licensed: false)] })
        } throws: { error in
            let text = "\(error)"
            return text.contains("vGPU 0000:02:00.0 (GRID M60-2Q) is not licensed after 3 s") && text.contains("journalctl -u nvidia-gridd")
        }
    }

    @Test func noVGPUOrNoLicensingFailsSayingWhy() {
        #expect {
            try plan(ScriptedVGPUProbe { _ in [VGPUFixture.report(mode: .passthrough)] })
        } throws: { "\($0)".contains("the driver sees no vGPU (0000:02:00.0 GRID M60-2Q: passthrough)") }
        #expect {
            try plan(ScriptedVGPUProbe { _ in [VGPUFixture.report(licensed: nil)] })
        } throws: { "\($0)".contains("does not report vGPU software licensing") }
        #expect {
            try plan(ScriptedVGPUProbe { _ in throw DriverQueryError.notInstalled("no libnvidia-ml.so.1") })
        } throws: { "\($0)".contains("the vGPU licence cannot be verified: the NVIDIA driver is not installed") }
    }

    @Test func onAFixtureRootItOnlySaysSo() throws {
        let result = try plan(nil)
        #expect(result.changes.isEmpty)
        #expect(result.diagnostics.first?.message.contains("only on the running system") == true)
    }
}

@Suite struct VGPUDoctorTests {
    func environment(_ devices: [NVIDIADevice], _ vgpu: VGPUEnvironment) -> GPUEnvironment {
        var environment = GPUEnvironment(hypervisor: .vmware, firmware: .bios, secureBoot: nil, memTotalBytes: 8 << 30, devices: devices)
        environment.vgpu = vgpu
        return environment
    }

    @Test func aVGPUGetsNoPassthroughMMIOOrMemoryAdvice() {
        // BIOS firmware and 8 GiB: a passed-through M60 would get firmware and memory findings.
        let found = GPUDoctor(environment: environment([VGPUFixture.m60_2Q()], VGPUEnvironment(tokens: ["t.tok"]))).findings()
        #expect(found.map(\.code) == ["vgpu-present"])
        #expect(found.first?.summary == "0000:02:00.0 is an NVIDIA vGPU (GRID M60-2Q): the BAR, MMIO window and memory rules of a passed-through GPU do not apply to it")
        let passthrough = GPUDoctor(environment: environment([GPUFixture.gpu("0000:02:00.0", device: 0x13f2, subsystem: (0x10de, 0x113a), bar1: 256 << 20)], VGPUEnvironment())).findings()
        #expect(passthrough.contains { $0.code == "mmio-size" })
    }

    @Test func anUnlicensedVGPUIsCritical() throws {
        let vgpu = VGPUEnvironment(reports: [VGPUFixture.report(licensed: false)], tokens: ["client_configuration_token.tok"])
        let found = GPUDoctor(environment: environment([VGPUFixture.m60_2Q()], vgpu)).findings()
        #expect(GPUDoctor.hasCritical(found))
        let finding = try #require(found.first { $0.code == "vgpu-unlicensed" })
        #expect(finding.level == .critical)
        #expect(finding.device == PCIAddress("0000:02:00.0"))
        #expect(finding.evidence.contains("feature 4 (NVIDIA Virtual Compute Server): enabled, not licensed"))
        #expect(finding.fix.first?.contains("journalctl -u nvidia-gridd") == true)
        #expect(finding.fix.contains { $0.contains(PropertyKeys.vgpuClientConfigToken) })
        #expect(!found.contains { $0.code == "vgpu-no-client-token" }, "the driver's word is enough")
    }

    @Test func aLicensedVGPUIsFine() {
        let vgpu = VGPUEnvironment(reports: [VGPUFixture.report(licensed: true)], tokens: [])
        let found = GPUDoctor(environment: environment([VGPUFixture.m60_2Q()], vgpu)).findings()
        #expect(found.map(\.code) == ["vgpu-present"])
    }

    @Test func withoutTheDriversWordAMissingTokenIsAWarning() throws {
        let found = GPUDoctor(environment: environment([VGPUFixture.m60_2Q()], VGPUEnvironment())).findings()
        let finding = try #require(found.first { $0.code == "vgpu-no-client-token" })
        #expect(finding.level == .warning)
        #expect(finding.evidence == ["no *.tok file in /etc/nvidia/ClientConfigToken/", "the driver was not asked (only on the running system)"])
        #expect(!GPUDoctor.hasCritical(found))
    }

    @Test func readsTheInstalledTokens() {
        let fs = InMemoryFileSystem(["/etc/nvidia/ClientConfigToken/b.tok": "x", "/etc/nvidia/ClientConfigToken/a.tok": "y", "/etc/nvidia/ClientConfigToken/README": "z"])
        #expect(VGPUEnvironment.read(fs: fs, probe: nil) == VGPUEnvironment(tokens: ["a.tok", "b.tok"]))
        let failing = ScriptedVGPUProbe { _ in throw DriverQueryError.notResponding("NVML nvmlInit: Driver Not Loaded") }
        #expect(VGPUEnvironment.read(fs: fs, probe: failing).driverProblem?.contains("Driver Not Loaded") == true)
    }
}
