/// Renders the cloud-init drop-in that stops cloud-init from writing network configuration
/// of its own (its `50-cloud-init.yaml` and the like), which would fight guestprep's.
public enum CloudInitNetworkRenderer {
    /// Where the drop-in goes.
    public static let directory = "/etc/cloud/cloud.cfg.d"

    /// The one file name this renderer writes.
    public static let fileName = "99-guestprep-network.cfg"

    /// The drop-in, mode 0644. It does not depend on the NICs.
    public static func render() -> RenderedFile {
        let lines = [
            "# Written by guestprep, which configures the network from guestinfo.bitfusion.host.net[1-4].*.",
            "network: {config: disabled}",
        ]
        return RenderedFile(path: directory + "/" + fileName, text: RenderSupport.text(lines), mode: 0o644)
    }
}
