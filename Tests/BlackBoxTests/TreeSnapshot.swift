#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Everything under a root, entry by entry: each path's type, permission bits and content (a
/// file's bytes, a link's target), without following links. Two runs that leave the same
/// snapshot left the same tree.
///
/// state.json is kept as its meaning, not its bytes: the times (`at`, `startedAt`,
/// `finishedAt`) differ from run to run, and a step record's `changes` and `notes` say what
/// the last run that applied the step found to do, which is less for a step that an
/// interrupted run had half done (and nothing for an every-boot step on the next boot).
struct TreeSnapshot: Equatable {
    struct Entry: Equatable, CustomStringConvertible {
        var mode: UInt32
        var content: Data

        var description: String {
            let kind = switch mode & UInt32(S_IFMT) {
            case UInt32(S_IFDIR): "directory"
            case UInt32(S_IFLNK): "link to \(String(decoding: content, as: UTF8.self))"
            case UInt32(S_IFREG): "file of \(content.count) bytes"
            default: "other"
            }
            return "\(kind), mode \(String(mode & 0o7777, radix: 8))"
        }
    }

    var entries: [String: Entry]

    static let statePath = "/var/lib/guestprep/state.json"

    init(_ root: String) throws {
        entries = [:]
        try walk(root, relative: "")
    }

    private mutating func walk(_ root: String, relative: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: root + relative) {
            let path = relative + "/" + name
            var info = stat()
            guard lstat(root + path, &info) == 0 else { continue }
            let mode = UInt32(info.st_mode)
            var content = Data()
            switch info.st_mode & S_IFMT {
            case S_IFDIR: try walk(root, relative: path)
            case S_IFLNK: content = Data(try FileManager.default.destinationOfSymbolicLink(atPath: root + path).utf8)
            case S_IFREG:
                content = try Data(contentsOf: URL(fileURLWithPath: root + path))
                if path == Self.statePath { content = try Self.meaning(ofState: content) }
            default: break
            }
            entries[path] = Entry(mode: mode, content: content)
        }
    }

    /// state.json without what differs between equivalent runs (see the type's comment); throws
    /// when it is not a JSON object.
    static func meaning(ofState data: Data) throws -> Data {
        guard var state = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CocoaError(.coderReadCorrupt)
        }
        if var steps = state["steps"] as? [String: [String: Any]] {
            for (id, var record) in steps {
                for key in ["at", "changes", "notes"] { record.removeValue(forKey: key) }
                steps[id] = record
            }
            state["steps"] = steps
        }
        for (section, keys) in [("lastRun", ["startedAt", "finishedAt"]), ("pendingReboot", ["at"])] {
            if var record = state[section] as? [String: Any] {
                for key in keys { record.removeValue(forKey: key) }
                state[section] = record
            }
        }
        return try JSONSerialization.data(withJSONObject: state, options: [.sortedKeys])
    }

    /// The paths that differ from `other`, each with both sides, for a failure message.
    func differences(from other: TreeSnapshot) -> [String] {
        Set(entries.keys).union(other.entries.keys).sorted().compactMap { path in
            let mine = entries[path]
            let theirs = other.entries[path]
            guard mine != theirs else { return nil }
            var line = "\(path): \(mine.map(\.description) ?? "missing") here, \(theirs.map(\.description) ?? "missing") there"
            if let mine, let theirs, mine.mode == theirs.mode, path == Self.statePath {
                line += "\n\(String(decoding: mine.content, as: UTF8.self))\n\(String(decoding: theirs.content, as: UTF8.self))"
            }
            return line
        }
    }
}
