import GuestPrepModel

/// Renders the systemd-timesyncd drop-in that carries net1's NTP servers where the network
/// configuration cannot: netplan and NetworkManager have no NTP setting. (With networkd the
/// servers go in net1's `.network` file instead.)
public enum TimesyncRenderer {
    /// Where the drop-in goes.
    public static let directory = "/etc/systemd/timesyncd.conf.d"

    /// The one file name this renderer writes.
    public static let fileName = "90-guestprep.conf"

    /// Whether the file named `fileName` in `directory` is the one guestprep writes.
    public static func owns(fileName: String) -> Bool { fileName == Self.fileName }

    /// The drop-in (mode 0644) naming net1's NTP servers, or nil when net1 is absent or has none.
    public static func render(_ nics: [BoundNIC]) -> RenderedFile? {
        guard let management = RenderSupport.management(nics), !management.spec.ntp.isEmpty else { return nil }
        let lines = RenderSupport.header("guestinfo.bitfusion.host.net1.ntp") + [
            "[Time]",
            "NTP=" + management.spec.ntp.joined(separator: " "),
        ]
        return RenderedFile(path: directory + "/" + fileName, text: RenderSupport.text(lines), mode: 0o644)
    }
}
