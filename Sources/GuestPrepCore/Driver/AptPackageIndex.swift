import GuestPrepModel

/// The package names in apt's downloaded indexes (`/var/lib/apt/lists/*_Packages`), so the
/// driver route can tell whether Canonical built precompiled modules for the running kernel, and
/// whether Debian's sources have the components its driver comes from. Only the indexes of the
/// components NVIDIA's packages are in are read when there are any (Ubuntu's `restricted`,
/// Debian's `contrib`, `non-free`, `non-free-firmware`): `universe`'s or `main`'s index alone runs
/// to tens of MB.
public struct AptPackageIndex: Sendable {
    private let indexes: [[UInt8]]

    public init(indexes: [[UInt8]]) { self.indexes = indexes }

    public static func read(fs: any FileSystem, listsDirectory: String) throws -> AptPackageIndex {
        let names = (try fs.list(listsDirectory) ?? []).filter { $0.hasSuffix("_Packages") }
        let wanted = names.filter { name in
            ["_restricted_", "_contrib_", "_non-free_", "_non-free-firmware_"].contains {
                TextSearch.firstRange(of: $0, in: Substring(name)) != nil
            }
        }
        return AptPackageIndex(indexes: try (wanted.isEmpty ? names : wanted).compactMap { try fs.read("\(listsDirectory)/\($0)") })
    }

    /// Whether no index was read (apt-get update never ran, or its lists were cleaned).
    public var isEmpty: Bool { indexes.isEmpty }

    /// Whether some index has a stanza `Package: NAME`.
    public func contains(_ name: String) -> Bool {
        let stanza = Array("Package: \(name)\n".utf8)
        return indexes.contains { index in
            if index.starts(with: stanza) { return true }
            return TextSearch.firstRange(of: [UInt8(ascii: "\n")] + stanza, in: index[...]) != nil
        }
    }
}
