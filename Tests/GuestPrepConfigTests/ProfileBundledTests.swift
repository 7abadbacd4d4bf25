import Foundation
import GuestPrepConfig
import GuestPrepModel
import Testing

/// The repository's profiles/ directory, found from this file's path.
private let profilesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("profiles")

@Suite struct BundledProfileTests {
    @Test(arguments: ["bitfusion-server", "bitfusion-client", "gpu-passthrough", "vgpu-guest"])
    func decodes(_ name: String) throws {
        let text = try #require(BundledProfiles.all[name])
        for source in ["profiles/\(name).yaml", "/etc/guestprep/profiles/\(name).yaml", "bundled profile \(name)"] {
            let gpuSteps = ["nouveau", "driver-sources", "driver", "persistence", "driver-verify"]
            let serverSteps = ["bitfusion-server-check", "vcenter-verify", "secrets-clear"]
            let clientSteps = [
                "bitfusion-package", "bitfusion-group", "bitfusion-limits", "bitfusion-client", "bitfusion-client-check",
                "secrets-clear",
            ]
            let vgpuSteps = ["vgpu-license", "vgpu-license-verify", "secrets-clear"]
            let known = Set(["clone-identity", "hostname", "network", "health-timer"] + gpuSteps + serverSteps + clientSteps + vgpuSteps)
            let profile = try ProfileDecoder.decode(text, source: source, knownSteps: known)
            #expect(profile.name == name)
            // A Bitfusion client has no GPU of its own: nothing for nouveau to take, no driver.
            let role: [String] =
                switch name {
                case "bitfusion-client": clientSteps
                case "bitfusion-server": gpuSteps + serverSteps
                // A vGPU guest: the site's guest driver, then its licence (the token cleared after).
                case "vgpu-guest": gpuSteps + vgpuSteps
                default: gpuSteps
                }
            #expect(profile.steps == ["clone-identity", "hostname", "network"] + role + ["health-timer"])
            // The Bitfusion roles check their peers (vCenter, the servers) every hour, a vGPU guest
            // its licence; a plain GPU VM's workload owns it, and its timer stays off.
            #expect(profile.health == (name == "gpu-passthrough" ? nil : "1h"))
            #expect(profile.driver == (name == "bitfusion-client" ? DriverRequest() : DriverRequest(install: true, persistence: true)))
            #expect(!profile.description.isEmpty)
        }
    }

    /// Every profile under profiles/ is bundled, and SwiftPM embeds the files themselves (through
    /// the link Sources/GuestPrepConfig/profiles): a profile added without its resource line in
    /// Package.swift fails here.
    @Test func embeddedTextsAreTheFilesByteForByte() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: profilesDirectory.path)
            .filter { $0.hasSuffix(".yaml") }
        #expect(Set(files.map { String($0.dropLast(".yaml".count)) }) == Set(BundledProfiles.all.keys))
        #expect(BundledProfiles.all.count == 4)
        for (name, text) in BundledProfiles.all {
            let file = try Data(contentsOf: profilesDirectory.appendingPathComponent("\(name).yaml"))
            let identical = Array(file) == Array(text.utf8)
            #expect(identical, "the embedded BundledProfiles.all[\"\(name)\"] differs from profiles/\(name).yaml")
        }
    }
}
