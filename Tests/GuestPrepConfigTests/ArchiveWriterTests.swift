import GuestPrepConfig
import Testing

/// ArchiveWriter: what it writes, libarchive reads back (as a gzip-compressed tar), byte for
/// byte; and what it refuses names the archive.
@Suite struct ArchiveWriterTests {
    private let writer = ArchiveWriter(source: "test bundle")

    @Test func roundTripsThroughTheReader() throws {
        let long = String(repeating: "d", count: 120) + "/" + String(repeating: "n", count: 120) + ".txt"
        let binary = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let files = [
            ArchiveWriter.File(path: "top/a.txt", content: Array("hello\n".utf8)),
            ArchiveWriter.File(path: "top/empty", content: []),
            ArchiveWriter.File(path: "top/" + long, content: binary),
        ]
        let bytes = try writer.tarGz(files, time: 1_764_900_000)
        // gzip's magic number (RFC 1952, section 2.3.1).
        #expect(Array(bytes.prefix(2)) == [0x1f, 0x8b])
        let reader = ArchiveReader(source: "written", format: .tarOrZip, limits: .init(entries: 10, entrySize: 1 << 20, totalSize: 4 << 20))
        let entries = try reader.entries(in: bytes)
        #expect(entries.map(\.path) == files.map(\.path))
        #expect(entries.map(\.contents) == files.map(\.content))
    }

    @Test func refusesAnUnsafePathNamingTheArchive() {
        for path in ["/etc/passwd", "top/../escape", ""] {
            #expect {
                _ = try writer.tarGz([ArchiveWriter.File(path: path, content: [1])], time: 0)
            } throws: { error in
                guard let error = error as? ArchiveError, case .unsafePath(path) = error.problem else { return false }
                return "\(error)".hasPrefix("test bundle: ")
            }
        }
    }
}
