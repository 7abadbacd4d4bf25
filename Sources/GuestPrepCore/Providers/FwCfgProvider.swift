import GuestPrepConfig
import GuestPrepModel

/// `fwcfg`: QEMU fw_cfg entries under opt/guestprep/, one entry per key, given with
/// `-fw_cfg name=opt/guestprep/KEY,string=VALUE` (or `file=`).
public struct FwCfgProvider: PropertyProvider {
    let fs: any FileSystem
    /// Loads the qemu_fw_cfg driver when udev has not yet (``FwCfgModule``); nil under a
    /// fixture root.
    let runner: (any ProcessRunner)?

    public init(fs: any FileSystem, runner: (any ProcessRunner)? = nil) {
        self.fs = fs
        self.runner = runner
    }

    public var name: String { "fwcfg" }

    public func load() throws -> ProviderOutput {
        let directory = FwCfgDecoder.directory
        _ = FwCfgModule.entriesPresent(fs: fs, runner: runner)
        guard let entries = try fs.list(directory) else {
            throw GuestPrepError.source(
                name: name, reason: "\(directory) does not exist (is the qemu_fw_cfg module loaded, and was -fw_cfg name=opt/guestprep/... given?)")
        }
        var properties: [Property] = []
        for entry in entries {
            guard let key = FwCfgDecoder.key(forEntryName: entry) else {
                throw GuestPrepError.source(name: name, reason: "entry '\(entry)' is not a property key")
            }
            guard let raw = try fs.read("\(directory)/\(entry)/raw") else { continue }
            properties.append(Property(key: key, value: FwCfgDecoder.value(raw), source: name))
        }
        return ProviderOutput(properties: properties)
    }
}
