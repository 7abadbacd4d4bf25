import ArgumentParser
import GuestPrepConfig
import GuestPrepCore
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

            One line per finding (critical, warning or info, and a stable code), with what was \
            seen and the fix under it. Exit 0 without critical findings, 1 with.
            """)

    @OptionGroup var root: RootOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let session = try Session(root: root.path)
        let environment = try GPUEnvironment.read(fs: session.fs)
        // Only the catalog entries of the GPUs present are decoded.
        let doctor = GPUDoctor(
            environment: environment, models: GPUCatalog.models(deviceIDs: Set(environment.devices.map(\.deviceID))))
        let findings = doctor.findings()
        CommandOutput.out(output.json ? DoctorFormatter.json(doctor, findings: findings) : DoctorFormatter.text(doctor, findings: findings))
        if GPUDoctor.hasCritical(findings) { throw ExitCode(1) }
    }
}
