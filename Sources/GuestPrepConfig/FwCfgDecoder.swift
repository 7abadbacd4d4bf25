/// The pure part of the QEMU fw_cfg source: entries under `opt/guestprep/`, one per property,
/// as `qemu -fw_cfg name=opt/guestprep/KEY,string=VALUE` (or `file=PATH`) creates them and the
/// kernel's qemu_fw_cfg driver shows them (`…/by_name/opt/guestprep/KEY/raw`).
public enum FwCfgDecoder {
    /// Where the kernel shows the entries; each entry is a directory holding a `raw` file.
    public static let directory = "/sys/firmware/qemu_fw_cfg/by_name/opt/guestprep"

    /// The short prefixes that stand for `guestinfo.` + the name.
    static let shortPrefixes = ["bitfusion.", "guestprep."]

    /// The property key an entry name stands for, or nil when the name is not one.
    ///
    /// A name is a full key (`guestinfo.bitfusion.host.hostname`), or a short one that starts
    /// with `bitfusion.` or `guestprep.` and stands for `guestinfo.` + the name
    /// (`bitfusion.host.hostname`). Names holding `/`, starting with `.`, or holding anything
    /// but ASCII letters, digits, `.`, `_` and `-` are not keys.
    public static func key(forEntryName name: String) -> String? {
        guard !name.hasPrefix("."), !name.contains("/"), KeyValueDecoder.isPropertyKey(name) else {
            return nil
        }
        if shortPrefixes.contains(where: { name.hasPrefix($0) }) { return "guestinfo." + name }
        return name
    }

    /// The value of an entry's `raw` bytes: UTF-8 (invalid sequences become U+FFFD), without
    /// trailing NULs and without one trailing newline.
    public static func value(_ raw: [UInt8]) -> String {
        var end = raw.endIndex
        while end > raw.startIndex, raw[end - 1] == 0 { end -= 1 }
        if end > raw.startIndex, raw[end - 1] == 0x0A { end -= 1 }
        return String(decoding: raw[..<end], as: UTF8.self)
    }
}
