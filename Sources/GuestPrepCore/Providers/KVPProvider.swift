import GuestPrepConfig
import GuestPrepModel

/// `kvp[:DIR]`: Hyper-V KVP pool files. Pool 0 holds what the host sent with
/// Msvm_KvpExchangeDataItem (the external pool); pools are read 0...4, later overriding, each
/// under hv_kvp_daemon's read lock. The status guestprep publishes in pool 1 is left out.
public struct KVPProvider: PropertyProvider {
    public let directory: String
    let fs: any FileSystem

    /// The name shown in provenance; defaults to `kvp:` and the path.
    public let name: String

    public init(directory: String, fs: any FileSystem, name: String? = nil) {
        self.directory = directory
        self.fs = fs
        self.name = name ?? "kvp:\(directory)"
    }

    public func load() throws -> ProviderOutput {
        var properties: [Property] = []
        var found = false
        for pool in 0...4 {
            let path = "\(directory)/.kvp_pool_\(pool)"
            guard let bytes = try fs.readLocked(path) else { continue }
            found = true
            do {
                // guestprep's own status records (pool 1) are what it tells the host, never input.
                properties += try KVPPoolDecoder.decode(bytes).filter { !StatusPublisher.keys.contains($0.key) }
                    .map { Property(key: $0.key, value: $0.value, source: name) }
            } catch let error as GuestPrepError {
                throw GuestPrepError.source(name: name, reason: "\(path): \(error)")
            }
        }
        guard found else {
            throw GuestPrepError.source(
                name: name, reason: "no KVP pool files (.kvp_pool_0 … .kvp_pool_4) in \(directory); is hv_kvp_daemon running?")
        }
        return ProviderOutput(properties: properties)
    }
}
