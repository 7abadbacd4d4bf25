import GuestPrepModel

/// Renders /etc/nvidia/gridd.conf, the configuration of nvidia-gridd (the vGPU guest driver's
/// licensing daemon), with the `FeatureType` guestprep was given. Pure.
///
/// The file is edited, not replaced: NVIDIA's procedure starts from the driver's
/// /etc/nvidia/gridd.conf.template and sets `FeatureType` in it, and a site may have set other
/// keys (a proxy for the license service). So the first active `FeatureType=` line takes the
/// new value, any later active one goes (nvidia-gridd would read one of two), and a file
/// without one gets it appended; comments and every other line stay as they were.
public enum GriddConfRenderer {
    public static let path = "/etc/nvidia/gridd.conf"
    /// What the guest driver installs for `path` to start from.
    public static let templatePath = "/etc/nvidia/gridd.conf.template"

    /// `base` (the current file, else the template, else nothing) with `FeatureType` set to
    /// `featureType`. The result ends in a newline.
    public static func render(featureType: VGPUFeatureType, base: String?) -> String {
        let setting = "FeatureType=\(featureType.rawValue)"
        guard let base, !base.isEmpty else {
            return "# Written by guestprep: the licensed product nvidia-gridd requests is \(featureType.product).\n\(setting)\n"
        }
        // Lines end in LF or CRLF ("\r\n" is one Character); the result's end in LF.
        var lines = base.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var output: [String] = []
        var placed = false
        for line in lines {
            guard isFeatureType(line) else {
                output.append(line)
                continue
            }
            if !placed {
                output.append(setting)
                placed = true
            }
        }
        if !placed { output.append(setting) }
        return output.joined(separator: "\n") + "\n"
    }

    /// The value of the first active `FeatureType=` line of `text`, nil when there is none or
    /// it is not a FeatureType guestprep knows.
    public static func featureType(in text: String) -> VGPUFeatureType? {
        for line in text.split(whereSeparator: \.isNewline) where isFeatureType(String(line)) {
            let value = line.split(separator: "=", maxSplits: 1).dropFirst().first.map { $0.trimmingSpaces } ?? ""
            return Int(value).flatMap(VGPUFeatureType.init(rawValue:))
        }
        return nil
    }

    /// Whether `line` sets FeatureType (not a comment): `FeatureType=2`, ` FeatureType = 2`.
    static func isFeatureType(_ line: String) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard trimmed.hasPrefix("FeatureType") else { return false }
        return trimmed.dropFirst("FeatureType".count).drop { $0 == " " || $0 == "\t" }.first == "="
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
