import GuestPrepCore
import GuestPrepModel
import Synchronization

/// A file system held in memory, for driving steps and the engine in tests. Records every
/// write and delete so a test can check exactly what was touched.
///
/// Directories exist implicitly, wherever a file or link lies below them, and are then root's;
/// `setDirectory` gives one an owner (so that a test can put another user's directory in a
/// home), and `writeUnderHome` records the ones it creates. Links (`setLink`) are followed by
/// the plain operations as the kernel follows them, and never below a home.
public final class InMemoryFileSystem: FileSystem, @unchecked Sendable {
    public struct Entry: Equatable, Sendable {
        public var content: [UInt8]
        public var mode: UInt32
        public var owner: FileOwner
    }

    private let lock = Mutex<Void>(())
    private var files: [String: Entry] = [:]
    private var links: [String: String] = [:]
    private var directories: [String: Entry] = [:]
    /// Every path written or deleted, in order, as `write PATH` / `delete PATH`.
    public private(set) var journal: [String] = []
    /// The directories `syncDirectory(of:)` was asked to sync, in order (writes and deletes
    /// that sync their own directory are not listed).
    public private(set) var directorySyncs: [String] = []
    /// When set, a write to this path fails as if the disk were full.
    public var failWritesTo: Set<String> = []

    /// Every `writeAttribute`, in order, as `PATH <- TEXT`.
    public private(set) var attributeWrites: [String] = []
    /// Called for each `writeAttribute` to an existing file, outside the lock, before it is
    /// recorded: what the kernel would do (unbinding a device removes its link under the
    /// driver), or throw what it would refuse.
    public var onAttributeWrite: (@Sendable (String, String) throws -> Void)?

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

    /// Makes `path` a directory owned by `owner` (an empty one, unless files are put below it).
    public func setDirectory(_ path: String, owner: FileOwner, mode: UInt32 = 0o755) {
        lock.withLock { _ in directories[path] = Entry(content: [], mode: mode, owner: owner) }
    }

    /// The directory at `path` if it has a recorded owner (`setDirectory`, `writeUnderHome`).
    public func directory(_ path: String) -> Entry? { lock.withLock { _ in directories[path] } }

    /// The link at `path` (not followed), if any.
    public func link(_ path: String) -> String? { lock.withLock { _ in links[path] } }

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
            // As the kernel does: the links on the way and a link at the path are followed.
            let target = resolved(path)
            files[target] = Entry(content: content, mode: mode, owner: owner)
            journal.append("write \(target)")
        }
    }

    public func writeAttribute(_ path: String, _ text: String) throws {
        guard lock.withLock({ _ in files[resolved(path)] != nil }) else {
            throw GuestPrepError.io(path: path, operation: "write", reason: "No such file or directory")
        }
        try onAttributeWrite?(path, text)
        lock.withLock { _ in attributeWrites.append("\(path) <- \(text)") }
    }

    public func delete(_ path: String, syncDirectory: Bool) throws {
        lock.withLock { _ in
            // The links on the way are followed; a link at the path is removed itself.
            let target = resolved(path, followLast: false)
            if links.removeValue(forKey: target) != nil || files.removeValue(forKey: target) != nil {
                journal.append("delete \(target)")
            }
        }
    }

    public func writeUnderHome(_ path: String, _ content: [UInt8], mode: UInt32, owner: FileOwner, home: UserHome) throws {
        try lock.withLock { _ in
            guard try directoryUnderHome(of: path, home: home, operation: "write", create: true) != nil else {
                throw HomeRefusal.missingHome(path, home: home, operation: "write")
            }
            if links[path] != nil { throw HomeRefusal.link(path, home: home, operation: "write") }
            if failWritesTo.contains(path) {
                throw GuestPrepError.io(path: path, operation: "write", reason: "No space left on device")
            }
            files[path] = Entry(content: content, mode: mode, owner: owner)
            journal.append("write \(path)")
        }
    }

    public func deleteUnderHome(_ path: String, home: UserHome) throws {
        try lock.withLock { _ in
            guard try directoryUnderHome(of: path, home: home, operation: "delete", create: false) != nil else { return }
            // A link is removed itself, never followed.
            if links.removeValue(forKey: path) != nil || files.removeValue(forKey: path) != nil {
                journal.append("delete \(path)")
            }
        }
    }

    public func readUnderHome(_ path: String, home: UserHome, limit: Int) throws -> [UInt8]? {
        try lock.withLock { _ in
            guard try directoryUnderHome(of: path, home: home, operation: "read", create: false) != nil else { return nil }
            if links[path] != nil { throw HomeRefusal.link(path, home: home, operation: "read") }
            return files[path].map { Array($0.content.prefix(limit)) }
        }
    }

    /// The directory that holds `path`, below the home, reached without following a link and
    /// only through directories of the user's (an implicit one is root's); missing ones are
    /// created (0700, the user's) when `create` is set, else the result is nil. Nil too when
    /// the home does not exist. Call with the lock held.
    private func directoryUnderHome(of path: String, home: UserHome, operation: String, create: Bool) throws -> String? {
        let base = home.directory == "/" ? "" : home.directory
        guard path.hasPrefix(base + "/"), path.count > base.count + 1 else {
            throw HomeRefusal.notBelow(path, home: home, operation: operation)
        }
        guard base.isEmpty || isDirectory(base) else { return nil }
        var current = base
        for component in path.dropFirst(base.count + 1).split(separator: "/").dropLast() {
            current += "/" + component
            if links[current] != nil { throw HomeRefusal.link(current, home: home, operation: operation) }
            if files[current] != nil { throw HomeRefusal.notDirectory(current, home: home, operation: operation) }
            let holder = directories[current]?.owner ?? (isDirectory(current) ? .root : nil)
            if let holder {
                guard holder.user == home.user else {
                    throw HomeRefusal.notOwned(current, home: home, holder: "user \(holder.user)", operation: operation)
                }
                continue
            }
            guard create else { return nil }
            directories[current] = Entry(content: [], mode: 0o700, owner: home.owner)
            journal.append("create directory \(current)")
        }
        return current
    }

    /// Whether `path` is a directory: recorded, or implied by what lies below it. Call with the
    /// lock held.
    private func isDirectory(_ path: String) -> Bool {
        directories[path] != nil || (Array(files.keys) + Array(links.keys) + Array(directories.keys)).contains { $0.hasPrefix(path + "/") }
    }

    public func syncDirectory(of path: String) throws {
        let directory = path.split(separator: "/").dropLast().joined(separator: "/")
        lock.withLock { _ in directorySyncs.append("/" + directory) }
    }

    public func exists(_ path: String) -> Bool {
        lock.withLock { _ in
            let target = resolved(path)
            return files[target] != nil || links[path] != nil || directories[target] != nil
                || files.keys.contains { $0.hasPrefix(target.hasSuffix("/") ? target : target + "/") }
        }
    }

    public func list(_ directory: String) throws -> [String]? {
        lock.withLock { _ in
            let directory = resolved(directory)
            let prefix = directory.hasSuffix("/") ? directory : directory + "/"
            var names = Set<String>()
            for path in Array(files.keys) + Array(links.keys) + Array(directories.keys) where path.hasPrefix(prefix) {
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
