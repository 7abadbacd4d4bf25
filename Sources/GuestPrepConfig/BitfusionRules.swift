import GuestPrepModel

/// Validates guestprep's own Bitfusion keys: the client's token archive, users, package and
/// download CA, the vCenter trust (CA file or thumbprint) and `clear-after-use`. Secret values
/// (the archive and its URL) are never quoted.
enum BitfusionRules {
    /// The client's token archive: decoded from `token-archive` (base64) here, so a damaged one
    /// stops the run before anything changes; `token-archive-url` is checked as a location and
    /// fetched later, before anything is planned. Both at once: an error.
    static func validateArchive(_ context: inout ValidationContext) -> TokenArchiveSource? {
        let inline = context.secret(PropertyKeys.bitfusionTokenArchive)
        let location = context.secret(PropertyKeys.bitfusionTokenArchiveURL).map(Trimming.trim).flatMap {
            $0.isEmpty ? nil : $0
        }
        if inline != nil && location != nil {
            context.error(
                PropertyKeys.bitfusionTokenArchiveURL,
                "given with \(PropertyKeys.bitfusionTokenArchive): the token archive comes from one of them; leave the other empty")
            return nil
        }
        if let inline {
            guard let bytes = Base64Text.decode(inline) else {
                context.error(PropertyKeys.bitfusionTokenArchive, "is not base64 (encode the archive with base64 -w0)")
                return nil
            }
            do { return .decoded(try TokenArchiveDecoder.decode(bytes)) } catch {
                context.error(PropertyKeys.bitfusionTokenArchive, "\(error)")
                return nil
            }
        }
        let shaText = context.secret(PropertyKeys.bitfusionTokenArchiveSHA256).map(Trimming.trim).flatMap { $0.isEmpty ? nil : $0 }
        var sha256: String?
        if let shaText {
            if shaText.count == 64, shaText.allSatisfy({ $0.isHexDigit && $0.isASCII }) {
                sha256 = shaText.lowercased()
            } else {
                context.error(
                    PropertyKeys.bitfusionTokenArchiveSHA256, "is not a SHA-256: give 64 hexadecimal digits, as sha256sum prints them")
                return nil
            }
        }
        guard let location else {
            if shaText != nil {
                context.error(
                    PropertyKeys.bitfusionTokenArchiveSHA256,
                    "given without \(PropertyKeys.bitfusionTokenArchiveURL): say which archive it is the SHA-256 of")
            }
            return nil
        }
        if let problem = archiveLocationProblem(location) {
            context.error(PropertyKeys.bitfusionTokenArchiveURL, problem)
            return nil
        }
        if sha256 == nil, location.lowercased().hasPrefix("https://") {
            context.error(
                PropertyKeys.bitfusionTokenArchiveSHA256,
                "required with an https:// \(PropertyKeys.bitfusionTokenArchiveURL): guestprep installs no credential it has not verified; give the archive's SHA-256 (sha256sum)")
            return nil
        }
        return .location(Secret(location), sha256: sha256)
    }

    /// What is wrong with a token archive's location, or nil. http:// is refused: the archive
    /// holds the client's credential. The value is never quoted.
    static func archiveLocationProblem(_ text: String) -> String? {
        if text.hasPrefix("/") {
            return DriverRules.pathProblem(text) == nil ? nil : "is not a usable absolute path (it contains '..' or a control character)"
        }
        let lower = text.lowercased()
        if lower.hasPrefix("http://") {
            return "is an http:// URL: the archive holds the client's credential and must not cross the network in clear; use https://"
        }
        guard lower.hasPrefix("https://") || lower.hasPrefix("file://") else {
            return "is neither an absolute path nor an https:// or file:// URL"
        }
        if text.contains(where: { $0 == " " || $0.isNewline || ($0.asciiValue.map { $0 < 0x20 } ?? false) }) {
            return "contains a space or control character: percent-encode it"
        }
        return nil
    }

