/// Renders /etc/modprobe.d/blacklist-nouveau.conf, which keeps the kernel's nouveau driver
/// off the NVIDIA GPUs so that NVIDIA's driver can take them. Pure: no input but the phase.
///
/// The file is written twice around the initramfs rebuild: first with the `pendingLine`
/// comment, which says the initramfs does not hold the file yet, and once the rebuild has
/// succeeded without it. A run cut short between the two (a failed rebuild, a power cut)
/// leaves the comment behind, and the next run rebuilds the initramfs instead of taking the
/// blacklist for done.
public enum NouveauBlacklistRenderer {
    /// Where the file goes: the name NVIDIA's own installer and documentation use.
    public static let path = "/etc/modprobe.d/blacklist-nouveau.conf"

    /// The comment line that marks a file whose initramfs rebuild has not succeeded yet.
    public static let pendingLine =
        "# Pending: the initramfs does not hold this file yet; guestprep rebuilds it, then drops this line."

    /// The file (mode 0644): `blacklist nouveau` and `options nouveau modeset=0` under the
    /// guestprep header, with `pendingLine` while `pending` is true.
    public static func render(pending: Bool) -> RenderedFile {
        let lines =
            [
                "# Written by guestprep from its nouveau step, for the NVIDIA driver;",
                "# guestprep rewrites it only when it no longer blacklists nouveau.",
            ] + (pending ? [pendingLine] : []) + [
                "blacklist nouveau",
                "options nouveau modeset=0",
            ]
        return RenderedFile(path: path, text: RenderSupport.text(lines), mode: 0o644)
    }

    /// Whether a file's text still carries `pendingLine`.
    public static func isPending(_ text: String) -> Bool {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).contains { $0 == pendingLine }
    }
}
