/// The canonical text of a MAC address, as every source of one is compared: six hex pairs,
/// lower-case, separated by ':'.
public enum MACAddress {
    /// `00:50:56:AB:CD:EF` → `00:50:56:ab:cd:ef`, reading pairs separated by `separator`
    /// (`-` for the Windows form some OVF tools write); nil for anything else.
    public static func normalized(_ text: String, separator: Character = ":") -> String? {
        let parts = text.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == 6,
            parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isHexDigit } })
        else { return nil }
        return parts.joined(separator: ":").lowercased()
    }
}
