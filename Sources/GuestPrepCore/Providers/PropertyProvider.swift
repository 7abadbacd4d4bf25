import GuestPrepConfig
import GuestPrepModel

/// What a property source yields.
public struct ProviderOutput: Sendable {
    public var properties: [Property]
    /// Adapters from an OVF environment's EthernetAdapterSection, when the source has one.
    public var adapters: [EthernetAdapter]

    public init(properties: [Property] = [], adapters: [EthernetAdapter] = []) {
        self.properties = properties
        self.adapters = adapters
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
/// An absolute source path (`ovf:/dev/sr0`) is a guest path, resolved under the root like
/// every other; a relative one (`file:demo/props.env`) is relative to the working directory
/// and read through `workingFS`, so a fixture root can be fed from files beside it.
public struct ProviderContext: Sendable {
    public var fs: any FileSystem
    public var runner: (any ProcessRunner)?
    /// The host file system (root `/`), for relative source paths.
    public var workingFS: any FileSystem
    /// The absolute working directory.
    public var workingDirectory: String

    public init(
        fs: any FileSystem, runner: (any ProcessRunner)?, workingFS: (any FileSystem)? = nil,
        workingDirectory: String = "/"
    ) {
        self.fs = fs
        self.runner = runner
        self.workingFS = workingFS ?? fs
        self.workingDirectory = workingDirectory
    }

    /// The providers for one `--source`; `auto` is resolved by `AutoDetector` first.
    public func provider(for spec: SourceSpec) throws -> [any PropertyProvider] {
        switch spec {
        case .auto: return try AutoDetector(fs: fs).detect().flatMap { try provider(for: $0) }
        case .vmware: return [VMwareProvider(runner: runner)]
        case .ovf(let path):
            let (where_, resolved) = locate(path)
            return [OVFProvider(path: resolved, fs: where_, name: "ovf:\(path)")]
        case .kvp(let directory):
            let (where_, resolved) = locate(directory)
            return [KVPProvider(directory: resolved, fs: where_, name: "kvp:\(directory)")]
        case .fwcfg: return [FwCfgProvider(fs: fs)]
        case .file(let path):
            let (where_, resolved) = locate(path)
            return [FileProvider(path: resolved, fs: where_, name: "file:\(path)")]
        }
    }

    private func locate(_ path: String) -> (any FileSystem, String) {
        if path.hasPrefix("/") { return (fs, path) }
        let base = workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/"
        return (workingFS, base + path)
    }
}

/// Merged properties from every source, with what was learnt on the way.
public struct LoadedProperties: Sendable {
    public var properties: PropertySet
    public var adapters: [EthernetAdapter]
    /// The sources read, in order, after `auto` was resolved.
    public var sources: [String]

    /// Reads `specs` in order; a later source overrides an earlier one.
    public static func load(_ specs: [SourceSpec], context: ProviderContext) throws -> LoadedProperties {
        var set = PropertySet()
        var adapters: [EthernetAdapter] = []
        var names: [String] = []
        for spec in specs {
            for provider in try context.provider(for: spec) {
                let output = try provider.load()
                set.merge(output.properties)
                if !output.adapters.isEmpty { adapters = output.adapters }
                names.append(provider.name)
            }
        }
        return LoadedProperties(properties: set, adapters: adapters, sources: names)
    }
}
