/// What /etc/os-release (or /usr/lib/os-release) says about the distribution: the fields
/// guestprep decides by. See os-release(5).
public struct OSRelease: Sendable, Equatable {
    /// Where os-release(5) says to look, in order: the first that exists is the one.
    public static let paths = ["/etc/os-release", "/usr/lib/os-release"]

    /// `ID`, lower case (`debian`, `rocky`, `photon`); `linux` when the file does not set it,
    /// as os-release(5) prescribes.
    public var id: String
    /// `ID_LIKE`: the distributions this one derives from, closest first (`rhel centos fedora`).
    public var idLike: [String]
    /// `VERSION_ID` (`12`, `9.4`), when set.
    public var versionID: String?
    /// `PRETTY_NAME` (`Debian GNU/Linux 12 (bookworm)`), when set.
    public var prettyName: String?

    public init(id: String = "linux", idLike: [String] = [], versionID: String? = nil, prettyName: String? = nil) {
        self.id = id
        self.idLike = idLike
        self.versionID = versionID
        self.prettyName = prettyName
    }

    /// `ID` and then every `ID_LIKE` entry: the order in which to look for a known family.
    public var lineage: [String] { [id] + idLike }

    /// The name to show an operator: `PRETTY_NAME` when set, else `ID` and `VERSION_ID`.
    public var displayName: String {
        prettyName ?? (versionID.map { "\(id) \($0)" } ?? id)
    }
}
