import GuestPrepModel

/// The few vSphere Web Services (SOAP 1.1, `vim25`) messages with which a Bitfusion server
/// checks its vCenter Server: RetrieveServiceContent, SessionManager Login and Logout. Pure:
/// request bodies are built from values, answers are read with `ExpatXMLReader` (expat: no
/// DTD, no entities, a size and a depth bound). The transport (POST to `URL/sdk`) is the
/// caller's.
///
/// Answers are matched by namespace and local name: the envelope and body in the SOAP 1.1
/// envelope namespace, the operation's response in `urn:vim25`, its fields by local name
/// (vSphere writes them unqualified under the response's default namespace).
public enum VCenterSOAP {
    /// The SOAP 1.1 envelope namespace.
    public static let envelopeNamespace = "http://schemas.xmlsoap.org/soap/envelope/"
    /// The namespace of the vSphere API's operations and types.
    public static let vimNamespace = "urn:vim25"
    /// The namespace of `xsi:type`, which names a fault's type in its detail.
    public static let schemaInstanceNamespace = "http://www.w3.org/2001/XMLSchema-instance"
    /// The `SOAPAction` header of every request: the API version the request is written in.
    /// A server refuses a version newer than its own, and serves older ones; these three
    /// operations have not changed since vSphere 5, and 7.0 is the oldest vCenter Server that
    /// Bitfusion 4 runs with.
    public static let soapAction = "urn:vim25/7.0"
    /// The `Content-Type` header of every request.
    public static let contentType = "text/xml; charset=utf-8"

    // MARK: - Requests

