import GuestPrepModel

/// Before a Bitfusion server enrolls: its vCenter Server is the one `vcenter-guid` names and
/// takes the given user and password (SOAP RetrieveServiceContent, Login, Logout), over TLS
/// trusted as the properties say. Once per instance: the password is cleared from guestinfo
/// after use. A failure stops the run with what to fix.
public struct VCenterVerifyStep: Step {
    public init() {}

    public let id = "vcenter-verify"
    public let stage = Stage.main
    public let frequency = StepFrequency.perInstance
    public let summary = "the vCenter Server is the one vcenter-guid names and accepts the user and password"

    /// Why the check failed.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public func plan(_ context: StepContext) throws -> StepPlan {
        guard let server = context.spec.server else {
            return StepPlan(diagnostics: [.warning(nil, "no guestinfo.bitfusion.server.* properties: the vCenter Server is not checked")])
        }
        guard let password = server.password else {
            throw Failure(
                description: "\(PropertyKeys.vcenterPassword) is empty: the vCenter login cannot be checked (it is cleared after a successful check; set it again to check again)")
        }
        guard let verifier = context.vcenterVerifier else {
            return StepPlan(diagnostics: [.info(nil, "the vCenter Server is checked only on the running system (--root is not /)")])
        }
        let trust: VCenterTrust
        if let thumbprint = server.thumbprint {
            trust = .thumbprint(thumbprint)
        } else if let caFile = server.caFile {
            guard context.fs.exists(caFile), let host = context.fs.hostPath(of: caFile) else {
                throw Failure(description: "\(caFile) (\(PropertyKeys.vcenterCAFile)) does not exist")
            }
            trust = .caFile(host)
        } else {
            trust = .systemCAs
        }
        let check = VCenterCheck(
            url: server.vcenterURL, expectedGUID: server.vcenterGUID, username: server.username, password: password, trust: trust)
        do {
            let identity = try verifier.verify(check)
            return StepPlan(
                diagnostics: [.info(nil, "vCenter Server \(server.vcenterURL) (\(identity.fullName)) has instance UUID \(identity.instanceUUID) and accepts \(server.username)")],
                notes: ["vCenter \(server.vcenterURL) verified"])
        } catch {
            throw Failure(description: error.description)
        }
    }
}
