import GuestPrepConfig
import GuestPrepModel

/// `ovf:PATH`: an ovf-env.xml file, a directory holding one (a mounted CD-ROM), or an
/// ISO 9660 image or CD-ROM device holding one, read directly without mounting (through
/// ``ArchiveReader``, libarchive). Whatever the transport, the document is bounded by
/// ``InputLimits/ovfEnvironment`` and refused the same way when larger.
public struct OVFProvider: PropertyProvider {
    public let path: String
    let fs: any FileSystem

    /// The name shown in provenance; defaults to `ovf:` and the path.
    public let name: String

    public init(path: String, fs: any FileSystem, name: String? = nil) {
        self.path = path
        self.fs = fs
        self.name = name ?? "ovf:\(path)"
    }

    /// The names an OVF environment file is found under in a directory.
    static let fileNames = ["ovf-env.xml", "OVF-ENV.XML", "ovf_env.xml"]
    /// The names looked up in an ISO image's root directory, compared case-insensitively and
    /// in this order (a plain ISO 9660 image stores `OVF_ENV.XML`).
    static let isoNames = ["ovf-env.xml", "ovf_env.xml"]

    public func load() throws -> ProviderOutput {
        let environment = try OVFEnvironmentDecoder.decode(try documentBytes())
        return ProviderOutput(
            properties: environment.properties.map { Property(key: $0.key, value: $0.value, source: name) },
            adapters: environment.adapters)
    }

    func documentBytes() throws -> [UInt8] {
        let limit = InputLimits.ovfEnvironment
        if let names = try fs.list(path) {
            for candidate in Self.fileNames where names.contains(candidate) {
                if let bytes = try fs.readRange(path + "/" + candidate, offset: 0, limit: limit + 1) {
                    return try InputLimits.checkOVFEnvironment(bytes, source: name)
                }
            }
            throw GuestPrepError.source(
                name: name, reason: "no ovf-env.xml in this directory (found: \(names.joined(separator: ", ")))")
        }
        // An ISO 9660 image has "CD001" at byte 32769 (sector 16, after the type byte): ECMA-119,
        // 8.1 and 6.2.1.
        guard let signature = try fs.readRange(path, offset: 32769, limit: 5) else {
            throw GuestPrepError.source(name: name, reason: "no such file or device")
        }
        if signature == Array("CD001".utf8) { return try isoDocument() }
        let document = try fs.readRange(path, offset: 0, limit: limit + 1) ?? []
        if document.isEmpty { throw GuestPrepError.source(name: name, reason: "the file is empty") }
        return try InputLimits.checkOVFEnvironment(document, source: name)
    }

    /// ovf-env.xml from the root directory of the ISO 9660 image or CD-ROM at `path`.
    private func isoDocument() throws -> [UInt8] {
        let limits = ArchiveReader.Limits(
            entries: InputLimits.isoEntries, entrySize: InputLimits.ovfEnvironment,
            totalSize: InputLimits.ovfEnvironment * Self.isoNames.count)
        let reader = ArchiveReader(source: name, format: .iso9660, limits: limits)
        let (fs, path) = (self.fs, self.path)
        let entries: [ArchiveEntry]
        do {
            entries = try reader.entries(
                readingAt: { offset, length in try fs.readRange(path, offset: offset, limit: length) ?? [] },
                contentsOf: { Self.isoNames.contains($0.lowercased()) },
                stopAfter: { $0.kind == .file && $0.path.lowercased() == Self.isoNames[0] })
        } catch {
            if case .entryTooLarge(let entry, _, _) = error.problem, Self.isoNames.contains(entry.lowercased()) {
                throw InputLimits.ovfEnvironmentTooLarge(source: name)
            }
            throw GuestPrepError.source(name: name, reason: "the ISO image cannot be read: \(error.reason)")
        }
        for wanted in Self.isoNames {
            if let entry = entries.first(where: { $0.kind == .file && $0.path.lowercased() == wanted }) {
                return entry.contents
            }
        }
        let root = entries.filter { !$0.path.contains("/") && $0.path != "." }
            .map { $0.kind == .directory ? $0.path + "/" : $0.path }
        throw GuestPrepError.source(
            name: name,
            reason: "the ISO image holds no ovf-env.xml (root directory: \(root.isEmpty ? "empty" : root.joined(separator: ", ")))")
    }
}