    /// The body of `RetrieveServiceContent` on the `ServiceInstance` managed object, the one
    /// call a client may make before it logs in.
    public static func retrieveServiceContentRequest() -> [UInt8] {
        envelope(#"<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>"#)
    }

    /// The body of `Login` on `sessionManager` (the moref value RetrieveServiceContent gave).
    /// The password is revealed into these bytes and nowhere else: they must never be logged;
    /// a caller should overwrite them once sent.
    ///
    /// - Throws: `VCenterSOAPError.unencodable` when the user name or the password holds a
    ///   character XML 1.0 cannot carry (a control character other than tab, line feed and
    ///   carriage return); the message names the field, never the character.
    public static func loginRequest(
        sessionManager: String, userName: String, password: Secret
    ) throws(VCenterSOAPError) -> [UInt8] {
        var body: [UInt8] = []
        body += Array(#"<Login xmlns="urn:vim25"><_this type="SessionManager">"#.utf8)
        try appendEscaped(sessionManager, to: &body, field: "the session manager's name")
        body += Array("</_this><userName>".utf8)
        try appendEscaped(userName, to: &body, field: "the user name")
        body += Array("</userName><password>".utf8)
        try appendEscaped(password.reveal(), to: &body, field: "the password")
        body += Array("</password></Login>".utf8)
        return envelope(body)
    }

    /// The body of `Logout` on `sessionManager`; the session is the one whose cookie
    /// (`vmware_soap_session`) goes with the request.
    public static func logoutRequest(sessionManager: String) -> [UInt8] {
        var body = Array(#"<Logout xmlns="urn:vim25"><_this type="SessionManager">"#.utf8)
        // A moref value comes from the server's own answer; one that XML cannot carry is
        // dropped rather than sent malformed (the server then says it does not know it).
        try? appendEscaped(sessionManager, to: &body, field: "the session manager's name")
        body += Array("</_this></Logout>".utf8)
        return envelope(body)
    }

    // MARK: - Answers

    /// The `about` and `sessionManager` of a RetrieveServiceContent answer.
    ///
    /// - Throws: `VCenterSOAPError.fault` for a SOAP fault; `.malformed` when the answer is not
    ///   a SOAP envelope holding a RetrieveServiceContentResponse with `about.apiType`,
    ///   `about.fullName` and `sessionManager`.
    public static func decodeServiceContent(_ answer: [UInt8]) throws(VCenterSOAPError) -> VCenterServiceContent {
        let about = "returnval/about/"
        let fields = try read(
            answer, response: "RetrieveServiceContentResponse",
            fields: [
                about + "apiType", about + "apiVersion", about + "fullName", about + "instanceUuid",
                "returnval/sessionManager",
            ])
        func required(_ path: String, _ shown: String) throws(VCenterSOAPError) -> String {
            guard let value = fields[path], !value.isEmpty else {
                throw .malformed("the RetrieveServiceContentResponse has no \(shown)")
            }
            return value
        }
        return VCenterServiceContent(
            apiType: try required(about + "apiType", "about.apiType"),
            apiVersion: fields[about + "apiVersion"] ?? "",
            fullName: try required(about + "fullName", "about.fullName"),
            instanceUUID: fields[about + "instanceUuid"].flatMap { $0.isEmpty ? nil : $0 },
            sessionManager: try required("returnval/sessionManager", "sessionManager"))
    }

    /// Checks a Login answer: a LoginResponse, whose session then rides on the cookie the
    /// server set.
    ///
    /// - Throws: `VCenterSOAPError.fault` (type `InvalidLogin` for a wrong user name or
    ///   password); `.malformed` for anything but a SOAP envelope holding a LoginResponse.
    public static func decodeLogin(_ answer: [UInt8]) throws(VCenterSOAPError) {
        _ = try read(answer, response: "LoginResponse", fields: [])
    }

    /// Checks a Logout answer: a LogoutResponse.
    ///
    /// - Throws: `VCenterSOAPError.fault` (type `NotAuthenticated` when the request carried no
    ///   session); `.malformed` for anything but a SOAP envelope holding a LogoutResponse.
    public static func decodeLogout(_ answer: [UInt8]) throws(VCenterSOAPError) {
        _ = try read(answer, response: "LogoutResponse", fields: [])
    }

    // MARK: - Reading

    private static let envelopeName = XMLName(namespace: envelopeNamespace, localName: "Envelope")
    private static let bodyName = XMLName(namespace: envelopeNamespace, localName: "Body")
    private static let faultName = XMLName(namespace: envelopeNamespace, localName: "Fault")
    /// The largest answer read: 4 MiB. A ServiceContent is a few kilobytes; an answer this
    /// large is not the one asked for.
    static let maximumAnswerSize = 4 << 20

    /// The texts of `fields` (paths of local names below the response element, such as
    /// `returnval/about/apiType`; the first occurrence of each) of the answer `response`.
    /// A fault in the body is thrown.
    private static func read(
        _ answer: [UInt8], response: String, fields: Set<String>
    ) throws(VCenterSOAPError) -> [String: String] {
        guard answer.contains(where: { !isSpace($0) }) else { throw .malformed("the answer is empty") }
        var found: [String: String] = [:]
        var fault: (message: String, type: String?)?
        // The local names from the body's child down to the element being read.
        var path: [String] = []
        var depth = 0
        var text = ""
        var inBody = false
        var inFault = false
        var sawBodyChild = false
        do {
            try ExpatXMLReader.read(answer, maximumSize: maximumAnswerSize) { event in
                switch event {
                case .startElement(let tag):
                    depth += 1
                    text = ""
                    switch depth {
                    case 1:
                        guard tag.name == envelopeName else {
                            throw VCenterSOAPError.malformed("the root element is \(shown(tag.name)), not a SOAP Envelope")
                        }
                    case 2:
                        // A Header may precede the Body; only the Body matters.
                        inBody = tag.name == bodyName
                    case 3 where inBody && !sawBodyChild:
                        sawBodyChild = true
                        path = [tag.name.localName]
                        if tag.name == faultName {
                            inFault = true
                            fault = (message: "", type: nil)
                        } else if tag.name != XMLName(namespace: vimNamespace, localName: response) {
                            throw VCenterSOAPError.malformed("the answer holds \(shown(tag.name)), not a \(response)")
                        }
                    default:
                        if !path.isEmpty { path.append(tag.name.localName) }
                        // The detail's first element names the fault's type.
                        if inFault, path.count == 3, path[1] == "detail", fault?.type == nil {
                            fault?.type = faultType(of: tag)
                        }
                    }
                case .endElement(let name):
                    if depth == 2 && name == bodyName {
                        guard sawBodyChild else { throw VCenterSOAPError.malformed("the SOAP Body is empty") }
                        inBody = false
                    }
                    if !path.isEmpty {
                        let relative = path.dropFirst().joined(separator: "/")
                        if inFault, relative == "faultstring" {
                            fault?.message = Trimming.trim(text)
                        } else if !inFault, fields.contains(relative), found[relative] == nil {
                            found[relative] = Trimming.trim(text)
                        }
                        path.removeLast()
                        if path.isEmpty { inFault = false }
                    }
                    text = ""
                    depth -= 1
                case .text(let characters):
                    text += characters
                }
            }
            guard sawBodyChild else { throw VCenterSOAPError.malformed("the SOAP envelope has no Body") }
        } catch let error as XMLReaderError {
            throw .malformed(error.message)
        } catch let error as VCenterSOAPError {
            throw error
        } catch {
            throw .malformed("\(error)")
        }
        if let fault {
            throw .fault(VCenterSOAPFault(message: fault.message, type: fault.type))
        }
        return found
    }

    /// `InvalidLogin` for `<InvalidLoginFault xsi:type="InvalidLogin">` (the prefix of a
    /// qualified xsi:type is dropped), or from the element's name without `Fault` when it has
    /// no xsi:type.
    private static func faultType(of tag: XMLStartTag) -> String {
        if let type = tag.attribute("type", namespace: schemaInstanceNamespace), !type.isEmpty {
            return String(type[(type.lastIndex(of: ":").map(type.index(after:)) ?? type.startIndex)...])
        }
        let name = tag.name.localName
        return name.hasSuffix("Fault") && name != "Fault" ? String(name.dropLast(5)) : name
    }

    private static func shown(_ name: XMLName) -> String {
        name.namespace.isEmpty ? "<\(name.localName)>" : "<\(name.localName)> in namespace \(name.namespace)"
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    // MARK: - Writing

    private static func envelope(_ body: String) -> [UInt8] { envelope(Array(body.utf8)) }

    private static func envelope(_ body: [UInt8]) -> [UInt8] {
        Array(#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>"#.utf8)
            + body + Array("</soapenv:Body></soapenv:Envelope>".utf8)
    }

    /// Appends `text` as XML character data: `&`, `<`, `>`, quotes escaped, and a carriage
    /// return as `&#13;` (written literally, a parser would turn it into a line feed).
    private static func appendEscaped(_ text: String, to body: inout [UInt8], field: String) throws(VCenterSOAPError) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": body += Array("&amp;".utf8)
            case "<": body += Array("&lt;".utf8)
            case ">": body += Array("&gt;".utf8)
            case "\"": body += Array("&quot;".utf8)
            case "'": body += Array("&apos;".utf8)
            case "\r": body += Array("&#13;".utf8)
            case "\t", "\n": body.append(UInt8(scalar.value))
            default:
                // Char of XML 1.0: no other C0 control, no U+FFFE or U+FFFF (Swift strings hold
                // no surrogates).
                guard scalar.value >= 0x20, scalar.value != 0xFFFE, scalar.value != 0xFFFF else {
                    throw .unencodable("\(field) holds a control character, which XML 1.0 cannot carry")
                }
                body += Array(String(scalar).utf8)
            }
        }
    }
}

/// What a vCenter Server (or ESXi host) says about itself in its ServiceContent.
public struct VCenterServiceContent: Sendable, Equatable {
    /// `about.apiType`: `VirtualCenter` for a vCenter Server, `HostAgent` for an ESXi host.
    public var apiType: String
    /// `about.apiVersion` (`8.0.2.0`); empty when absent.
    public var apiVersion: String
    /// `about.fullName` (`VMware vCenter Server 8.0.2 build-...`).
    public var fullName: String
    /// `about.instanceUuid`, as the server wrote it; ESXi hosts have none.
    public var instanceUUID: String?
    /// The value of the `sessionManager` moref (`SessionManager` on vCenter, `ha-sessionmgr`
    /// on ESXi): the object Login and Logout are called on.
    public var sessionManager: String

    public init(apiType: String, apiVersion: String, fullName: String, instanceUUID: String?, sessionManager: String) {
        self.apiType = apiType
        self.apiVersion = apiVersion
        self.fullName = fullName
        self.instanceUUID = instanceUUID
        self.sessionManager = sessionManager
    }
}

/// A SOAP fault: its `faultstring` and the type its detail names.
public struct VCenterSOAPFault: Sendable, Equatable, CustomStringConvertible {
    /// `faultstring` (`Login failure`); vCenter leaves it empty for some faults.
    public var message: String
    /// The vSphere fault type without its `Fault` suffix (`InvalidLogin`, `NotAuthenticated`,
    /// `InvalidRequest`), or nil when the fault has no detail.
    public var type: String?

    public init(message: String, type: String?) {
        self.message = message
        self.type = type
    }

    /// `Login failure (InvalidLogin)`, `NotAuthenticated`, or the message alone.
    public var description: String {
        switch (message.isEmpty, type) {
        case (false, let type?): "\(message) (\(type))"
        case (true, let type?): type
        case (_, nil): message.isEmpty ? "a fault without a message" : message
        }
    }
}

/// Why a vSphere SOAP message could not be built or read.
public enum VCenterSOAPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with a SOAP fault.
    case fault(VCenterSOAPFault)
    /// The answer is not the SOAP answer expected (why, in words).
    case malformed(String)
    /// A request cannot be written in XML (which field, never its value).
    case unencodable(String)

    public var description: String {
        switch self {
        case .fault(let fault): "SOAP fault: \(fault)"
        case .malformed(let reason): reason
        case .unencodable(let reason): reason
        }
    }
}
