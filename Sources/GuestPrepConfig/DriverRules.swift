import GuestPrepModel

/// Validates `guestinfo.guestprep.driver.*`. Each value is checked on its own, then together:
/// a runfile needs its SHA-256 (nothing is installed unverified), the runfile route needs a
/// runfile, and a local package directory excludes the runfile route.
enum DriverRules {
    /// The branches guestprep accepts: from the oldest still in NVIDIA's archive for data
    /// centre GPUs (R418, Volta's first long-term branch) to a three-digit major version.
    static let branches = 418...999

    static func validate(_ context: inout ValidationContext) -> DriverRequest {
        var request = DriverRequest()
        if let text = context.value(PropertyKeys.driverBranch) {
            if let branch = Int(text), branches.contains(branch), text.allSatisfy(\.isASCII) {
                request.branch = branch
            } else {
                context.error(
                    PropertyKeys.driverBranch,
                    "\(Quoting.quote(text)) is not a driver branch: give the major version only, such as 580 (\(branches.lowerBound) to \(branches.upperBound))")
            }
        }
        request.modules = choice(PropertyKeys.driverModules, "kernel module flavour", &context)
        request.route = choice(PropertyKeys.driverRoute, "driver route", &context)
        if let text = context.value(PropertyKeys.driverRunfile) {
            if let problem = locationProblem(text) {
                context.error(PropertyKeys.driverRunfile, problem)
            } else {
                request.runfile = text
            }
        }
        if let text = context.value(PropertyKeys.driverRunfileSHA256) {
            if text.count == 64, text.allSatisfy({ $0.isHexDigit && $0.isASCII }) {
                request.runfileSHA256 = text.lowercased()
            } else {
                context.error(
                    PropertyKeys.driverRunfileSHA256,
                    "\(Quoting.quote(text)) is not a SHA-256: give 64 hexadecimal digits, as sha256sum prints them")
            }
        }
        request.packageDirectory = absolutePath(PropertyKeys.driverPackageDirectory, &context)
        request.caFile = absolutePath(PropertyKeys.driverCAFile, &context)
        if let text = context.value(PropertyKeys.driverPersistence) {
            if let on = ToggleParser.parse(text) {
                request.persistence = on
            } else {
                context.error(
                    PropertyKeys.driverPersistence, "\(Quoting.quote(text)) is not a toggle: use \(ToggleParser.allowedText)")
            }
        }
        checkTogether(request, &context)
        return request
    }

    private static func checkTogether(_ request: DriverRequest, _ context: inout ValidationContext) {
        let runfileGiven = context.value(PropertyKeys.driverRunfile) != nil
        let shaGiven = context.value(PropertyKeys.driverRunfileSHA256) != nil
        if runfileGiven && !shaGiven {
            context.error(
                PropertyKeys.driverRunfileSHA256,
                "required with \(PropertyKeys.driverRunfile): guestprep installs no runfile it has not verified; give its SHA-256 (sha256sum NVIDIA-Linux-x86_64-VERSION.run)")
        }
        if shaGiven && !runfileGiven {
            context.error(
                PropertyKeys.driverRunfileSHA256, "given without \(PropertyKeys.driverRunfile): say which runfile it is the SHA-256 of")
        }
        if request.route == .runfile && !runfileGiven {
            context.error(
                PropertyKeys.driverRoute,
                "'runfile' needs \(PropertyKeys.driverRunfile) (a URL or path of NVIDIA-Linux-x86_64-VERSION.run) and \(PropertyKeys.driverRunfileSHA256)")
        }
        if runfileGiven, let route = request.route, route == .distro || route == .nvidiaRepo {
            context.error(
                PropertyKeys.driverRunfile,
                "given with \(PropertyKeys.driverRoute) '\(route.rawValue)', which installs packages, not a runfile: leave one of them out")
        }
        if runfileGiven && request.packageDirectory != nil {
            context.error(
                PropertyKeys.driverPackageDirectory,
                "given with \(PropertyKeys.driverRunfile): the driver comes either from the runfile or from the packages in the directory, not both")
        }
    }

    /// A value of `T`'s raw values, any case.
    private static func choice<T: RawRepresentable & CaseIterable>(
        _ key: String, _ what: String, _ context: inout ValidationContext
    ) -> T? where T.RawValue == String {
        guard let text = context.value(key) else { return nil }
        if let value = T(rawValue: text.lowercased()) { return value }
        let allowed = T.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        context.error(key, "\(Quoting.quote(text)) is not a \(what): use one of \(allowed)")
        return nil
    }

    private static func absolutePath(_ key: String, _ context: inout ValidationContext) -> String? {
        guard let text = context.value(key) else { return nil }
        if let problem = pathProblem(text) {
            context.error(key, problem)
            return nil
        }
        return text
    }

    /// What is wrong with an absolute guest path, or nil.
    static func pathProblem(_ text: String) -> String? {
        guard text.hasPrefix("/") else { return "\(Quoting.quote(text)) is not an absolute path: give one starting with /" }
        if text.split(separator: "/").contains("..") { return "\(Quoting.quote(text)) contains '..': give the path without it" }
        if let bad = text.first(where: { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } ?? false) }) {
            return "\(Quoting.quote(text)) contains the control character \(Quoting.quote(String(bad)))"
        }
        return nil
    }

    /// What is wrong with a runfile location (a URL or an absolute path), or nil.
    static func locationProblem(_ raw: String) -> String? {
        if raw.hasPrefix("/") { return pathProblem(raw) }
        // A URL may carry user:password@: messages show it redacted.
        let text = URLRedaction.redacted(raw)
        let lower = text.lowercased()
        guard let scheme = ["https://", "http://", "file://"].first(where: { lower.hasPrefix($0) }) else {
            return "\(Quoting.quote(text)) is neither an absolute path nor an https://, http:// or file:// URL"
        }
        if text.count == scheme.count { return "\(Quoting.quote(text)) has nothing after \(scheme)" }
        if text.contains(where: { $0 == " " || $0.isNewline || ($0.asciiValue.map { $0 < 0x20 } ?? false) }) {
            return "\(Quoting.quote(text)) contains a space or control character: percent-encode it"
        }
        return nil
    }
}
