import GuestPrepModel

/// Small pieces every network renderer shares: the netN order, the header comment and the
/// one way a file's lines become its text.
enum RenderSupport {
    /// The NICs in net1…net4 order, whatever order they came in.
    static func ordered(_ nics: [BoundNIC]) -> [BoundNIC] {
        nics.sorted { $0.spec.index < $1.spec.index }
    }

    /// net1, when it is among the NICs.
    static func management(_ nics: [BoundNIC]) -> BoundNIC? {
        nics.first { $0.isManagement }
    }

    /// The properties a NIC's file is written from: `guestinfo.bitfusion.host.netN.*`.
    static func propertySource(_ nic: BoundNIC) -> String {
        "guestinfo.bitfusion.host.net\(nic.spec.index).*"
    }

    /// The two comment lines every file starts with: where it comes from (`source`, for
    /// example `guestinfo.bitfusion.host.net2.* for ens224`) and that edits do not last.
    static func header(_ source: String) -> [String] {
        ["# Written by guestprep from \(source);", "# edits are replaced on its next run."]
    }

    /// The text of a file: its lines, each ending in one newline, none with trailing blanks.
    static func text(_ lines: [String]) -> String {
        lines.map { line in
            var line = Substring(line)
            while line.last == " " || line.last == "\t" { line = line.dropLast() }
            return line + "\n"
        }.joined()
    }
}
