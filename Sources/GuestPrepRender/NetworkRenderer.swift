import GuestPrepModel

/// The network renderers behind one entry point, and the rule for which files in their
/// directories belong to guestprep.
///
/// The step renders for the chosen kind, lists every directory in ``ownedDirectories``, and
/// removes the owned files the render did not produce: so switching renderer also removes the
/// other kind's stale files, and no file guestprep did not write is ever touched.
public enum NetworkRenderer {
    /// The files for `nics` under `kind`, in netN order. For netplan and NetworkManager this
    /// includes the timesyncd drop-in when net1 has NTP servers; networkd puts them in net1's
    /// `.network` file.
    public static func render(_ nics: [BoundNIC], kind: NetworkRendererKind) -> [RenderedFile] {
        switch kind {
        case .networkd:
            return NetworkdRenderer.render(nics)
        case .netplan:
            return NetplanRenderer.render(nics) + [TimesyncRenderer.render(nics)].compactMap { $0 }
        case .networkManager:
            return NetworkManagerRenderer.render(nics) + [TimesyncRenderer.render(nics)].compactMap { $0 }
        }
    }

    /// Every directory any kind writes network files to. The cloud-init drop-in's directory is
    /// not among them: that file does not depend on the kind and is never stale.
    public static let ownedDirectories: [String] = [
        NetworkdRenderer.directory, NetplanRenderer.directory, NetworkManagerRenderer.directory,
        TimesyncRenderer.directory,
    ]

    /// Whether the file named `fileName` in `directory` is one guestprep writes, under any kind.
    /// Names match exactly: a backup (`….bak`), another tool's file or a net5 is never owned.
    public static func owns(fileName: String, in directory: String) -> Bool {
        switch directory {
        case NetworkdRenderer.directory: NetworkdRenderer.owns(fileName: fileName)
        case NetplanRenderer.directory: NetplanRenderer.owns(fileName: fileName)
        case NetworkManagerRenderer.directory: NetworkManagerRenderer.owns(fileName: fileName)
        case TimesyncRenderer.directory: TimesyncRenderer.owns(fileName: fileName)
        default: false
        }
    }

    /// The full paths of the files guestprep owns among `fileNames`, a listing of `directory`,
    /// sorted.
    public static func ownedPaths(in fileNames: [String], directory: String) -> [String] {
        let directory = normalized(directory)
        return fileNames.filter { owns(fileName: $0, in: directory) }.sorted().map { directory + "/" + $0 }
    }

    /// `directory` without trailing slashes, so `/etc/netplan/` and `/etc/netplan` agree.
    private static func normalized(_ directory: String) -> String {
        var directory = Substring(directory)
        while directory.hasSuffix("/"), directory != "/" { directory = directory.dropLast() }
        return String(directory)
    }
}
