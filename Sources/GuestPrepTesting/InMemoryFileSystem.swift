import GuestPrepCore
import GuestPrepModel
import Synchronization

/// A file system held in memory, for driving steps and the engine in tests. Records every
/// write and delete so a test can check exactly what was touched.
public final class InMemoryFileSystem: FileSystem, @unchecked Sendable {
    public struct Entry: Equatable, Sendable {
        public var content: [UInt8]
        public var mode: UInt32
        public var owner: FileOwner
    }

    private let lock = Mutex<Void>(())
    private var files: [String: Entry] = [:]
    private var links: [String: String] = [:]
    /// Every path written or deleted, in order, as `write PATH` / `delete PATH`.
    public private(set) var journal: [String] = []
    /// The directories `syncDirectory(of:)` was asked to sync, in order (writes and deletes
    /// that sync their own directory are not listed).
    public private(set) var directorySyncs: [String] = []
    /// When set, a write to this path fails as if the disk were full.
    public var failWritesTo: Set<String> = []

    public init(_ files: [String: String] = [:]) {
        for (path, text) in files {
            self.files[path] = Entry(content: Array(text.utf8), mode: 0o644, owner: .root)
        }
    }

    public subscript(path: String) -> String? {
        lock.withLock { _ in files[path].map { String(decoding: $0.content, as: UTF8.self) } }
    }

    public func entry(_ path: String) -> Entry? { lock.withLock { _ in files[path] } }

    public func setText(_ path: String, _ text: String, mode: UInt32 = 0o644) {
        lock.withLock { _ in files[path] = Entry(content: Array(text.utf8), mode: mode, owner: .root) }
    }

    public func setBytes(_ path: String, _ bytes: [UInt8]) {
        lock.withLock { _ in files[path] = Entry(content: bytes, mode: 0o644, owner: .root) }
    }

    public func setLink(_ path: String, to target: String) {
        lock.withLock { _ in links[path] = target }
    }

    public var paths: [String] { lock.withLock { _ in files.keys.sorted() } }

    public func read(_ path: String) throws -> [UInt8]? { lock.withLock { _ in files[resolved(path)]?.content } }

    /// `path` with the links on its way followed, as the kernel follows them (the last
    /// component too unless `followLast` is false); relative targets are taken from the
    /// link's directory. Call with the lock held.
    private func resolved(_ path: String, followLast: Bool = true) -> String {
        guard !links.isEmpty else { return path }
        var components = path.split(separator: "/").map(String.init)
        var index = 0
        var hops = 0
        while index < components.count, hops < 40 {
            let prefix = "/" + components[0...index].joined(separator: "/")
            if index < components.count - 1 || followLast, let target = links[prefix] {
                hops += 1
                var rebuilt = target.hasPrefix("/") ? [] : Array(components[0..<index])
                for part in target.split(separator: "/") where part != "." {
                    if part == ".." {
                        if !rebuilt.isEmpty { rebuilt.removeLast() }
                    } else {
                        rebuilt.append(String(part))
                    }
                }
                components = rebuilt + components[(index + 1)...]
                index = 0
                continue
            }
            index += 1
        }
        return "/" + components.joined(separator: "/")
    }

    public func writeAtomically(
        _ path: String, _ content: [UInt8], mode: UInt32, owner: FileOwner, syncDirectory: Bool
    ) throws {
        try lock.withLock { _ in
            if failWritesTo.contains(path) {
                throw GuestPrepError.io(path: path, operation: "write", reason: "No space left on device")
            }
            files[path] = Entry(content: content, mode: mode, owner: owner)
            journal.append("write \(path)")
        }
    }

    public func delete(_ path: String, syncDirectory: Bool) throws {
        lock.withLock { _ in
            if files.removeValue(forKey: path) != nil { journal.append("delete \(path)") }
        }
    }

    public func syncDirectory(of path: String) throws {
        let directory = path.split(separator: "/").dropLast().joined(separator: "/")
        lock.withLock { _ in directorySyncs.append("/" + directory) }
    }

    public func exists(_ path: String) -> Bool {
        lock.withLock { _ in
            let target = resolved(path)
            return files[target] != nil || links[path] != nil
                || files.keys.contains { $0.hasPrefix(target.hasSuffix("/") ? target : target + "/") }
        }
    }

    public func list(_ directory: String) throws -> [String]? {
        lock.withLock { _ in
            let directory = resolved(directory)
            let prefix = directory.hasSuffix("/") ? directory : directory + "/"
            var names = Set<String>()
            for path in Array(files.keys) + Array(links.keys) where path.hasPrefix(prefix) {
                let rest = path.dropFirst(prefix.count)
                if let name = rest.split(separator: "/").first { names.insert(String(name)) }
            }
            return names.isEmpty ? nil : names.sorted()
        }
    }

    public func mode(_ path: String) throws -> UInt32? { lock.withLock { _ in files[path]?.mode } }

    public func readLink(_ path: String) throws -> String? {
        lock.withLock { _ in links[resolved(path, followLast: false)] }
    }

    public func readRange(_ path: String, offset: UInt64, limit: Int) throws -> [UInt8]? {
        lock.withLock { _ in
            guard let content = files[resolved(path)]?.content else { return nil }
            let start = Int(min(offset, UInt64(content.count)))
            return Array(content[start..<min(content.count, start + limit)])
        }
    }

    /// The file's first `limit` bytes: an in-memory file has no records to wait for.
    /// The guest path itself, so a scripted runner or downloader sees the paths a plan names.
    public func hostPath(of guestPath: String) -> String? { guestPath }

    public func readAvailable(_ path: String, limit: Int) throws -> [UInt8]? {
        try readRange(path, offset: 0, limit: limit)
    }
}
