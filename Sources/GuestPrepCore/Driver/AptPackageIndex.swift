import GuestPrepModel

/// The package names in apt's downloaded indexes (`/var/lib/apt/lists/*_Packages`), so the
/// driver route can tell whether Canonical built precompiled modules for the running kernel.
/// Only the `restricted` component's indexes are read when there are any: that is where
/// Ubuntu's NVIDIA packages are, and `universe`'s index alone runs to tens of MB.
public struct AptPackageIndex: Sendable {
    private let indexes: [[UInt8]]

    public init(indexes: [[UInt8]]) { self.indexes = indexes }

    public static func read(fs: any FileSystem, listsDirectory: String) throws -> AptPackageIndex {
        let names = (try fs.list(listsDirectory) ?? []).filter { $0.hasSuffix("_Packages") }
        let restricted = names.filter { TextSearch.firstRange(of: "_restricted_", in: Substring($0)) != nil }
        return AptPackageIndex(indexes: try (restricted.isEmpty ? names : restricted).compactMap { try fs.read("\(listsDirectory)/\($0)") })
    }

    /// Whether some index has a stanza `Package: NAME`.
    public func contains(_ name: String) -> Bool {
        let stanza = Array("Package: \(name)\n".utf8)
        return indexes.contains { index in
            if index.starts(with: stanza) { return true }
            return TextSearch.firstRange(of: [UInt8(ascii: "\n")] + stanza, in: index[...]) != nil
        }
    }
}
