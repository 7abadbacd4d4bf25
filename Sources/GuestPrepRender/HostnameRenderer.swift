/// Renders /etc/hostname and /etc/hosts for a hostname. Pure: text in, text out.
public enum HostnameRenderer {
    /// The content of /etc/hostname: the name and a newline.
    public static func hostnameFile(_ hostname: String) -> String { hostname + "\n" }

    /// /etc/hosts with its `127.0.1.1` line naming `hostname`; every other line is kept as it
    /// is. Debian's convention: the line goes right after the `127.0.0.1` line when there is
    /// one, else first. A file that already says exactly this is returned unchanged.
    public static func hostsFile(existing: String?, hostname: String) -> String {
        let wanted = "127.0.1.1\t\(hostname)"
        var lines = (existing ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        if let index = lines.firstIndex(where: { firstField(of: $0) == "127.0.1.1" }) {
            lines[index] = wanted
            // A second 127.0.1.1 line would make the name ambiguous; drop any later ones.
            lines = lines.enumerated().filter { $0.offset <= index || firstField(of: $0.element) != "127.0.1.1" }
                .map(\.element)
        } else if let loopback = lines.firstIndex(where: { firstField(of: $0) == "127.0.0.1" }) {
            lines.insert(wanted, at: loopback + 1)
        } else {
            lines.insert(wanted, at: 0)
            if existing == nil { lines.insert("127.0.0.1\tlocalhost", at: 0) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func firstField(of line: String) -> Substring? {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        if trimmed.hasPrefix("#") { return nil }
        return trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).first
    }
}
