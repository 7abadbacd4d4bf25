import GuestPrepModel

/// Whether an NVIDIA function the guest sees is a vGPU (a slice of a GPU the hypervisor shares,
/// NVIDIA vGPU software) rather than a whole GPU passed through. Pure: values in, values out.
///
/// Two kinds of evidence, the driver's first:
/// - with the driver loaded, NVML's virtualization mode: `NVML_GPU_VIRTUALIZATION_MODE_VGPU` (2)
///   is "Device is associated with vGPU inside virtual machine", `..._PASSTHROUGH` (1) a whole
///   GPU; the name NVML reports is then the vGPU type's (nvml.h of NVML 13.3.29, NVIDIA/go-nvml
///   2f9e261: nvmlGpuVirtualizationMode_t, nvmlDeviceGetVirtualizationMode; nvmlVgpuTypeGetName
///   names types such as "GRID M60-2Q");
/// - without it, the PCI IDs: a vGPU shows the physical GPU's device ID (Kepler's vGPUs their
///   own) with a subsystem ID of its vGPU type. pci.ids lists only some types (`knownTypes`,
///   every vGPU-type subsystem of vendor 10de in pciutils/pciids c1c12547, 2026-08-22); a vGPU
///   of a type it does not list is recognised once the driver answers.
public enum VGPUDetection {
    /// One vGPU type pci.ids lists: device ID, subsystem ID (subsystem vendor 10de), name.
    public struct KnownType: Sendable, Equatable {
        public var deviceID: UInt16
        public var subsystemID: UInt16
        public var name: String
    }

    /// From pci.ids (pciutils/pciids c1c12547): the subsystems named "GRID <GPU>-<size><series>"
    /// under their physical GPU (Tesla M10, M60, M6, T10), and the Kepler vGPU functions whose
    /// device names end in "vGPU" (GRID K100, K140Q, K200, K240Q / K260Q).
    public static let knownTypes: [KnownType] = [
        KnownType(deviceID: 0x0fe7, subsystemID: 0x101e, name: "GRID K100"),
        KnownType(deviceID: 0x0ff7, subsystemID: 0x1037, name: "GRID K140Q"),
        KnownType(deviceID: 0x118d, subsystemID: 0x101d, name: "GRID K200"),
        KnownType(deviceID: 0x11b0, subsystemID: 0x101a, name: "GRID K240Q"),
        KnownType(deviceID: 0x11b0, subsystemID: 0x101b, name: "GRID K260Q"),
        KnownType(deviceID: 0x13bd, subsystemID: 0x11d2, name: "GRID M10-8Q"),
        KnownType(deviceID: 0x13f2, subsystemID: 0x114d, name: "GRID M60-1Q"),
        KnownType(deviceID: 0x13f2, subsystemID: 0x114e, name: "GRID M60-2Q"),
        KnownType(deviceID: 0x13f2, subsystemID: 0x1150, name: "GRID M60-8Q"),
        KnownType(deviceID: 0x13f2, subsystemID: 0x11b0, name: "GRID M60-4A"),
        KnownType(deviceID: 0x13f3, subsystemID: 0x1184, name: "GRID M6-8Q"),
        KnownType(deviceID: 0x1e37, subsystemID: 0x1347, name: "GRID RTX T10-8"),
        KnownType(deviceID: 0x1e37, subsystemID: 0x1348, name: "GRID RTX T10-4"),
        KnownType(deviceID: 0x1e37, subsystemID: 0x1349, name: "GRID RTX T10-2"),
        KnownType(deviceID: 0x1e37, subsystemID: 0x13a5, name: "GRID RTX T10-8"),
    ]

    /// NVIDIA's PCI vendor ID, the subsystem vendor of every vGPU type above.
    static let nvidia: UInt16 = 0x10de

    /// A function recognised as a vGPU: its type's name and how it was recognised.
    public struct Recognition: Sendable, Equatable {
        public var typeName: String
        /// In words, for evidence: "NVML: virtualization mode vGPU", "pci.ids: subsystem 10de:114e".
        public var evidence: String
    }

    /// The vGPU type pci.ids gives this function's IDs, nil when it lists none.
    public static func pciType(of device: NVIDIADevice) -> KnownType? {
        guard device.subsystemVendorID == nvidia, let subsystem = device.subsystemDeviceID else { return nil }
        return knownTypes.first { $0.deviceID == device.deviceID && $0.subsystemID == subsystem }
    }

    /// Whether `device` is a vGPU. The driver's answer for it (`report`, matched by address)
    /// decides when there is one with a virtualization mode; otherwise the PCI IDs do.
    public static func recognise(_ device: NVIDIADevice, report: VGPUDriverReport?) -> Recognition? {
        if let report, let mode = report.mode {
            guard mode == .vgpu else { return nil }
            return Recognition(typeName: report.name, evidence: "NVML: virtualization mode vGPU (\(mode.rawValue)), type \(report.name)")
        }
        guard let known = pciType(of: device) else { return nil }
        return Recognition(
            typeName: known.name,
            evidence: "pci.ids: \(hex4(device.deviceID)) with subsystem \(hex4(nvidia)):\(hex4(known.subsystemID)) is the vGPU type \(known.name)")
    }

    /// The driver's report for `device`, by PCI address.
    public static func report(for device: NVIDIADevice, in reports: [VGPUDriverReport]) -> VGPUDriverReport? {
        reports.first { $0.address == device.address.description }
    }
}
