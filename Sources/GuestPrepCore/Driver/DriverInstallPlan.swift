import GuestPrepModel

/// The route chosen and the changes that install the driver by it.
public struct DriverInstallPlan: Sendable, Equatable {
    /// The route in words (`Ubuntu precompiled signed modules`).
    public var route: String
    /// Whether the kernel modules it installs are signed by a key Secure Boot trusts.
    public var signed: Bool
    /// The branch it installs, when the route pins one (a distribution's own branch can differ
    /// from the one chosen; SUSE's packages follow the repository): verification checks it.
    public var branch: Int?
    public var changes: [Change]
    /// One line per fact worth showing: why this route, what it installs.
    public var notes: [String]
}

/// Why the driver cannot be installed as asked; nothing has been changed.
public struct DriverInstallRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
