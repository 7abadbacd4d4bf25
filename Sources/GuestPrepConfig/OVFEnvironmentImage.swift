import GuestPrepModel

/// The OVF environment document on an ISO 9660 image or CD-ROM (the OVF ISO transport:
/// VMware writes ovf-env.xml to the root of a CD labelled OVF-ENV), read through
/// ``ArchiveReader`` from a closure that reads the image at an offset, so a device is read
/// without mounting it. The document is bounded by ``InputLimits/ovfEnvironment`` and refused
/// as from every other transport.
public enum OVFEnvironmentImage {
    /// The names looked up in the root directory, compared case-insensitively and in this
    /// order (`OVF-ENV.XML` matches the first; a plain ISO 9660 image stores `OVF_ENV.XML`).
    public static let names = ["ovf-env.xml", "ovf_env.xml"]

    /// The bounds on what is read of an image: its entries, and the documents looked for.
    static let limits = ArchiveReader.Limits(
        entries: InputLimits.isoEntries, entrySize: InputLimits.ovfEnvironment,
        totalSize: InputLimits.ovfEnvironment * names.count, imageRead: InputLimits.isoRead)

    /// The bytes of ovf-env.xml in the root directory of the image `readAt` reads.
    ///
    /// - Parameters:
    ///   - source: the image as errors name it (`ovf:/dev/sr0`).
    ///   - readAt: returns `length` bytes of the image from byte `offset`, or fewer at its end.
    /// - Throws: `GuestPrepError.source(name: source, ...)`: the image cannot be read or is
    ///   damaged, holds no ovf-env.xml in its root (the message lists what it holds), or the
    ///   document is larger than the limit (``InputLimits/ovfEnvironmentTooLarge(source:)``).
    public static func document(
        source: String, readAt: @escaping (_ offset: UInt64, _ length: Int) throws -> [UInt8]
    ) throws(GuestPrepError) -> [UInt8] {
        let reader = ArchiveReader(source: source, format: .iso9660, limits: limits)
        let entries: [ArchiveEntry]
        do {
            entries = try reader.entries(
                readingAt: readAt, contentsOf: { names.contains($0.lowercased()) },
                stopAfter: { $0.kind == .file && $0.path.lowercased() == names[0] })
        } catch {
            if case .entryTooLarge(let entry, _, _) = error.problem, names.contains(entry.lowercased()) {
                throw InputLimits.ovfEnvironmentTooLarge(source: source)
            }
            throw .source(name: source, reason: "the ISO image cannot be read: \(error.reason)")
        }
        for wanted in names {
            if let entry = entries.first(where: { $0.kind == .file && $0.path.lowercased() == wanted }) {
                return entry.contents
            }
        }
        let root = entries.filter { !$0.path.contains("/") && $0.path != "." }
            .map { $0.kind == .directory ? $0.path + "/" : $0.path }
        throw .source(
            name: source,
            reason: "the ISO image holds no ovf-env.xml (root directory: \(root.isEmpty ? "empty" : root.joined(separator: ", ")))")
    }
}
