// FoundationEssentials, not Foundation: JSON is all this needs (as AgentState).
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import GuestPrepModel

/// What health runs keep between runs (counts and times for rates, counters carried across
/// boots), in /var/lib/guestprep/health.json: versioned, 0600, written atomically. It holds
/// figures only, never a property value.
public enum HealthMemory {
    public static let path = "/var/lib/guestprep/health.json"
    public static let version = 1

    struct Document: Codable {
        var version: Int
        var memory: [String: Double]
    }

    /// The figures kept, empty when the file is missing; throws, naming the file, when it is not
    /// one this guestprep wrote.
    public static func load(fs: any FileSystem) throws -> [String: Double] {
        guard let bytes = try fs.read(path) else { return [:] }
        let document: Document
        do { document = try JSONDecoder().decode(Document.self, from: Data(bytes)) } catch {
            throw GuestPrepError.malformed(what: path, reason: "not a guestprep health memory (\(error))")
        }
        guard document.version <= version else {
            throw GuestPrepError.malformed(what: path, reason: "written by a newer guestprep (version \(document.version), this one knows \(version))")
        }
        return document.memory.filter { $0.value.isFinite }
    }

    /// Writes the figures atomically, 0600, keys sorted.
    public static func save(_ memory: [String: Double], fs: any FileSystem) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(Document(version: version, memory: memory.filter { $0.value.isFinite })) } catch {
            throw GuestPrepError.malformed(what: path, reason: "cannot encode the health memory: \(error)")
        }
        try fs.writeAtomically(path, Array(data) + [UInt8(ascii: "\n")], mode: 0o600, owner: .root)
    }
}
