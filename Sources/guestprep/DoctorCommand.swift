import ArgumentParser
import GuestPrepConfig
import GuestPrepCore
import GuestPrepLinux
import GuestPrepModel

/// `guestprep doctor`: what the guest sees of its NVIDIA GPUs, and what to fix on the hypervisor.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the GPUs the VM sees (PCI, BARs, MMIO window, firmware, memory, nouveau, Secure Boot) and print each fix.",
        discussion: """
            Reads sysfs, /proc, the EFI variables and the kernel log (/dev/kmsg; as root, or \
            kernel.dmesg_restrict=0) under --root, and DMI to word each fix for the hypervisor: \
            ESXi (pciPassthru.use64bitMMIO, pciPassthru.64bitMMIOSizeGB), Hyper-V (Set-VM \
            -HighMemoryMappedIoSpace) or KVM/QEMU (pcihole64, X-PciMmio64Mb). Changes nothing.

            An NVIDIA vGPU (recognised by NVML's virtualization mode, or by the vGPU-type \
            subsystem IDs pci.ids lists) gets no passthrough BAR or MMIO advice; its licence is \
            checked instead: the tokens in /etc/nvidia/ClientConfigToken/ and, when --root is /, \
            the driver's licence state (NVML).

            One line per finding (critical, warning or info, and a stable code), with what was \
            seen and the fix under it. Exit 0 without critical findings, 1 with.

            The VM's role decides whether no GPU is a fault: --profile, else the profile the \
            last run recorded in /var/lib/guestprep/state.json. A role whose profile runs no GPU \
            step (bitfusion-client) has no GPU by design: an info, not a critical finding.
            """)

    @OptionGroup var root: RootOption
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: RunOptions.profileHelp)
    var profile: String?

    func run() throws {
        let session = try Session(root: root.path)
        var environment = try GPUEnvironment.read(fs: session.fs)
        // The state, read once: the role the last run recorded, and what became of nouveau. An
        // unreadable state file leaves both unknown: `status` names what is wrong with it.
        let state = try? AgentState.load(fs: session.fs)
        environment.nouveauRelease = state.flatMap(GPUEnvironment.nouveauRelease(in:))
        // An NVIDIA vGPU's licence: the installed tokens, and the driver's word on the running system.
        environment.vgpu = VGPUEnvironment.read(fs: session.fs, probe: session.onHost ? NVMLProbe(runner: session.runner) : nil)
        // A loaded driver tells the memory of GPUs the catalog does not know (the 1.5× rule);
        // no driver, or a fixture root (no programs run), leaves it to the catalog.
        if session.onHost, !environment.gpus.isEmpty, let query = try? NVMLProbe(runner: nil).query() {
            environment.addDriverMemory(query)
        }
        // Only the catalog entries of the GPUs present are decoded.
        let doctor = GPUDoctor(
            environment: environment, models: GPUCatalog.models(deviceIDs: Set(environment.devices.map(\.deviceID))),
            role: try role(session, state: state))
        let findings = doctor.findings()
        CommandOutput.out(output.json ? DoctorFormatter.json(doctor, findings: findings) : DoctorFormatter.text(doctor, findings: findings))
        if GPUDoctor.hasCritical(findings) { throw ExitCode(1) }
    }

    /// The role as the run knows it: `--profile` (an unknown name is a usage error, exit 2), else
    /// the last run's profile from the state; unknown when neither says, or when the recorded
    /// profile can no longer be read (a site profile removed since): GPUs are expected then.
    private func role(_ session: Session, state: AgentState?) throws -> GPURole {
        if let profile { return GPURole(profile: try session.loadProfile(profile), source: "--profile") }
        guard let recorded = state?.lastRun?.profile else { return .unknown }
        let source = "the last run (\(AgentState.path))"
        guard let loaded = try? session.loadProfile(recorded) else {
            return GPURole(profile: recorded, source: source + ", its profile unreadable now", expectsGPU: true)
        }
        return GPURole(profile: loaded, source: source)
    }
}
