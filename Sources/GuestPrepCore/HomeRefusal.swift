import GuestPrepModel

/// Why a write or delete below a user's home directory is refused (`FileSystem.writeUnderHome`,
/// `deleteUnderHome`): the errors every file system gives, each naming the user and the path.
public enum HomeRefusal {
    /// `path` (the file or a directory on its way, below the home) is a symbolic link.
    public static func link(_ path: String, home: UserHome, operation: String) -> GuestPrepError {
        .io(
            path: path, operation: operation,
            reason: "is a symbolic link in the home of user \(home.user): guestprep acts there as root and follows no link a user controls; remove the link")
    }

    /// A directory on the way is something else.
    public static func notDirectory(_ path: String, home: UserHome, operation: String) -> GuestPrepError {
        .io(path: path, operation: operation, reason: "is not a directory (in the home of user \(home.user)); move it away")
    }

    /// A directory on the way belongs to `holder` (a uid, or a name), not to the user.
    public static func notOwned(_ path: String, home: UserHome, holder: String, operation: String) -> GuestPrepError {
        .io(
            path: path, operation: operation,
            reason: "belongs to \(holder), not to user \(home.user), in whose home it is: guestprep puts \(home.user)'s files only in \(home.user)'s own directories; give it to \(home.user) (chown) or remove it")
    }

    /// The file to read is not a regular file (a FIFO would stall the run, a device is not the
    /// user's to hand over).
    public static func notRegularFile(_ path: String, home: UserHome, operation: String) -> GuestPrepError {
        .io(path: path, operation: operation, reason: "is not a regular file (in the home of user \(home.user))")
    }

    /// The home directory itself does not exist (a write; a delete has nothing to do).
    public static func missingHome(_ path: String, home: UserHome, operation: String) -> GuestPrepError {
        .io(
            path: path, operation: operation,
            reason: "the home directory \(home.directory) of user \(home.user) (/etc/passwd) does not exist: create it (useradd --create-home, mkhomedir_helper), or leave the user out")
    }

    /// `path` is not below the home directory at all.
    public static func notBelow(_ path: String, home: UserHome, operation: String) -> GuestPrepError {
        .io(path: path, operation: operation, reason: "is not below the home directory \(home.directory) of user \(home.user)")
    }
}
