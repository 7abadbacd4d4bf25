import GuestPrepConfig
import GuestPrepModel

/// `ovf:PATH` (and the OVF-ENV CD-ROM `auto` finds): an ovf-env.xml file, a directory holding one (a mounted CD-ROM), or an
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

    /// Refuses an `ovf:PATH` that is, or links to, a device node in /dev other than an optical
    /// drive (`/dev/disk/by-label/OVF-ENV` on a USB stick or a data disk is `/dev/sdb1`): the
    /// OVF environment may name a driver that root runs, and its transport is a CD-ROM the
    /// hypervisor attaches, which anyone who can plug in a disk cannot fake. Files (an
    /// ovf-env.xml, an ISO image) and directories elsewhere are the operator's own and read.
    public static func refuseNonOpticalDevice(_ path: String, fs: any FileSystem, name: String) throws {
        let resolved = resolvingLinks(path, fs: fs)
        let parts = resolved.split(separator: "/")
        guard parts.count == 2, parts[0] == "dev", !AutoDetector.isOpticalDriveName(String(parts[1])) else { return }
        throw GuestPrepError.source(
            name: name,
            reason: "\(resolved == path ? path : "\(path) is \(resolved), which") is not an optical drive (/dev/srN): the OVF environment is read only from the CD-ROM the hypervisor attaches, never from a disk or a USB stick that carries its label; name an ovf-env.xml or an ISO image file to read one by hand")
    }

    /// `path` with every symlink on its last component followed (at most 16), `.` and `..`
    /// taken away; a link that cannot be read ends the walk where it is.
    static func resolvingLinks(_ path: String, fs: any FileSystem) -> String {
        var current = normalized(path)
        for _ in 0..<16 {
            guard let target = (try? fs.readLink(current)) ?? nil else { break }
            let directory = current.split(separator: "/").dropLast().joined(separator: "/")
            current = normalized(target.hasPrefix("/") ? target : "/\(directory)/\(target)")
        }
        return current
    }

    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
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
