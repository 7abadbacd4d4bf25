/// /etc/security/limits.d/bitfusion-limits.conf, as the vSphere Bitfusion client package
/// installs it (the user guide's "limits configuration file"): for members of the `bitfusion`
/// group, 100000 open files and unlimited locked memory and resident set size.
public enum BitfusionLimitsRenderer {
    public static let path = "/etc/security/limits.d/bitfusion-limits.conf"

    public static func render() -> String {
        """
        # Written by guestprep: limits for members of the bitfusion group, as the vSphere
        # Bitfusion user guide sets them. Too low a nofile limit shows as "Cannot allocate memory".
        @bitfusion soft nofile 100000
        @bitfusion hard nofile 100000
        @bitfusion soft memlock unlimited
        @bitfusion hard memlock unlimited
        @bitfusion soft rss unlimited
        @bitfusion hard rss unlimited

        """
    }
}
