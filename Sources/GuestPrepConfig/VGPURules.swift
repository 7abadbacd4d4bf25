import GuestPrepModel

/// Validates `guestinfo.guestprep.vgpu.*`, and what a profile that licenses an NVIDIA vGPU
/// needs besides. The client configuration token is a secret: no message quotes it.
public enum VGPURules {
    /// The step that licenses a vGPU guest; a profile that lists it installs the vGPU guest driver.
    public static let licenseStep = "vgpu-license"
    /// The largest token accepted. A client configuration token is a few KiB of text; anything
    /// far larger is not one (and guestinfo values are bounded anyway).
    public static let maximumTokenBytes = 64 * 1024

    static func validate(_ context: inout ValidationContext) -> VGPULicensing {
        var licensing = VGPULicensing()
        if let text = context.value(PropertyKeys.vgpuFeatureType) {
            if let type = featureType(text) {
                licensing.featureType = type
            } else {
                let allowed = VGPUFeatureType.allCases.map { "\($0.rawValue) (\($0.name): \($0.product))" }.joined(separator: ", ")
                context.error(PropertyKeys.vgpuFeatureType, "\(Quoting.quote(text)) is not a FeatureType of gridd.conf: use one of \(allowed)")
            }
        }
        if let token = context.secret(PropertyKeys.vgpuClientConfigToken) {
            if let problem = tokenProblem(token) {
                context.error(PropertyKeys.vgpuClientConfigToken, problem)
            } else {
                licensing.clientConfigToken = Secret(token)
            }
        }
        return licensing
    }

    /// A FeatureType by number or name, any case.
    static func featureType(_ text: String) -> VGPUFeatureType? {
        if let number = Int(text), text.allSatisfy(\.isASCII) { return VGPUFeatureType(rawValue: number) }
        return VGPUFeatureType.allCases.first { $0.name == text.lowercased() }
    }

    /// What is wrong with a client configuration token, never quoting it; nil when it can be
    /// installed. The token is the .tok file's text: printable, a line or a few.
    static func tokenProblem(_ token: String) -> String? {
        if token.utf8.count > maximumTokenBytes {
            return "is \(token.utf8.count) bytes, more than a client configuration token (\(maximumTokenBytes) bytes at most): give the text of the .tok file the NVIDIA Licensing Portal or the DLS instance gave"
        }
        if token.allSatisfy(\.isWhitespace) { return "holds only whitespace: give the text of the client configuration token (.tok file)" }
        let control = token.unicodeScalars.first { scalar in
            (scalar.value < 0x20 && scalar != "\n" && scalar != "\r" && scalar != "\t") || scalar.value == 0x7f
        }
        if let control {
            return "contains the control character U+\(String(control.value, radix: 16, uppercase: true)), which no client configuration token has: give the .tok file's text as it is"
        }
        return nil
    }

    /// What a profile that lists `vgpu-license` is missing, once the properties have filled its
    /// driver defaults: NVIDIA's vGPU guest driver is not public, so the site gives it, as a
    /// runfile or a package directory. Errors, each naming the keys; empty when nothing is missing.
    public static func profileProblems(profile: String, steps: [String], driver: DriverRequest) -> [Diagnostic] {
        guard steps.contains(licenseStep), driver.install ?? false else { return [] }
        guard driver.runfile == nil, driver.packageDirectory == nil else { return [] }
        return [
            .error(
                PropertyKeys.driverRunfile,
                "the \(profile) profile installs NVIDIA's vGPU guest driver, which is not public: give \(PropertyKeys.driverRunfile) (with \(PropertyKeys.driverRunfileSHA256)) or \(PropertyKeys.driverPackageDirectory), from the NVIDIA Licensing Portal's download for the host's vGPU software release")
        ]
    }
}
