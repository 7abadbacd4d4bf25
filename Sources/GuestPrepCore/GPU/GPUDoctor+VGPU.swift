import GuestPrepConfig
import GuestPrepModel

/// The doctor on an NVIDIA vGPU guest: which GPUs are vGPUs (`VGPUDetection`), and whether each
/// holds a licence.
///
/// A vGPU is not a GPU passed through: its BARs are the ones the vGPU manager gives it, not the
/// catalog's for the physical GPU whose device ID it shows, its memory is its type's frame
/// buffer, and the hypervisor's passthrough MMIO settings (pciPassthru.64bitMMIOSizeGB,
/// -HighMemoryMappedIoSpace) are not what sizes it. So on a VM whose GPUs are all vGPUs the
/// BAR, MMIO, firmware and memory rules are left out, and these findings replace them; the
/// driver, nouveau and Secure Boot rules still apply.
extension GPUDoctor {
    /// Each GPU recognised as a vGPU, with how it was recognised.
    public var vgpus: [(device: NVIDIADevice, recognition: VGPUDetection.Recognition)] {
        let reports = environment.vgpu.reports ?? []
        return environment.gpus.compactMap { device in
            VGPUDetection.recognise(device, report: VGPUDetection.report(for: device, in: reports)).map { (device, $0) }
        }
    }

    /// Whether the VM has GPUs and every one is a vGPU.
    public var isVGPUGuest: Bool { !environment.gpus.isEmpty && vgpus.count == environment.gpus.count }

    /// The findings of a vGPU guest (see the extension's comment).
    func vgpuFindings() -> [Finding] {
        var found = driverTrouble() + nouveau() + secureBoot()
        let vgpu = environment.vgpu
        for (device, recognition) in vgpus {
            let report = vgpu.reports.flatMap { VGPUDetection.report(for: device, in: $0) }
            found.append(
                Finding(
                    .info, code: "vgpu-present", device: device.address,
                    summary: "\(device.address) is an NVIDIA vGPU (\(recognition.typeName)): the BAR, MMIO window and memory rules of a passed-through GPU do not apply to it",
                    evidence: [recognition.evidence]))
            if let license = report?.license, license.licensed == false {
                found.append(unlicensed(device, recognition, license))
            }
        }
        let licenceKnown = vgpus.allSatisfy { pair in
            vgpu.reports.flatMap { VGPUDetection.report(for: pair.device, in: $0) }?.license?.licensed != nil
        }
        if !licenceKnown, vgpu.tokens.isEmpty {
            var evidence = ["no *.tok file in \(VGPULicenseStep.tokenDirectory)/"]
            evidence.append(
                vgpu.driverProblem.map { "the driver was asked and did not answer: \($0)" }
                    ?? (vgpu.reports == nil ? "the driver was not asked (only on the running system)" : "the driver does not report vGPU licensing"))
            found.append(
                Finding(
                    .warning, code: "vgpu-no-client-token",
                    summary: "no NVIDIA License System client configuration token is installed, so the vGPU cannot be licensed",
                    evidence: evidence, fix: Self.licenceFix))
        }
        return found
    }

    /// A vGPU the driver says holds no licence. NVIDIA enforces the licence in software: an
    /// unlicensed vGPU for Compute runs at full capability for a 20-minute grace period, then at
    /// an idle level until it is licensed (NVIDIA AI Enterprise documentation, "NVIDIA vGPU for
    /// Compute Licensing", docs.nvidia.com/ai-enterprise/release-8/latest/infra-software/vgpu/licensing.html;
    /// checked 2026-12): critical.
    func unlicensed(_ device: NVIDIADevice, _ recognition: VGPUDetection.Recognition, _ license: VGPULicenseReport) -> Finding {
        let features = license.features.map {
            "feature \($0.code) (\($0.product.isEmpty ? "unnamed" : $0.product)): \($0.enabled ? "enabled" : "not enabled"), \($0.licensed ? "licensed" : "not licensed")"
        }
        var fix = Self.licenceFix
        if !environment.vgpu.tokens.isEmpty {
            fix.insert("the token is installed (\(environment.vgpu.tokens.joined(separator: ", "))): `journalctl -u nvidia-gridd` says why the license service refused or could not be reached", at: 0)
        }
        return Finding(
            .critical, code: "vgpu-unlicensed", device: device.address,
            summary: "\(device.address) (\(recognition.typeName)) holds no vGPU software licence: NVIDIA reduces an unlicensed vGPU's performance",
            evidence: ["NVML nvmlDeviceGetGridLicensableFeatures: licensing supported, no enabled feature licensed"] + features, fix: fix)
    }

    static let licenceFix = [
        "give the client configuration token (the .tok file from the NVIDIA Licensing Portal or your DLS instance) in \(PropertyKeys.vgpuClientConfigToken) and run guestprep with the vgpu-guest profile (it writes \(VGPULicenseStep.tokenDirectory)/, gridd.conf's FeatureType, and restarts nvidia-gridd)",
        "the license service named in the token must be reachable from this VM (TCP 443) and have a licence free for this vGPU type",
    ]
}
