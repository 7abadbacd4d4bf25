import GuestPrepConfig
import GuestPrepModel
import Testing

/// The SOAP messages against answers recorded from vcsim (Fixtures/vcenter/README.md) and
/// hand-made broken ones.
@Suite struct VCenterSOAPTests {
    private func fixture(_ name: String) throws -> [UInt8] {
        try FixtureSupport.bytes("vcenter/" + name)
    }

    /// The error `body` throws, or nil (and a recorded issue) when it throws none.
    private func soapError(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) -> VCenterSOAPError? {
        do {
            try body()
            Issue.record("expected a VCenterSOAPError", sourceLocation: sourceLocation)
        } catch let error as VCenterSOAPError {
            return error
        } catch {
            Issue.record("not a VCenterSOAPError: \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    // MARK: - Requests

    @Test func retrieveServiceContentNamesTheServiceInstance() throws {
        let body = text(VCenterSOAP.retrieveServiceContentRequest())
        #expect(body.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope"#))
        #expect(body.contains(#"<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>"#))
        // Well-formed, and in the envelope namespace.
        var root: XMLName?
        try ExpatXMLReader.read(VCenterSOAP.retrieveServiceContentRequest(), maximumSize: 1 << 20) { event in
            if case .startElement(let tag) = event, root == nil { root = tag.name }
        }
        #expect(root == XMLName(namespace: VCenterSOAP.envelopeNamespace, localName: "Envelope"))
    }

    @Test func loginEscapesTheUserNameAndThePassword() throws {
        let password = #"p&ss<wo>rd "quoted" 'single'"# + "\r\n\tend"
        let bytes = try VCenterSOAP.loginRequest(
            sessionManager: "SessionManager", userName: "VSPHERE.LOCAL\\a&b", password: Secret(password))
        let body = text(bytes)
        #expect(body.contains(#"<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>"#))
        #expect(body.contains("<userName>VSPHERE.LOCAL\\a&amp;b</userName>"))
        #expect(body.contains("<password>p&amp;ss&lt;wo&gt;rd &quot;quoted&quot; &apos;single&apos;&#13;\n\tend</password>"))
        // The reader gives the password back exactly, carriage return included.
        var inPassword = false
        var read = ""
        try ExpatXMLReader.read(bytes, maximumSize: 1 << 20) { event in
            switch event {
            case .startElement(let tag): inPassword = tag.name.localName == "password"
            case .endElement: inPassword = false
            case .text(let characters): if inPassword { read += characters }
            }
        }
        #expect(read == password)
    }

    @Test func loginRefusesAControlCharacterWithoutShowingIt() {
        let error = soapError {
            _ = try VCenterSOAP.loginRequest(sessionManager: "SessionManager", userName: "root", password: Secret("a\u{1}b"))
        }
        #expect(error == .unencodable("the password holds a control character, which XML 1.0 cannot carry"))
        let userError = soapError {
            _ = try VCenterSOAP.loginRequest(sessionManager: "SessionManager", userName: "ro\u{7f}ot\u{0}", password: Secret("x"))
        }
        #expect(userError == .unencodable("the user name holds a control character, which XML 1.0 cannot carry"))
    }

    @Test func logoutNamesTheSessionManager() {
        let body = text(VCenterSOAP.logoutRequest(sessionManager: "ha-sessionmgr"))
        #expect(body.contains(#"<Logout xmlns="urn:vim25"><_this type="SessionManager">ha-sessionmgr</_this></Logout>"#))
        #expect(body.hasSuffix("</soapenv:Body></soapenv:Envelope>"))
    }

    // MARK: - Answers recorded from vcsim

    @Test func serviceContentOfAVCenterServer() throws {
        let content = try VCenterSOAP.decodeServiceContent(try fixture("retrieve-service-content.xml"))
        #expect(
            content
                == VCenterServiceContent(
                    apiType: "VirtualCenter", apiVersion: "6.5", fullName: "VMware vCenter Server 6.5.0 build-5973321",
                    instanceUUID: "11111111-2222-3333-4444-555555555555", sessionManager: "SessionManager"))
    }

    @Test func serviceContentOfAnESXiHostHasNoInstanceUUID() throws {
        let content = try VCenterSOAP.decodeServiceContent(try fixture("retrieve-service-content-esxi.xml"))
        #expect(content.apiType == "HostAgent")
        #expect(content.fullName == "VMware ESXi 6.5.0 build-5969303")
        #expect(content.instanceUUID == nil)
        #expect(content.sessionManager == "ha-sessionmgr")
    }

    @Test func loginAndLogoutResponses() throws {
        try VCenterSOAP.decodeLogin(try fixture("login.xml"))
        try VCenterSOAP.decodeLogout(try fixture("logout.xml"))
    }

    @Test func invalidLoginFault() throws {
        let answer = try fixture("login-invalid.xml")
        let error = soapError { try VCenterSOAP.decodeLogin(answer) }
        #expect(error == .fault(VCenterSOAPFault(message: "Login failure", type: "InvalidLogin")))
        #expect(error?.description == "SOAP fault: Login failure (InvalidLogin)")
    }

    @Test func notAuthenticatedFaultWithAnEmptyFaultString() throws {
        let answer = try fixture("logout-not-authenticated.xml")
        let error = soapError { try VCenterSOAP.decodeLogout(answer) }
        #expect(error == .fault(VCenterSOAPFault(message: "", type: "NotAuthenticated")))
        #expect(error?.description == "SOAP fault: NotAuthenticated")
    }

    @Test func aFaultAnswersAnyOperation() throws {
        let answer = try fixture("invalid-request.xml")
        let error = soapError { _ = try VCenterSOAP.decodeServiceContent(answer) }
        #expect(error == .fault(VCenterSOAPFault(message: "no vmomi type defined for 'Frobnicate'", type: "InvalidRequest")))
    }

    @Test func anotherOperationsAnswerIsMalformed() throws {
        let answer = try fixture("login.xml")
        let error = soapError { try VCenterSOAP.decodeLogout(answer) }
        #expect(error == .malformed("the answer holds <LoginResponse> in namespace urn:vim25, not a LogoutResponse"))
    }

    // MARK: - Hand-made answers

    private func envelope(_ body: String, header: String = "") -> [UInt8] {
        Array(
            (#"<?xml version="1.0"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" "#
                + #"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"# + header + "<S:Body>" + body
                + "</S:Body></S:Envelope>").utf8)
    }

    @Test func aHeaderAndWhitespaceAreIgnored() throws {
        let answer = envelope(
            """
            <RetrieveServiceContentResponse xmlns="urn:vim25"><returnval>
              <about>
                <fullName> VMware vCenter Server 8.0.2 build-22617221 </fullName>
                <apiType>VirtualCenter</apiType><apiVersion>8.0.2.0</apiVersion>
                <instanceUuid>
                  AABBCCDD-0000-1111-2222-333344445555
                </instanceUuid>
              </about>
              <sessionManager type="SessionManager">SessionManager</sessionManager>
            </returnval></RetrieveServiceContentResponse>
            """,
            header: "<S:Header><sessionManager>not this one</sessionManager></S:Header>")
        let content = try VCenterSOAP.decodeServiceContent(answer)
        #expect(content.fullName == "VMware vCenter Server 8.0.2 build-22617221")
        #expect(content.instanceUUID == "AABBCCDD-0000-1111-2222-333344445555")
        #expect(content.apiVersion == "8.0.2.0")
        #expect(content.sessionManager == "SessionManager")
    }

    @Test func aQualifiedXSITypeAndAFaultWithoutDetail() {
        let qualified = envelope(
            #"<S:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Cannot complete login due to an incorrect user name or password.</faultstring>"#
                + #"<detail><InvalidLoginFault xmlns="urn:vim25" xmlns:vim25="urn:vim25" xsi:type="vim25:InvalidLogin"/></detail></S:Fault>"#)
        #expect(
            soapError { try VCenterSOAP.decodeLogin(qualified) }
                == .fault(
                    VCenterSOAPFault(
                        message: "Cannot complete login due to an incorrect user name or password.", type: "InvalidLogin")))
        let typeless = envelope(#"<S:Fault><faultstring>x</faultstring><detail><NotAuthenticatedFault xmlns="urn:vim25"/></detail></S:Fault>"#)
        #expect(soapError { try VCenterSOAP.decodeLogout(typeless) } == .fault(VCenterSOAPFault(message: "x", type: "NotAuthenticated")))
        let bare = envelope("<S:Fault><faultcode>S:Client</faultcode><faultstring>bad</faultstring></S:Fault>")
        #expect(soapError { try VCenterSOAP.decodeLogout(bare) } == .fault(VCenterSOAPFault(message: "bad", type: nil)))
    }

    @Test func missingFieldsAreNamed() {
        let noApiType = envelope(
            #"<RetrieveServiceContentResponse xmlns="urn:vim25"><returnval><about><fullName>x</fullName></about>"#
                + #"<sessionManager type="SessionManager">SessionManager</sessionManager></returnval></RetrieveServiceContentResponse>"#)
        #expect(
            soapError { _ = try VCenterSOAP.decodeServiceContent(noApiType) }
                == .malformed("the RetrieveServiceContentResponse has no about.apiType"))
        let noSessionManager = envelope(
            #"<RetrieveServiceContentResponse xmlns="urn:vim25"><returnval><about><fullName>x</fullName>"#
                + #"<apiType>VirtualCenter</apiType></about></returnval></RetrieveServiceContentResponse>"#)
        #expect(
            soapError { _ = try VCenterSOAP.decodeServiceContent(noSessionManager) }
                == .malformed("the RetrieveServiceContentResponse has no sessionManager"))
    }

    @Test func notSOAPAtAll() {
        #expect(soapError { try VCenterSOAP.decodeLogin([]) } == .malformed("the answer is empty"))
        #expect(
            soapError { try VCenterSOAP.decodeLogin(Array("<html><body>Hello</body></html>".utf8)) }
                == .malformed("the root element is <html>, not a SOAP Envelope"))
        if case .malformed(let reason)? = soapError({ try VCenterSOAP.decodeLogin(Array("{\"value\": 1}".utf8)) }) {
            #expect(reason.hasPrefix("not well-formed XML at line 1, column 1: "))
        } else {
            Issue.record("JSON was not refused as malformed")
        }
        #expect(soapError { try VCenterSOAP.decodeLogin(envelope("")) } == .malformed("the SOAP Body is empty"))
        let noBody = Array(#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header/></S:Envelope>"#.utf8)
        #expect(soapError { try VCenterSOAP.decodeLogin(noBody) } == .malformed("the SOAP envelope has no Body"))
        // The response in no namespace is not vSphere's.
        #expect(
            soapError { try VCenterSOAP.decodeLogin(envelope("<LoginResponse/>")) }
                == .malformed("the answer holds <LoginResponse>, not a LoginResponse"))
    }

    @Test func aDTDIsRefused() {
        let hostile = Array(
            (#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>"#
                + #"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body/></S:Envelope>"#).utf8)
        guard case .malformed(let reason)? = soapError({ try VCenterSOAP.decodeLogin(hostile) }) else {
            Issue.record("a DTD was not refused")
            return
        }
        #expect(reason.contains("DTD"))
        // expat places it inside the declaration: at its internal subset's '['.
        #expect(reason.hasSuffix("at line 1, column 34"))
    }
}
