import GuestPrepModel

/// How guestprep decides to trust a vCenter Server's TLS certificate.
public enum VCenterTrust: Sendable, Equatable {
    /// The system's CA store.
    case systemCAs
    /// A PEM CA file (a host path when given to the verifier).
    case caFile(String)
    /// The certificate's SHA-256 or SHA-1 thumbprint (lower-case hex, no colons): the
    /// certificate itself is trusted when its thumbprint matches, whoever signed it (a
    /// self-signed vCenter certificate). The password is sent only on a connection whose key is
    /// the pinned certificate's.
    case thumbprint(String)
}

/// What a Bitfusion server checks with its vCenter Server before it enrolls.
public struct VCenterCheck: Sendable, Equatable {
    /// `https://HOST[:PORT]` (validated: https, no user-info); the SOAP endpoint is `URL/sdk`.
    public var url: String
    /// `guestinfo.bitfusion.server.vcenter-guid`; compared case-insensitively with
    /// `about.instanceUuid`.
    public var expectedGUID: String
    public var username: String
    public var password: Secret
    public var trust: VCenterTrust
    /// Seconds for connecting and for each request.
    public var timeout: Double

    public init(url: String, expectedGUID: String, username: String, password: Secret, trust: VCenterTrust, timeout: Double = 20) {
        self.url = url
        self.expectedGUID = expectedGUID
        self.username = username
        self.password = password
        self.trust = trust
        self.timeout = timeout
    }
}

/// What the vCenter Server said about itself when the check passed.
public struct VCenterIdentity: Sendable, Equatable {
    /// `about.fullName` (`VMware vCenter Server 8.0.2 build-...`).
    public var fullName: String
    /// `about.instanceUuid`, as the server wrote it.
    public var instanceUUID: String

    public init(fullName: String, instanceUUID: String) {
        self.fullName = fullName
        self.instanceUUID = instanceUUID
    }
}

/// Why a vCenter check failed; each a distinct, clear error. Never holds the password.
public enum VCenterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No TCP connection (refused, no route, DNS, timeout).
    case unreachable(url: String, reason: String)
    /// The TLS handshake or certificate verification failed (unknown CA, expired, name mismatch).
    case tls(url: String, reason: String)
    /// A pinned thumbprint that the server's certificate does not have.
    case thumbprintMismatch(url: String, expected: String, actual: String)
    /// An HTTP status other than 200 (or 500 with a SOAP fault) from /sdk.
    case http(url: String, status: Int)
    /// The answer is not a vSphere SOAP answer guestprep can read.
    case malformed(url: String, reason: String)
    /// `about.apiType` is not `VirtualCenter` (an ESXi host's URL was given: `HostAgent`).
    case notVCenter(url: String, apiType: String)
    /// `about.instanceUuid` differs from `vcenter-guid`.
    case guidMismatch(expected: String, actual: String)
    /// Login answered InvalidLogin: the user name or password is wrong.
    case invalidLogin(username: String)
    /// Another SOAP fault (its faultstring).
    case fault(operation: String, message: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let reason):
            "cannot reach the vCenter Server at \(url): \(reason); check \(PropertyKeys.vcenterURL), DNS and the firewall (TCP 443)"
        case .tls(let url, let reason):
            "TLS with the vCenter Server at \(url) failed: \(reason); give its CA in \(PropertyKeys.vcenterCAFile) or its certificate thumbprint in \(PropertyKeys.vcenterThumbprint)"
        case .thumbprintMismatch(let url, let expected, let actual):
            "the vCenter Server at \(url) presented a certificate with thumbprint \(actual), not the pinned \(expected) (\(PropertyKeys.vcenterThumbprint)): the password was not sent; check the URL, or pin the certificate vCenter shows now"
        case .http(let url, let status):
            "the vCenter Server at \(url) answered HTTP \(status) on /sdk: is \(PropertyKeys.vcenterURL) a vCenter Server?"
        case .malformed(let url, let reason):
            "the answer of \(url)/sdk is not a vSphere SOAP answer: \(reason)"
        case .notVCenter(let url, let apiType):
            "\(url) is not a vCenter Server (about.apiType is \(apiType), not VirtualCenter): give the vCenter Server's URL in \(PropertyKeys.vcenterURL), not an ESXi host's"
        case .guidMismatch(let expected, let actual):
            "the vCenter Server's instance UUID is \(actual), not \(expected) (\(PropertyKeys.vcenterGUID)): the URL names another vCenter, or the GUID is wrong"
        case .invalidLogin(let username):
            "vCenter refused the login of \(username): the user name (\(PropertyKeys.vcenterUsername)) or the password (\(PropertyKeys.vcenterPassword)) is wrong"
        case .fault(let operation, let message):
            "vCenter answered \(operation) with a fault: \(message)"
        }
    }
}

/// Checks a vCenter Server for a Bitfusion server's enrollment: TLS as `trust` says, SOAP
/// RetrieveServiceContent (apiType VirtualCenter, instanceUuid = the expected GUID), then
/// SessionManager Login and Logout. The real one is GuestPrepLinux's, over libcurl.
public protocol VCenterVerifier: Sendable {
    func verify(_ check: VCenterCheck) throws(VCenterError) -> VCenterIdentity
}

/// Asks a vCenter Server who it is without logging in: TLS as `trust` says, then SOAP
/// RetrieveServiceContent, which vSphere answers before any login (apiType VirtualCenter,
/// instanceUuid = `expectedGUID`). What `guestprep health` can check once the password was
/// cleared from guestinfo. The real one is GuestPrepLinux's `CurlVCenterVerifier`.
public protocol VCenterIdentityProbe: Sendable {
    func identify(url: String, expectedGUID: String, trust: VCenterTrust, timeout: Double) throws(VCenterError) -> VCenterIdentity
}
