import GuestPrepModel

/// Validates the Bitfusion server enrollment (`guestinfo.bitfusion.server.*`) and the client
/// access token. Secret values are never put in a message, not even in part.
enum EnrollmentRules {
    static let serverKeys = [
        PropertyKeys.vcenterGUID, PropertyKeys.vcenterURL, PropertyKeys.vcenterUsername,
        PropertyKeys.vcenterPassword,
    ]

    /// All four server keys empty: nil, not a server. Some but not all: an error on each
    /// missing key. All four: each checked, and the enrollment when they all pass.
    static func validateServer(_ context: inout ValidationContext) -> ServerEnrollment? {
        let guid = context.value(PropertyKeys.vcenterGUID)
        let url = context.value(PropertyKeys.vcenterURL)
        let username = context.value(PropertyKeys.vcenterUsername)
        let password = context.secret(PropertyKeys.vcenterPassword)
        let present = [guid != nil, url != nil, username != nil, password != nil]
        guard present.contains(true) else { return nil }

        var valid = true
        let given = zip(serverKeys, present).filter { $0.1 }.map { shortName($0.0) }
        // A missing password alone is what guestprep leaves after it checked the login and
        // cleared it from guestinfo: the vcenter-verify step says so if it has not run yet.
        if password == nil && !present.dropLast().contains(false) {
            context.info(
                PropertyKeys.vcenterPassword,
                "empty: the vCenter login is not checked again (guestprep clears the password from guestinfo after a successful check)")
        }
        for (key, isPresent) in zip(serverKeys, present) where !isPresent && !(key == PropertyKeys.vcenterPassword && !present.dropLast().contains(false)) {
            context.error(
                key,
                "required when any guestinfo.bitfusion.server.* is set (set: \(given.joined(separator: ", "))); "
                    + "a Bitfusion server needs the vCenter GUID, URL, user name and password")
            valid = false
        }
        if let guid, !isUUID(guid) {
            context.error(
                PropertyKeys.vcenterGUID,
                "\(Quoting.quote(guid)) is not a vCenter GUID: give the vCenter Server's UUID as 8-4-4-4-12 hexadecimal digits, such as 4a1b2c3d-0e5f-4a6b-8c7d-9e0f1a2b3c4d")
            valid = false
        }
        if let url, let problem = urlProblem(url) {
            context.error(PropertyKeys.vcenterURL, problem)
            valid = false
        }
        if let password { checkSecretEdges(PropertyKeys.vcenterPassword, password, &context) }
        let trust = BitfusionRules.validateTrust(&context)
        guard valid, let guid, let url, let username else { return nil }
        return ServerEnrollment(
            vcenterGUID: guid, vcenterURL: url, username: username, password: password.map(Secret.init), caFile: trust.caFile,
            thumbprint: trust.thumbprint)
    }

    /// A non-empty access token or a token archive makes the VM a Bitfusion client.
    static func validateClient(_ context: inout ValidationContext) -> ClientEnrollment? {
        let token = context.secret(PropertyKeys.clientAccessToken)
        if let token { checkSecretEdges(PropertyKeys.clientAccessToken, token, &context) }
        let archive = BitfusionRules.validateArchive(&context)
        guard token != nil || archive != nil else { return nil }
        return ClientEnrollment(accessToken: token.map(Secret.init), archive: archive)
    }

    /// `8-4-4-4-12` hexadecimal digits, any case.
    static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12]
            && groups.allSatisfy { $0.allSatisfy { $0.isHexDigit && $0.isASCII } }
    }

    /// What is wrong with the vCenter URL, or nil. It must be `https://HOST[:PORT][/PATH]`:
    /// over http the password would cross the network in clear. A URL that carries user
    /// information (`user:password@host`) is never quoted, since it may hold a password.
    static func urlProblem(_ url: String) -> String? {
        let afterScheme = TextSearch.firstRange(of: "://", in: Substring(url)).map { url[$0.upperBound...] } ?? Substring(url)
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.contains("@") {
            return "the URL contains user information (user@host), which may hold a password: put the user name in "
                + "\(PropertyKeys.vcenterUsername) and the password in \(PropertyKeys.vcenterPassword), never in the URL"
        }
        let shown = Quoting.quote(url)
        let lower = url.lowercased()
        if lower.hasPrefix("http://") {
            return "\(shown) uses http://: the vCenter password must not cross the network in clear; use https://"
        }
        guard lower.hasPrefix("https://") else {
            return "\(shown) is not an https:// URL: give the vCenter Server's address as https://HOST, such as https://vcenter.example.com"
        }
        if url.contains(where: \.isWhitespace) {
            return "\(shown) contains whitespace, which a URL may not: give https://HOST"
        }
        if authority.hasPrefix("[") {
            return "IPv6 is not supported: \(shown); give the vCenter Server's host name or IPv4 address"
        }
        var host = authority
        if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            let port = authority[authority.index(after: colon)...]
            guard (1...5).contains(port.count), port.allSatisfy({ $0.isASCII && $0.isNumber }),
                let number = Int(port), (1...65535).contains(number)
            else {
                return "\(shown) has an invalid port \(Quoting.quote(String(port))): the port must be a number from 1 to 65535"
            }
        }
        if host.isEmpty {
            return "\(shown) has no host: give https://HOST, such as https://vcenter.example.com"
        }
        let hostText = String(host)
        if hostText.allSatisfy({ $0 == "." || ($0.isASCII && $0.isNumber) }) {
            if IPv4Address(hostText) == nil {
                return "\(shown) has host \(Quoting.quote(hostText)), which is not a valid IPv4 address"
            }
            return nil
        }
        let problems = HostnameRule.dnsNameProblems(hostText)
        if !problems.isEmpty {
            return "\(shown) has host \(Quoting.quote(hostText)), which is not a valid host name: "
                + problems.joined(separator: "; ")
        }
        return nil
    }

    /// Warns, without showing the value, when a secret starts or ends with whitespace: secrets
    /// are used exactly as given, and an OVF form may have added the spaces.
    private static func checkSecretEdges(_ key: String, _ value: String, _ context: inout ValidationContext) {
        if value.first?.isWhitespace == true || value.last?.isWhitespace == true {
            context.warning(
                key,
                "the value starts or ends with whitespace, which is kept as part of it (secrets are used exactly as given); remove it if a form added it")
        }
    }

    private static func shortName(_ key: String) -> String {
        String(key.split(separator: ".").last ?? Substring(key))
    }
}