    static func validateOptions(_ context: inout ValidationContext) -> BitfusionOptions {
        var options = BitfusionOptions()
        if let text = context.value(PropertyKeys.bitfusionUsers) {
            let users = ListSplitter.split(text)
            var valid: [String] = []
            for user in users {
                if let problem = userNameProblem(user) {
                    context.error(PropertyKeys.bitfusionUsers, problem)
                } else if !valid.contains(user) {
                    valid.append(user)
                }
            }
            if !valid.isEmpty { options.users = valid }
        }
        if let text = context.value(PropertyKeys.bitfusionClientPackage) {
            if let problem = DriverRules.locationProblem(text) {
                context.error(PropertyKeys.bitfusionClientPackage, problem)
            } else {
                let name = text.split(separator: "/").last.map(String.init) ?? ""
                if !name.hasSuffix(".deb") && !name.hasSuffix(".rpm") {
                    context.error(
                        PropertyKeys.bitfusionClientPackage,
                        "\(Quoting.quote(URLRedaction.redacted(text))) does not name a .deb or .rpm file: give the Bitfusion client package itself")
                } else {
                    options.clientPackage = text
                }
            }
        }
        if let text = context.value(PropertyKeys.bitfusionClientPackageSHA256) {
            if text.count == 64, text.allSatisfy({ $0.isHexDigit && $0.isASCII }) {
                options.clientPackageSHA256 = text.lowercased()
            } else {
                context.error(
                    PropertyKeys.bitfusionClientPackageSHA256,
                    "\(Quoting.quote(text)) is not a SHA-256: give 64 hexadecimal digits, as sha256sum prints them")
            }
        }
        let packageGiven = context.value(PropertyKeys.bitfusionClientPackage) != nil
        let shaGiven = context.value(PropertyKeys.bitfusionClientPackageSHA256) != nil
        if packageGiven && !shaGiven {
            context.error(
                PropertyKeys.bitfusionClientPackageSHA256,
                "required with \(PropertyKeys.bitfusionClientPackage): guestprep installs no package it has not verified; give its SHA-256")
        }
        if shaGiven && !packageGiven {
            context.error(
                PropertyKeys.bitfusionClientPackageSHA256,
                "given without \(PropertyKeys.bitfusionClientPackage): say which package it is the SHA-256 of")
        }
        if let text = context.value(PropertyKeys.bitfusionCAFile) {
            if let problem = DriverRules.pathProblem(text) {
                context.error(PropertyKeys.bitfusionCAFile, problem)
            } else {
                options.caFile = text
            }
        }
        return options
    }

    /// A POSIX user name as useradd takes it by default: a lower-case letter or `_` first, then
    /// lower-case letters, digits, `_` and `-`, at most 32 characters.
    static func userNameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        let first = bytes.first
        let startsWell = first.map { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F } ?? false
        let restWell = bytes.dropFirst().allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D
        }
        guard startsWell, restWell, bytes.count <= 32 else {
            return "\(Quoting.quote(name)) is not a user name: a lower-case letter or _ first, then lower-case letters, digits, _ or -, at most 32 characters"
        }
        return nil
    }

    /// `thumbprint`: 40 or 64 hexadecimal digits, colons or spaces between pairs allowed (as
    /// vSphere and openssl print it); lower-case hex without separators.
    static func validateTrust(_ context: inout ValidationContext) -> (caFile: String?, thumbprint: String?) {
        var caFile: String?
        var thumbprint: String?
        if let text = context.value(PropertyKeys.vcenterCAFile) {
            if let problem = DriverRules.pathProblem(text) {
                context.error(PropertyKeys.vcenterCAFile, problem)
            } else {
                caFile = text
            }
        }
        if let text = context.value(PropertyKeys.vcenterThumbprint) {
            if let normalized = normalizedThumbprint(text) {
                thumbprint = normalized
            } else {
                context.error(
                    PropertyKeys.vcenterThumbprint,
                    "\(Quoting.quote(text)) is not a certificate thumbprint: give the SHA-256 (64 hexadecimal digits) or SHA-1 (40) of the vCenter certificate, with or without colons, as openssl x509 -noout -fingerprint -sha256 prints it")
            }
        }
        if context.value(PropertyKeys.vcenterCAFile) != nil && context.value(PropertyKeys.vcenterThumbprint) != nil {
            context.error(
                PropertyKeys.vcenterThumbprint,
                "given with \(PropertyKeys.vcenterCAFile): trust the vCenter certificate either by its CA or by its thumbprint, not both")
        }
        return (caFile, thumbprint)
    }

    /// Lower-case hex without separators, or nil when `text` is not a SHA-1 or SHA-256 thumbprint.
    static func normalizedThumbprint(_ text: String) -> String? {
        var digits = ""
        for character in text {
            if character == ":" || character == " " { continue }
            guard character.isASCII, character.isHexDigit else { return nil }
            digits.append(character)
        }
        if text.hasPrefix(":") || text.hasSuffix(":") || text.contains("::") { return nil }
        return digits.count == 40 || digits.count == 64 ? digits.lowercased() : nil
    }

    /// Optional toggle, default on.
    static func validateClearSecrets(_ context: inout ValidationContext) -> Bool {
        guard let text = context.value(PropertyKeys.clearSecrets) else { return true }
        guard let on = ToggleParser.parse(text) else {
            context.error(PropertyKeys.clearSecrets, "\(Quoting.quote(text)) is not a toggle: use \(ToggleParser.allowedText)")
            return true
        }
        return on
    }
}
