import GuestPrepConfig
import GuestPrepModel

/// `file:PATH`: key=value lines or a JSON object.
public struct FileProvider: PropertyProvider {
    public let path: String
    let fs: any FileSystem

    /// The name shown in provenance; defaults to `file:` and the path.
    public let name: String

    public init(path: String, fs: any FileSystem, name: String? = nil) {
        self.path = path
        self.fs = fs
        self.name = name ?? "file:\(path)"
    }

    public func load() throws -> ProviderOutput {
        guard let bytes = try fs.read(path) else {
            throw GuestPrepError.source(name: name, reason: "no such file")
        }
        do {
            return ProviderOutput(
                properties: try KeyValueDecoder.decode(bytes).map { Property(key: $0.key, value: $0.value, source: name) })
        } catch let error as GuestPrepError {
            throw GuestPrepError.source(name: name, reason: "\(error)")
        }
    }
}
