import GuestPrepConfig
import GuestPrepModel

/// The guest's users and groups as far as Bitfusion needs them, read from its /etc/passwd and
/// /etc/group (users only NSS knows, such as LDAP ones, are not seen: name local users).
public struct BitfusionAccounts: Sendable {
    public static let group = "bitfusion"

    public let users: [AccountFileDecoder.User]
    public let groups: [AccountFileDecoder.Group]

    public static func read(fs: any FileSystem) throws -> BitfusionAccounts {
        BitfusionAccounts(
            users: AccountFileDecoder.users(try fs.readText("/etc/passwd") ?? ""),
            groups: AccountFileDecoder.groups(try fs.readText("/etc/group") ?? ""))
    }

    /// Why the step cannot go on: a user the properties name does not exist.
    public struct MissingUser: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// The entries of `names`, in order; a name without an entry is an error that names the key.
    public func resolve(_ names: [String]) throws -> [AccountFileDecoder.User] {
        try names.map { name in
            guard let user = users.first(where: { $0.name == name }) ?? (name == "root" ? Self.root : nil) else {
                throw MissingUser(
                    description: "user \(name) (\(PropertyKeys.bitfusionUsers)) does not exist in /etc/passwd: create the user first (the image, or cloud-init), or leave it out")
            }
            return user
        }
    }

    /// root, when /etc/passwd does not say otherwise (a minimal image or a fixture root).
    static let root = AccountFileDecoder.User(name: "root", uid: 0, gid: 0, home: "/root")

    /// The owner to give a user's files: the user and the name of their primary group.
    public func owner(of user: AccountFileDecoder.User) -> FileOwner {
        if user.uid == 0 && user.gid == 0 { return .root }
        return FileOwner(user: user.name, group: groups.first { $0.gid == user.gid }?.name ?? user.name)
    }

    /// `HOME/.bitfusion`.
    public static func directory(of user: AccountFileDecoder.User) -> String {
        (user.home == "/" ? "" : user.home) + "/.bitfusion"
    }

    /// The user's home, which the changes to their ~/.bitfusion are confined to.
    public func home(of user: AccountFileDecoder.User) -> UserHome {
        UserHome(owner: owner(of: user), directory: user.home)
    }

    /// Refuses, while planning, a ~/.bitfusion that is a symbolic link: the user made it so,
    /// and root would write or delete wherever it points. The file system refuses it again
    /// (with a directory that is not the user's) when the change is made.
    public func checkDirectory(of user: AccountFileDecoder.User, fs: any FileSystem, operation: String) throws {
        let directory = Self.directory(of: user)
        if try fs.readLink(directory) != nil {
            throw HomeRefusal.link(directory, home: home(of: user), operation: operation)
        }
    }
}
