import GuestPrepConfig
import GuestPrepModel

/// `ovf:PATH`: an ovf-env.xml file, a directory holding one (a mounted CD-ROM), or an
/// ISO 9660 image or CD-ROM device holding one, read directly without mounting.
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

    /// The names an OVF environment file is found under.
    static let fileNames = ["ovf-env.xml", "OVF-ENV.XML", "ovf_env.xml"]

    public func load() throws -> ProviderOutput {
        let environment = try OVFEnvironmentDecoder.decode(try documentBytes())
        return ProviderOutput(
            properties: environment.properties.map { Property(key: $0.key, value: $0.value, source: name) },
            adapters: environment.adapters)
    }

    func documentBytes() throws -> [UInt8] {
        if let names = try fs.list(path) {
            for candidate in Self.fileNames where names.contains(candidate) {
                if let bytes = try fs.read(path + "/" + candidate) { return bytes }
            }
            throw GuestPrepError.source(
                name: name, reason: "no ovf-env.xml in this directory (found: \(names.joined(separator: ", ")))")
        }
        // An ISO 9660 image has "CD001" at byte 32769 (sector 16, after the type byte).
        guard let head = try fs.readRange(path, offset: 0, limit: 64) else {
            throw GuestPrepError.source(name: name, reason: "no such file or device")
        }
        let signature = try fs.readRange(path, offset: 32769, limit: 5) ?? []
        if signature == Array("CD001".utf8) {
            let reader = ISO9660Reader { offset, length in
                try fs.readRange(path, offset: offset, limit: length) ?? []
            }
            guard let bytes = try reader.findOVFEnvironment() else {
                let listing = (try? reader.listRootDirectory())?.joined(separator: ", ") ?? "unreadable"
                throw GuestPrepError.source(
                    name: name, reason: "the ISO image holds no ovf-env.xml (root directory: \(listing))")
            }
            return bytes
        }
        if head.isEmpty { throw GuestPrepError.source(name: name, reason: "the file is empty") }
        return try fs.read(path) ?? []
    }
}
