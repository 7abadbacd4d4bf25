import GuestPrepModel

/// The agent's own keys: `guestinfo.guestprep.instance-id`, `guestinfo.guestprep.profile`,
/// `guestinfo.guestprep.network.renderer` and `guestinfo.bitfusion.host.install_nvidia_packages`.
enum IdentityRules {
    static let maxInstanceIDLength = 128

    /// Optional; printable ASCII without spaces, at most 128 characters.
    static func validateInstanceID(_ context: inout ValidationContext) -> String? {
        let key = PropertyKeys.instanceID
        guard let text = context.value(key) else { return nil }
        var valid = true
        var bad: [Character] = []
        for character in text where !isPrintableNonSpace(character) && !bad.contains(character) {
            bad.append(character)
        }
        if !bad.isEmpty {
            context.error(
                key,
                "\(Quoting.quote(text)) contains \(bad.map { Quoting.quote($0) }.joined(separator: ", ")): only printable ASCII characters without spaces are allowed")
            valid = false
        }
        if text.count > maxInstanceIDLength {
            context.error(
                key, "\(Quoting.quote(text)) is \(text.count) characters long: at most \(maxInstanceIDLength) are allowed")
            valid = false
        }
        return valid ? text : nil
    }

    /// Optional; one of `SpecValidator.knownProfiles` or of the site's own profiles.
    static func validateProfile(_ context: inout ValidationContext) -> String? {
        let key = PropertyKeys.profile
        guard let text = context.value(key) else { return nil }
        let known = SpecValidator.knownProfiles + context.localProfiles.filter { !SpecValidator.knownProfiles.contains($0) }
        guard known.contains(text) else {
            context.error(
                key,
                "\(Quoting.quote(text)) is not a known profile: use one of \(known.joined(separator: ", ")), or add a profile of that name in /etc/guestprep/profiles")
            return nil
        }
        return text
    }

    /// Optional; `networkd`, `netplan` or `networkmanager` (any case).
    static func validateNetworkRenderer(_ context: inout ValidationContext) -> NetworkRendererKind? {
        let key = PropertyKeys.networkRenderer
        guard let text = context.value(key) else { return nil }
        guard let kind = NetworkRendererKind(rawValue: text.lowercased()) else {
            let allowed = NetworkRendererKind.allCases.map(\.rawValue).joined(separator: ", ")
            context.error(
                key, "\(Quoting.quote(text)) is not a network renderer: use one of \(allowed), or leave it empty to detect it")
            return nil
        }
        return kind
    }

    /// A toggle; nil when absent or empty, so the profile's default applies.
    static func validateInstallNvidiaPackages(_ context: inout ValidationContext) -> Bool? {
        let key = PropertyKeys.installNvidiaPackages
        guard let text = context.value(key) else { return nil }
        guard let on = ToggleParser.parse(text) else {
            context.error(key, "\(Quoting.quote(text)) is not a toggle: use \(ToggleParser.allowedText)")
            return nil
        }
        return on
    }

    private static func isPrintableNonSpace(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return (0x21...0x7e).contains(ascii)
    }
}
