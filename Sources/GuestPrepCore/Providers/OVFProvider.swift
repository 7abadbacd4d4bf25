import GuestPrepConfig
import GuestPrepModel

/// `ovf:PATH`: an ovf-env.xml file, a directory holding one (a mounted CD-ROM), or an
/// ISO 9660 image or CD-ROM device holding one, read directly without mounting
/// (``OVFEnvironmentImage``, libarchive). Whatever the transport, the document is bounded by
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
        let (fs, path) = (self.fs, self.path)
        return try OVFEnvironmentImage.document(source: name) { offset, length in
            try fs.readRange(path, offset: offset, limit: length) ?? []
        }
    }
}
