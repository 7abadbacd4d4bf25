import GuestPrepModel

/// A property source as named on the command line (`--source SRC`).
public enum SourceSpec: Sendable, Equatable, CustomStringConvertible {
    /// Detect the hypervisor from DMI and use what it offers.
    case auto
    /// VMware guestinfo keys and `guestinfo.ovfEnv`, through vmware-rpctool or vmtoolsd.
    case vmware
    /// An ovf-env.xml file, or an ISO 9660 image or CD-ROM device holding one.
    case ovf(path: String)
    /// Hyper-V KVP pool files in a directory; nil is the default, /var/lib/hyperv under the root.
    case kvp(directory: String?)
    /// QEMU fw_cfg entries under opt/guestprep/.
    case fwcfg
    /// key=value lines or a JSON object.
    case file(path: String)

    /// Where Hyper-V's KVP daemon keeps its pool files.
    public static let defaultKVPDirectory = "/var/lib/hyperv"

    /// Parses `auto`, `vmware`, `ovf:PATH`, `kvp`, `kvp:DIR`, `fwcfg`, `file:PATH`.
    public static func parse(_ text: String) throws -> SourceSpec {
        let (name, argument): (Substring, Substring?) = {
            guard let colon = text.firstIndex(of: ":") else { return (Substring(text), nil) }
            return (text[..<colon], text[text.index(after: colon)...])
        }()
        func needPath() throws -> String {
            guard let argument, !argument.isEmpty else {
                throw GuestPrepError.usage("--source \(name) needs a path: \(name):PATH")
            }
            return String(argument)
        }
        func noArgument(_ value: SourceSpec) throws -> SourceSpec {
            guard argument == nil else {
                throw GuestPrepError.usage("--source \(name) takes no argument (got '\(text)')")
            }
            return value
        }
        switch name {
        case "auto": return try noArgument(.auto)
        case "vmware": return try noArgument(.vmware)
        case "fwcfg": return try noArgument(.fwcfg)
        case "ovf": return .ovf(path: try needPath())
        case "file": return .file(path: try needPath())
        case "kvp":
            if let argument, !argument.isEmpty { return .kvp(directory: String(argument)) }
            return .kvp(directory: nil)
        default:
            throw GuestPrepError.usage(
                "unknown --source '\(text)': use auto, vmware, ovf:PATH, kvp[:DIR], fwcfg or file:PATH")
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .vmware: "vmware"
        case .ovf(let path): "ovf:\(path)"
        case .kvp(let directory): directory.map { "kvp:\($0)" } ?? "kvp"
        case .fwcfg: "fwcfg"
        case .file(let path): "file:\(path)"
        }
    }
}
