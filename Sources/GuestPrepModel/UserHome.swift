/// A user's home directory, where a change is made for that user.
///
/// The home directory and the directories above it are root's (the home's path comes from the
/// guest's /etc/passwd); everything below the home is the user's to replace at any moment, with
/// a link to /etc or to /etc/shadow as well as with a file. A change below a home is therefore
/// made without following any link there and only through directories the user owns (see
/// `FileSystem.writeUnderHome`).
public struct UserHome: Sendable, Equatable, CustomStringConvertible {
    /// The user, and the group that directories created for the user get: the user's name and
    /// the name of their primary group.
    public var owner: FileOwner
    /// The home directory's guest path, as /etc/passwd gives it (`/home/alice`).
    public var directory: String

    public init(owner: FileOwner, directory: String) {
        self.owner = owner
        self.directory = directory
    }

    /// The user's name.
    public var user: String { owner.user }

    public var description: String { "home \(directory) of user \(owner.user)" }
}
