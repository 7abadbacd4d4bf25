/// One change a step would make to the guest. A plan is a list of these: data that `plan`
/// prints and `run` applies, so what is shown is exactly what is done.
public struct Change: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Replace the file at `path` atomically with `content`.
        case write(path: String, content: [UInt8], mode: UInt32, owner: FileOwner)
        /// Remove the file at `path`.
        case delete(path: String)
        /// Run a program by argv, never through a shell. `argv[0]` is the program's name in
        /// the command table, resolved to an absolute path when it runs.
        case run(argv: [String])
        /// Fetch `url` (https, http, or file: a guest path) to the guest `path`, which appears
        /// only whole and with the given SHA-256 (64 lower-case hex digits); `caFile`, a guest
        /// path, replaces the system CAs. The file gets `mode`.
        case download(url: String, path: String, sha256: String, caFile: String?, mode: UInt32)
        /// Take the kernel module `module` off the running system: each PCI function in
        /// `unbind` (addresses such as `0000:0b:00.0`) is unbound from its PCI driver of the
        /// same name, then the module is unloaded with `modprobe -r` (which also unloads what it
        /// alone pulled in), then nothing of it may be left. When that cannot be done the step's
        /// reboot takes its place: the engine reboots the machine instead of failing the step.
        /// Always a plan's last change, so everything before it is applied either way.
        case unloadModule(module: String, unbind: [String])
    }

    /// The step that makes the change.
    public var step: String
    public var action: Action
    /// When true, content and argv hold a secret and are shown as `<redacted>`.
    public var sensitive: Bool
    /// Set when a write or delete lies below a user's home directory: it is applied without
    /// following a link below the home and only through directories the user owns.
    public var home: UserHome?

    public init(step: String, action: Action, sensitive: Bool = false, home: UserHome? = nil) {
        self.step = step
        self.action = action
        self.sensitive = sensitive
        self.home = home
    }

    public static func write(
        step: String, path: String, text: String, mode: UInt32 = 0o644, owner: FileOwner = .root,
        sensitive: Bool = false
    ) -> Change {
        Change(
            step: step, action: .write(path: path, content: Array(text.utf8), mode: mode, owner: owner),
            sensitive: sensitive)
    }

    public static func delete(step: String, path: String, home: UserHome? = nil) -> Change {
        Change(step: step, action: .delete(path: path), home: home)
    }

    public static func run(step: String, _ argv: [String], sensitive: Bool = false) -> Change {
        Change(step: step, action: .run(argv: argv), sensitive: sensitive)
    }

    public static func unloadModule(step: String, _ module: String, unbind: [String]) -> Change {
        Change(step: step, action: .unloadModule(module: module, unbind: unbind))
    }

    /// `write`, `delete`, `run`, `download` or `unload`, as the JSON report names them.
    public var actionName: String {
        switch action {
        case .write: "write"
        case .delete: "delete"
        case .run: "run"
        case .download: "download"
        case .unloadModule: "unload"
        }
    }

    /// The guest path the change touches, if any.
    public var path: String? {
        switch action {
        case .write(let path, _, _, _), .delete(let path), .download(_, let path, _, _, _): path
        case .run, .unloadModule: nil
        }
    }
}

/// A file's owner by name, resolved when the file is written.
public struct FileOwner: Sendable, Equatable, CustomStringConvertible {
    public var user: String
    public var group: String

    public init(user: String, group: String) {
        self.user = user
        self.group = group
    }

    public static let root = FileOwner(user: "root", group: "root")

    public var description: String { "\(user):\(group)" }
}
