import GuestPrepConfig
import GuestPrepModel

/// What a property source yields.
public struct ProviderOutput: Sendable {
    public var properties: [Property]
    /// Adapters from an OVF environment's EthernetAdapterSection, when the source has one.
    public var adapters: [EthernetAdapter]
    /// The secrets VMware guestinfo holds (the vmware source only).
    public var guestinfo: GuestinfoSecrets?
    /// What the reader noticed on the way (a channel that did not work and was passed over).
    public var diagnostics: [Diagnostic]

    public init(
        properties: [Property] = [], adapters: [EthernetAdapter] = [], guestinfo: GuestinfoSecrets? = nil,
        diagnostics: [Diagnostic] = []
    ) {
        self.properties = properties
        self.adapters = adapters
        self.guestinfo = guestinfo
        self.diagnostics = diagnostics
    }
}

/// One property source behind one protocol: a provider reads its channel through the
/// injected effects and hands the bytes to a pure decoder in GuestPrepConfig.
public protocol PropertyProvider: Sendable {
    /// The source's name as shown in provenance (`vmware`, `ovf:/dev/sr0`).
    var name: String { get }
    func load() throws -> ProviderOutput
}

/// The effects providers may use. `runner` is nil when external programs must not run
/// (a root other than `/`).
///
/// A path written on the command line (`ovf:PATH`, `file:PATH`, `kvp:DIR`) is the operator's
/// own file: a host path, relative to the working directory when relative, read through
/// `hostFS`. Paths guestprep chooses itself (the OVF-ENV CD-ROM that `auto` finds, the default
/// KVP directory, fw_cfg) are guest paths, resolved under the root through `fs`.
public struct ProviderContext: Sendable {
    public var fs: any FileSystem
    public var runner: (any ProcessRunner)?
    /// The host file system (root `/`), for paths given on the command line.
    public var hostFS: any FileSystem
    /// The absolute working directory.
    public var workingDirectory: String
    /// Asks optical drives about their media for `auto` (see `AutoDetector`); nil under a
    /// fixture root.
    public var opticalProbe: (any OpticalDriveProbe)?

    public init(
        fs: any FileSystem, runner: (any ProcessRunner)?, hostFS: (any FileSystem)? = nil,
        workingDirectory: String = "/", opticalProbe: (any OpticalDriveProbe)? = nil
    ) {
        self.fs = fs
        self.runner = runner
        self.hostFS = hostFS ?? fs
        self.workingDirectory = workingDirectory
        self.opticalProbe = opticalProbe
    }

    /// The providers for one `--source`; `auto` is resolved by `AutoDetector` first.
    public func provider(for spec: SourceSpec) throws -> [any PropertyProvider] {
        switch spec {
        case .auto:
            let detection = try AutoDetector(fs: fs, probe: opticalProbe, runner: runner).detect()
            let cdrom = detection.sources.compactMap { if case .ovf(let path) = $0 { path } else { nil } }.first
            let providers = try detection.sources.flatMap { detected -> [any PropertyProvider] in
                if case .ovf(let path) = detected { return [OVFProvider(path: path, fs: fs)] }
                // With the OVF environment on its CD-ROM, a VMware VM whose guestinfo channel
                // does not work (no open-vm-tools, or a VMware look-alike) still has its
                // properties: go on with the CD-ROM's, and say so.
                if let cdrom, case .vmware = detected {
                    return try provider(for: detected).map {
                        PassedOverProvider(inner: $0, reason: "the OVF environment was read from \(cdrom)")
                    }
                }
                return try provider(for: detected)
            }
            guard !detection.diagnostics.isEmpty, let first = providers.first else { return providers }
            return [NotedProvider(inner: first, diagnostics: detection.diagnostics)] + providers.dropFirst()
        case .vmware: return [VMwareProvider(runner: runner)]
        case .ovf(let path):
            try OVFProvider.refuseNonOpticalDevice(hostPath(path), fs: hostFS, name: "ovf:\(path)")
            return [OVFProvider(path: hostPath(path), fs: hostFS, name: "ovf:\(path)")]
        case .kvp(nil): return [KVPProvider(directory: SourceSpec.defaultKVPDirectory, fs: fs)]
        case .kvp(let directory?):
            return [KVPProvider(directory: hostPath(directory), fs: hostFS, name: "kvp:\(directory)")]
        case .fwcfg: return [FwCfgProvider(fs: fs, runner: runner)]
        case .file(let path): return [FileProvider(path: hostPath(path), fs: hostFS, name: "file:\(path)")]
        }
    }

    private func hostPath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return (workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/") + path
    }
}

/// Merged properties from every source, with what was learnt on the way.
public struct LoadedProperties: Sendable {
    public var properties: PropertySet
    public var adapters: [EthernetAdapter]
    /// The sources read, in order, after `auto` was resolved.
    public var sources: [String]
    /// The secrets VMware guestinfo holds, when the vmware source was read.
    public var guestinfo: GuestinfoSecrets?
    /// What the sources noticed on the way (a channel passed over), shown before validation's.
    public var diagnostics: [Diagnostic] = []

    /// Reads `specs` in order; a later source overrides an earlier one.
    public static func load(_ specs: [SourceSpec], context: ProviderContext) throws -> LoadedProperties {
        var set = PropertySet()
        var adapters: [EthernetAdapter] = []
        var names: [String] = []
        var guestinfo: GuestinfoSecrets?
        var diagnostics: [Diagnostic] = []
        for spec in specs {
            for provider in try context.provider(for: spec) {
                let output = try provider.load()
                set.merge(output.properties)
                if !output.adapters.isEmpty { adapters = output.adapters }
                if let found = output.guestinfo { guestinfo = found }
                diagnostics += output.diagnostics
                names.append(provider.name)
            }
        }
        return LoadedProperties(
            properties: set, adapters: adapters, sources: names, guestinfo: guestinfo, diagnostics: diagnostics)
    }
}

/// A source `auto` may pass over: when its channel cannot be read (a source error), the run
/// goes on with the other sources and a warning that names the source and the reason.
/// Anything else (a decoding bug, an I/O error) still stops the run.
struct PassedOverProvider: PropertyProvider {
    let inner: any PropertyProvider
    /// Why the other sources are enough, in words.
    let reason: String

    var name: String { inner.name }

    func load() throws -> ProviderOutput {
        do {
            return try inner.load()
        } catch GuestPrepError.source(let name, let why) {
            return ProviderOutput(diagnostics: [
                .warning(nil, "source \(name) passed over: \(why); \(reason), so its properties are used alone (direct guestinfo keys are not seen)")
            ])
        }
    }
}

/// A source with what `auto` noticed while choosing it (a drive passed over), shown first.
struct NotedProvider: PropertyProvider {
    let inner: any PropertyProvider
    let diagnostics: [Diagnostic]

    var name: String { inner.name }

    func load() throws -> ProviderOutput {
        var output = try inner.load()
        output.diagnostics = diagnostics + output.diagnostics
        return output
    }
}
