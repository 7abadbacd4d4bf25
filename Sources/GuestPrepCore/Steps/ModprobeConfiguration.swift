import GuestPrepConfig

/// What modprobe would make of the guest's modprobe.d files for one module, read as kmod
/// reads them: the `*.conf` files of /etc/modprobe.d, /run/modprobe.d,
/// /usr/local/lib/modprobe.d, /usr/lib/modprobe.d and /lib/modprobe.d, a name in an earlier
/// directory hiding the same name in a later one (so /etc overrides the vendor's file), all
/// read in the order of their names.
public struct ModprobeConfiguration: Sendable, Equatable {
    /// The directories kmod reads, highest priority first.
    public static let directories = [
        "/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d",
    ]

    /// The files that blacklist the module, in reading order.
    public var blacklistedIn: [String] = []
    /// Every `options` parameter for the module, in reading order: modprobe passes them all,
    /// and the kernel keeps the last value of a parameter given twice.
    public var parameters: [(file: String, parameter: String)] = []

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.blacklistedIn == rhs.blacklistedIn
            && lhs.parameters.map(\.file) == rhs.parameters.map(\.file)
            && lhs.parameters.map(\.parameter) == rhs.parameters.map(\.parameter)
    }

    /// The value the module gets for `name` (the last `name=value`), or nil when none is set.
    public func value(of name: String) -> String? {
        for (_, parameter) in parameters.reversed() {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == name { return String(parts[1]) }
        }
        return nil
    }

    /// The file that sets `name` last, when one does.
    public func file(setting name: String) -> String? {
        parameters.last { $0.parameter.hasPrefix(name + "=") }?.file
    }

    /// The configuration for `module` under `fs`'s root.
    public static func read(module: String, fs: any FileSystem) throws -> ModprobeConfiguration {
        let wanted = ModprobeConfigDecoder.normalise(module)
        var byName: [String: String] = [:]
        for directory in directories {
            for name in (try fs.list(directory)) ?? [] where name.hasSuffix(".conf") && byName[name] == nil {
                byName[name] = directory + "/" + name
            }
        }
        var result = ModprobeConfiguration()
        for name in byName.keys.sorted() {
            let path = byName[name]!
            guard let text = try fs.readText(path) else { continue }
            for directive in ModprobeConfigDecoder.directives(text) {
                switch directive {
                case .blacklist(let module) where module == wanted:
                    result.blacklistedIn.append(path)
                case .options(let module, let parameters) where module == wanted:
                    result.parameters += parameters.map { (path, $0) }
                default:
                    continue
                }
            }
        }
        return result
    }
}
