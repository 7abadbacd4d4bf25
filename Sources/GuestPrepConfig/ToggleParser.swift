/// Parses the on/off properties (`netN.configure`, `install_nvidia_packages`).
public enum ToggleParser {
    /// The words that mean on, compared without regard to case.
    public static let trueWords: Set<String> = ["true", "1", "yes", "on"]
    /// The words that mean off, compared without regard to case.
    public static let falseWords: Set<String> = ["false", "0", "no", "off"]

    /// `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off` in any case, with surrounding whitespace
    /// ignored. An empty value means off. Anything else is not a toggle: nil.
    public static func parse(_ text: String) -> Bool? {
        let word = Trimming.trim(text).lowercased()
        if word.isEmpty { return false }
        if trueWords.contains(word) { return true }
        if falseWords.contains(word) { return false }
        return nil
    }

    /// The accepted words as a message shows them.
    static let allowedText = "true/false, 1/0, yes/no or on/off (any case), or empty for off"
}
