import GuestPrepConfig
import GuestPrepModel

/// Renders `guestprep doctor`'s report: for people, the machine in a few lines and then one
/// line per finding with its evidence and fix under it; for programs, the same as JSON.
public enum DoctorFormatter {
    /// The report as text.
    public static func text(_ doctor: GPUDoctor, findings: [Finding]) -> String {
        let environment = doctor.environment
        var out: [String] = []
        let dmi = [environment.dmiVendor, environment.dmiProduct].compactMap { $0 }.joined(separator: " / ")
        out.append("hypervisor: \(hypervisorName(environment.hypervisor))\(dmi.isEmpty ? "" : " (\(dmi))")")
        var firmware = "firmware: \(environment.firmware == .efi ? "EFI" : "BIOS")"
        if environment.firmware == .efi {
            firmware += ", Secure Boot " + (environment.secureBoot.map { $0 ? "on" : "off" } ?? "unknown")
        }
        out.append(firmware)
        out.append("memory: " + (environment.memTotalBytes.map { "\(MMIOSizing.describe(bytes: $0)) (MemTotal)" } ?? "unknown"))
        if let profile = doctor.role.profile {
            out.append("role: \(profile) (from \(doctor.role.source)): \(doctor.role.expectsGPU ? "GPUs expected" : "no GPU of its own expected")")
        }
        out.append("NVIDIA devices: \(environment.devices.count)")
        for device in environment.devices {
            let document = DeviceDocument(device, model: doctor.model(of: device))
            var line = "  \(document.address)  \(document.name)  \(document.ids)  driver \(document.driver ?? "none")"
            if let link = document.link { line += "  link \(link)" }
            out.append(line)
            out.append("      " + (document.bars.isEmpty ? "no BARs readable" : document.bars.map(\.text).joined(separator: "; ")))
        }
        out.append("findings:")
        if findings.isEmpty { out.append("  none: the GPUs are visible, their BARs assigned, nothing in the way") }
        let codeWidth = findings.map(\.code.count).max() ?? 0
        for finding in findings {
            let level = finding.level.rawValue.padding(8)
            out.append("\(level)  \(finding.code.padding(codeWidth))  \(finding.summary)")
            for line in finding.evidence { out.append("    seen: \(line)") }
            for (index, line) in finding.fix.enumerated() { out.append((index == 0 ? "    fix:  " : "          ") + line) }
        }
        out.append(summary(findings))
        return out.joined(separator: "\n") + "\n"
    }

    /// `1 critical, 2 warnings, 3 infos: exit 1`.
    public static func summary(_ findings: [Finding]) -> String {
        let counts = Finding.Level.allCases.map { level in (level, findings.filter { $0.level == level }.count) }
        let words = counts.map { level, count in
            level == .critical ? "\(count) critical" : "\(count) \(level.rawValue)\(count == 1 ? "" : "s")"
        }
        return "summary: " + words.joined(separator: ", ") + (GPUDoctor.hasCritical(findings) ? ": exit 1" : ": exit 0")
    }

    /// The report as one JSON document.
    public static func json(_ doctor: GPUDoctor, findings: [Finding]) -> String {
        let environment = doctor.environment
        let document = Document(
            hypervisor: environment.hypervisor.rawValue, dmiVendor: environment.dmiVendor, dmiProduct: environment.dmiProduct,
            biosVersion: environment.biosVersion, firmware: environment.firmware.rawValue, secureBoot: environment.secureBoot,
            memTotalBytes: environment.memTotalBytes, physicalAddressBits: environment.physicalAddressBits,
            vmName: environment.vmName, role: doctor.role.profile.map { _ in RoleDocument(doctor.role) },
            devices: environment.devices.map { DeviceDocument($0, model: doctor.model(of: $0)) },
            findings: findings.map(FindingDocument.init), critical: GPUDoctor.hasCritical(findings))
        return ReportFormatter.encode(document)
    }

    static func hypervisorName(_ hypervisor: AutoDetector.Hypervisor) -> String {
        switch hypervisor {
        case .vmware: "VMware"
        case .hyperV: "Hyper-V"
        case .qemu: "KVM/QEMU"
        case .unknown: "unknown"
        }
    }

    struct Document: Encodable {
        var hypervisor: String
        var dmiVendor: String?
        var dmiProduct: String?
        var biosVersion: String?
        var firmware: String
        var secureBoot: Bool?
        var memTotalBytes: UInt64?
        var physicalAddressBits: Int?
        var vmName: String?
        /// Nil when no role is known (GPUs expected).
        var role: RoleDocument?
        var devices: [DeviceDocument]
        var findings: [FindingDocument]
        var critical: Bool
    }

    struct FindingDocument: Encodable {
        var level: String
        var code: String
        var device: String?
        var summary: String
        var evidence: [String]
        var fix: [String]

        init(_ finding: Finding) {
            level = finding.level.rawValue
            code = finding.code
            device = finding.device?.description
            summary = finding.summary
            evidence = finding.evidence
            fix = finding.fix
        }
    }

    struct DeviceDocument: Encodable {
        struct BAR: Encodable {
            var index: Int
            var type: String
            var prefetchable: Bool
            var assigned: Bool
            var start: String?
            var size: UInt64?
            /// The catalog's size for an unassigned BAR.
            var catalogSize: UInt64?

            var text: String {
                let where_ = assigned ? " @ \(start ?? "?")" : " unassigned"
                let bytes = size ?? catalogSize
                return "BAR\(index) \(bytes.map(MMIOSizing.describe(bytes:)) ?? "?") \(type)\(prefetchable ? " pref" : "")\(where_)"
            }
        }

        var address: String
        var name: String
        var ids: String
        var kind: String
        var driver: String?
        var link: String?
        var numaNode: Int?
        var bars: [BAR]

        init(_ device: NVIDIADevice, model: GPUModel?) {
            address = device.address.description
            name = model?.name ?? (device.isNVSwitch ? "NVSwitch" : "unknown NVIDIA device")
            var ids = "10de:\(hex4(device.deviceID))"
            if let vendor = device.subsystemVendorID, let sub = device.subsystemDeviceID {
                ids += " (\(hex4(vendor)):\(hex4(sub)))"
            }
            self.ids = ids
            kind = device.isGPU ? "gpu" : "nvswitch"
            driver = device.driver
            if let current = device.currentLinkWidth, let maximum = device.maxLinkWidth {
                link = "x\(current) of x\(maximum)"
            }
            numaNode = device.numaNode
            var bars: [BAR] = []
            for bar in device.bars where bar.isAssigned && (bar.isMemory || bar.isIO) {
                bars.append(
                    BAR(
                        index: bar.index, type: bar.isIO ? "io" : (bar.is64Bit ? "mem64" : "mem32"),
                        prefetchable: bar.isPrefetchable, assigned: true, start: "0x" + String(bar.start, radix: 16),
                        size: bar.size))
            }
            for declared in device.unassignedBARs {
                bars.append(
                    BAR(
                        index: declared.index, type: declared.isMemory ? (declared.is64Bit ? "mem64" : "mem32") : "io",
                        prefetchable: declared.isPrefetchable, assigned: false, start: nil, size: nil,
                        catalogSize: model?.bar(at: declared.index)?.size))
            }
            self.bars = bars.sorted { $0.index < $1.index }
        }
    }
}

extension String {
    /// Padded with spaces to `width` characters.
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

/// The role in `doctor --json`.
struct RoleDocument: Encodable {
    var profile: String?
    var source: String
    var gpusExpected: Bool

    init(_ role: GPURole) {
        profile = role.profile
        source = role.source
        gpusExpected = role.expectsGPU
    }
}
