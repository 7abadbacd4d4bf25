/// A systemd unit file's assignments, as systemd.syntax(7) reads them: `[Section]` headers,
/// `Key=Value` lines with whitespace around `=` and at the ends dropped, lines starting with `#` or
/// `;` as comments, and a backslash at the end of a line joining the next one (with a blank).
/// Only what guestprep asks of a packaged unit is read: which command it starts and how it is
/// installed; drop-ins and specifiers are not applied.
public struct SystemdUnitFile: Sendable, Equatable {
    /// One `Key=Value` line and the section it is in.
    public struct Assignment: Sendable, Equatable {
        public let section: String
        public let key: String
        public let value: String
    }

    /// The assignments in file order; a line outside any section or without `=` is left out.
    public let assignments: [Assignment]

    /// Reads `text`.
    public init(_ text: String) {
        var assignments: [Assignment] = []
        var section: String?
        var pending = ""
        for physical in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let trimmed = Trimming.trim(String(physical))
            // A comment line inside a continued line is skipped, as systemd does.
            if !pending.isEmpty, trimmed.first == "#" || trimmed.first == ";" { continue }
            if trimmed.last == "\\" {
                pending += trimmed.dropLast() + " "
                continue
            }
            let line = Trimming.trim(pending + trimmed)
            pending = ""
            guard let first = line.first, first != "#", first != ";" else { continue }
            if first == "[", line.last == "]" {
                section = String(line.dropFirst().dropLast())
                continue
            }
            guard let section, let equals = line.firstIndex(of: "=") else { continue }
            assignments.append(
                Assignment(
                    section: section, key: Trimming.trim(String(line[..<equals])),
                    value: Trimming.trim(String(line[line.index(after: equals)...]))))
        }
        self.assignments = assignments
    }

    /// The values of `key` in `section`, in file order. An empty value resets the list, as it
    /// does for `ExecStart=` and the `[Install]` keys, so what is left is what systemd uses.
    public func values(_ key: String, in section: String) -> [String] {
        var values: [String] = []
        for assignment in assignments where assignment.section == section && assignment.key == key {
            if assignment.value.isEmpty { values.removeAll() } else { values.append(assignment.value) }
        }
        return values
    }

    /// The links `systemctl enable` makes for the unit named `unit` under /etc/systemd/system,
    /// from its `[Install]` section (systemd.unit(5)): `WantedBy=`, `RequiredBy=` and
    /// `UpheldBy=` each name targets whose `.wants/`, `.requires/` or `.upholds/` directory gets
    /// a link, and `Alias=` names links of their own. Empty for a unit without installation
    /// config, which `systemctl enable` cannot enable: something else starts it (udev, a
    /// dependency).
    public func enableLinks(unit: String) -> [String] {
        let directories = [("WantedBy", "wants"), ("RequiredBy", "requires"), ("UpheldBy", "upholds")]
        var links: [String] = []
        for (key, suffix) in directories {
            for value in values(key, in: "Install") {
                for target in value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                    links.append("/etc/systemd/system/\(target).\(suffix)/\(unit)")
                }
            }
        }
        for value in values("Alias", in: "Install") {
            for alias in value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                links.append("/etc/systemd/system/\(alias)")
            }
        }
        return links
    }
}
