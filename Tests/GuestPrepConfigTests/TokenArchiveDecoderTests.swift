import Foundation
import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct TokenArchiveDecoderTests {
    /// The credential in every fixture's client.yaml; no message may show it.
    private static let credential = "SECRET-CLIENT-TOKEN-7f3a9c1e2b"
    private static let again = "download the client's token archive again from the vSphere Bitfusion plugin"
    private static let source = "the Bitfusion token archive"
    private static let unrecognized = ArchiveError(source: source, .unrecognizedFormat(insideGzip: false))

    private static let pem = """
        -----BEGIN CERTIFICATE-----
        MIIBpDCCAUmgAwIBAgIUeQP85ixewx2d4rOfKo/fZKV6cVQwCgYIKoZIzj0EAwIw
        JjEkMCIGA1UEAwwbZ3Vlc3RwcmVwIHRlc3QgQml0ZnVzaW9uIENBMCAXDTI2MTEy
        MTE0MzgwNloYDzIxMjYxMDI4MTQzODA2WjAmMSQwIgYDVQQDDBtndWVzdHByZXAg
        dGVzdCBCaXRmdXNpb24gQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATkI1rC
        OFV4sAcslK2Vvos+BtJQ22UCO8Jbc72l8gWLTdzM4QcchsvawQtGAdkbM0GQ//7g
        qLGy8Vp/sTbTeoKOo1MwUTAdBgNVHQ4EFgQU8IxeTSFqv33THXv5OzobNc1FRIkw
        HwYDVR0jBBgwFoAU8IxeTSFqv33THXv5OzobNc1FRIkwDwYDVR0TAQH/BAUwAwEB
        /zAKBggqhkjOPQQDAgNJADBGAiEAs+KujytJoUh9CPVYpHjgYoeNhvmu09KKsYPT
        NikRXQACIQCFjN3WjYCE3RTdEiekea2zAIRPJJt4/mNQ7r0pkJjo3Q==
        -----END CERTIFICATE-----

        """
    private static let clientYAML = "client:\n  token: \(credential)\n"

    private func fixture(_ name: String) throws -> [UInt8] {
        try FixtureSupport.bytes("bitfusion/\(name)")
    }

    /// A plain tar of the three members, each replaceable.
    private func archive(
        ca: String = pem, client: String = clientYAML, servers: String = "172.31.51.20\n",
        extra: [(String, [UInt8])] = []
    ) -> [UInt8] {
        var builder = TarBuilder()
        builder.add("token/ca.crt", Array(ca.utf8))
        builder.add("token/client.yaml", Array(client.utf8))
        builder.add("token/servers.conf", Array(servers.utf8))
        for (name, data) in extra { builder.add(name, data) }
        return builder.archive
    }

    /// The error decoding `bytes` throws, after checking its message shows no secret and says
    /// what to do.
    private func error(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> TokenArchiveError? {
        do {
            let archive = try TokenArchiveDecoder.decode(bytes)
            Issue.record("expected an error, got \(archive)", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(!error.description.contains(Self.credential), sourceLocation: sourceLocation)
            #expect(error.description.contains(Self.again), sourceLocation: sourceLocation)
            return error
        }
    }

    private func message(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> String {
        error(bytes, sourceLocation: sourceLocation)?.description ?? ""
    }

    // MARK: Formats

    @Test func decodesATarGzWithATopFolder() throws {
        let archive = try TokenArchiveDecoder.decode(try fixture("client-token.tar.gz"))
        #expect(String(decoding: archive.caCertificate, as: UTF8.self) == Self.pem)
        #expect(String(decoding: archive.clientYAML.reveal(), as: UTF8.self).contains(Self.credential))
        #expect(String(decoding: archive.serversConf, as: UTF8.self).hasPrefix("servers:\n"))
        #expect(archive.servers.map(\.description) == ["172.31.51.20:56001", "10.0.0.5:56001", "172.31.51.26:56003"])
    }

    @Test func decodesAZip() throws {
        let archive = try TokenArchiveDecoder.decode(try fixture("client-token.zip"))
        #expect(archive.servers.map(\.description) == ["172.31.51.20:56001", "172.31.51.26:56003", "172.31.51.42:56003"])
        let stored = try TokenArchiveDecoder.decode(try fixture("client-token-stored.zip"))
        #expect(stored.servers.count == 3)
    }

    @Test func decodesAPlainTar() throws {
        let fromTar = try TokenArchiveDecoder.decode(try fixture("client-token.tar"))
        let fromTarGz = try TokenArchiveDecoder.decode(try fixture("client-token.tar.gz"))
        #expect(fromTar == fromTarGz)
    }

    @Test func decodesBase64() throws {
        let bytes = try fixture("client-token.tar.gz")
        let base64 = Data(bytes).base64EncodedString(options: .lineLength76Characters)
        #expect(base64.contains("\r\n"))
        #expect(try TokenArchiveDecoder.decode(base64: base64) == (try TokenArchiveDecoder.decode(bytes)))
        let wrapped = "  " + Data(bytes).base64EncodedString(options: .lineLength64Characters) + "\n"
        #expect(try TokenArchiveDecoder.decode(base64: wrapped) == (try TokenArchiveDecoder.decode(bytes)))
    }

    @Test func base64ErrorsShowNeitherTheTextNorTheCredential() throws {
        let base64 = Data(try fixture("client-token.tar.gz")).base64EncodedString()
        let bad = String(base64.prefix(100)) + "*" + base64.dropFirst(100)
        do {
            _ = try TokenArchiveDecoder.decode(base64: bad)
            Issue.record("expected an error")
        } catch {
            #expect(error == .base64)
            let message = error.description
            #expect(message.contains("given as base64 but is not base64"))
            #expect(message.contains(Self.again))
            let characters = Array(base64)
            for start in stride(from: 0, to: characters.count - 6, by: 1) {
                #expect(!message.contains(String(characters[start..<(start + 6)])))
            }
        }
        // Base64 of something that is no archive.
        let text = Data("\(Self.credential) is not an archive".utf8).base64EncodedString()
        #expect(throws: TokenArchiveError.archive(Self.unrecognized)) { try TokenArchiveDecoder.decode(base64: text) }
    }

    @Test func rejectsWhatIsNoArchive() {
        #expect(error([]) == .empty)
        #expect(error(Array("\(Self.credential)\n".utf8)) == .archive(Self.unrecognized))
        #expect(message(Array("hello".utf8)).hasPrefix("the Bitfusion token archive is not a tar.gz, zip or tar archive; "))
    }

    @Test func rejectsAGzipThatHoldsNoTar() throws {
        let error = self.error(try fixture("not-tar.gz"))
        #expect(error == .archive(ArchiveError(source: Self.source, .unrecognizedFormat(insideGzip: true))))
        #expect(error?.description.hasPrefix("the Bitfusion token archive: it is gzip-compressed but what it holds is not a tar archive; ") == true)
    }

    @Test func rejectsAnArchiveOverTheLimitUnread() {
        let bytes = [UInt8](repeating: 0x1F, count: InputLimits.tokenArchive + 1)
        #expect(error(bytes) == .tooLarge(limit: 16 << 20))
        #expect(message(bytes).contains("is larger than 16 MiB"))
    }

    // MARK: Corrupt archives

    @Test func rejectsATruncatedArchive() throws {
        let error = self.error(try fixture("truncated.tar.gz"))
        #expect(error == .archive(ArchiveError(source: Self.source, .corrupt("truncated gzip input"))))
        #expect(error?.description.hasPrefix("the Bitfusion token archive: it is damaged: truncated gzip input; ") == true)
    }

    @Test func rejectsABadZipCRC() throws {
        guard case .archive(let archive) = error(try fixture("bad-crc.zip")), case .corrupt(let reason) = archive.problem else {
            Issue.record("expected a damaged archive")
            return
        }
        #expect(reason.contains("ZIP bad CRC"))
    }

    @Test(arguments: [("bomb.zip", "client.yaml"), ("bomb.tar.gz", "ca.crt")])
    func stopsADecompressionBomb(_ name: String, _ member: String) throws {
        let error = self.error(try fixture(name))
        #expect(error == .archive(ArchiveError(source: Self.source, .entryTooLarge(path: member, size: 17 << 20, limit: 1 << 20))))
        #expect(error?.description.contains("more than the 1 MiB an entry may have") == true)
    }

    @Test func stopsAtSixteenMiBTogether() throws {
        let error = self.error(try fixture("bomb-members.tar.gz"))
        #expect(error == .archive(ArchiveError(source: Self.source, .totalTooLarge(limit: 16 << 20))))
        #expect(error?.description.contains("its entries are larger than 16 MiB together") == true)
    }

    @Test func limitsTheNumberOfMembers() throws {
        let many = (0..<1022).map { ("token/\($0)", [UInt8]()) }
        #expect(error(archive(extra: many)) == .archive(ArchiveError(source: Self.source, .tooManyEntries(limit: 1024))))
        #expect(try TokenArchiveDecoder.decode(archive(extra: Array(many.dropLast()))).servers.count == 1)
    }

    @Test(arguments: ["traversal.tar", "absolute.tar"])
    func rejectsAPathOutsideTheArchive(_ name: String) throws {
        let path = name == "traversal.tar" ? "../etc/passwd" : "/etc/passwd"
        let error = self.error(try fixture(name))
        #expect(error == .archive(ArchiveError(source: Self.source, .unsafePath(path))))
        #expect(error?.description.contains("entry '\(path)' lies outside it") == true)
    }

    // MARK: Members

    @Test func refusesALinkNamedClientYAML() throws {
        let symbolic = ArchiveError(source: Self.source, .notARegularFile(path: "client.yaml", kind: .symbolicLink(target: "/etc/shadow")))
        let error = self.error(try fixture("symlink-client.tar.gz"))
        #expect(error == .archive(symbolic))
        #expect(error?.description.contains("entry 'client.yaml' is a symbolic link to '/etc/shadow', not a regular file") == true)
        #expect(self.error(try fixture("symlink.zip")) == .archive(symbolic))
        #expect(
            self.error(try fixture("hardlink.tar"))
                == .archive(ArchiveError(source: Self.source, .notARegularFile(path: "copy.crt", kind: .hardLink(target: "ca.crt")))))
    }

    @Test func namesAMissingMemberAndWhatTheArchiveHolds() throws {
        let error = self.error(try fixture("missing-servers.tar.gz"))
        #expect(error == .missingMembers(names: ["servers.conf"], archiveHolds: ["ca.crt", "client.yaml"]))
        #expect(error?.description.hasPrefix("the Bitfusion token archive has no servers.conf (it holds 'ca.crt', 'client.yaml')") == true)

        var builder = TarBuilder()
        builder.add("readme.txt", Array("hello".utf8))
        builder.add("folder/", type: "5")
        #expect(self.error(builder.archive) == .missingMembers(names: TokenArchiveDecoder.memberNames, archiveHolds: ["readme.txt"]))
        #expect(message(builder.archive).contains("has no ca.crt and client.yaml and servers.conf (it holds 'readme.txt')"))
    }

    @Test func namesBothPathsOfADuplicate() throws {
        let error = self.error(try fixture("two-ca.tar.gz"))
        #expect(error == .duplicateMember(name: "ca.crt", paths: ["a/ca.crt", "b/ca.crt"]))
        #expect(error?.description.contains("holds ca.crt 2 times ('a/ca.crt', 'b/ca.crt')") == true)
    }

    @Test func ignoresOtherMembers() throws {
        let bytes = archive(extra: [("token/README", Array("notes".utf8)), ("token/ca.crt.bak", [1, 2])])
        #expect(try TokenArchiveDecoder.decode(bytes).servers.map(\.description) == ["172.31.51.20:56001"])
    }

    @Test func limitsEachMemberTo1MiB() {
        let bytes = archive(extra: [("token/big.bin", [UInt8](repeating: 0x41, count: (1 << 20) + 1))])
        let error = self.error(bytes)
        #expect(error == .archive(ArchiveError(source: Self.source, .entryTooLarge(path: "token/big.bin", size: (1 << 20) + 1, limit: 1 << 20))))
        #expect(error?.description.contains("entry 'token/big.bin' is 1048577 bytes or more, more than the 1 MiB") == true)
    }

    // MARK: ca.crt

    @Test func requiresAPEMCertificate() {
        #expect(error(archive(ca: "not a certificate\n")) == .invalidCACertificate(
            path: "token/ca.crt", reason: "it holds no -----BEGIN CERTIFICATE----- block"))
        #expect(error(archive(ca: "-----BEGIN CERTIFICATE-----\nMIIB\n")) == .invalidCACertificate(
            path: "token/ca.crt", reason: "certificate 1 (line 1) has no -----END CERTIFICATE----- line"))
        let broken = Self.pem.replacingOccurrences(of: "JjEkMCIG", with: "JjEk!CIG")
        #expect(error(archive(ca: broken)) == .invalidCACertificate(
            path: "token/ca.crt", reason: "certificate 1 (line 1) is not valid base64"))
        let cut = "-----BEGIN CERTIFICATE-----\nMIIBp\n-----END CERTIFICATE-----\n"
        #expect(error(archive(ca: cut)) == .invalidCACertificate(
            path: "token/ca.crt", reason: "certificate 1 (line 1) is not valid base64"))
        let notDER = "-----BEGIN CERTIFICATE-----\nQUJDREVG\n-----END CERTIFICATE-----\n"
        #expect(error(archive(ca: notDER)) == .invalidCACertificate(
            path: "token/ca.crt", reason: "certificate 1 (line 1) is not a DER certificate"))
        // The second of two certificates is checked too.
        #expect(error(archive(ca: Self.pem + "\n" + notDER)) == .invalidCACertificate(
            path: "token/ca.crt", reason: "certificate 2 (line 13) is not a DER certificate"))
        #expect(message(archive(ca: "")).contains("CA certificate 'token/ca.crt' is not a PEM certificate file"))
    }

    @Test func acceptsSeveralCertificatesAndText() throws {
        let bundle = "# test CA\n" + Self.pem + "subject=CN = other\n" + Self.pem
        #expect(try TokenArchiveDecoder.decode(archive(ca: bundle)).caCertificate == Array(bundle.utf8))
    }

    // MARK: client.yaml and servers.conf

    @Test func requiresAClientCredential() {
        #expect(error(archive(client: "")) == .emptyClientYAML(path: "token/client.yaml"))
        #expect(error(archive(client: " \n\t\n")) == .emptyClientYAML(path: "token/client.yaml"))
    }

    @Test func namesTheServersConfLineAtFault() {
        let error = self.error(archive(servers: "172.31.51.20\nfe80::1\n"))
        guard case .invalidServersConf(path: "token/servers.conf", let conf) = error else {
            Issue.record("expected an invalid servers.conf, got \(String(describing: error))")
            return
        }
        #expect(conf.problems.map(\.line) == [2])
        #expect(error?.description.contains("'token/servers.conf' is invalid: line 2: 'fe80::1' is an IPv6 address") == true)
    }

    @Test func requiresAServer() {
        #expect(error(archive(servers: "# none\n")) == .noServers(path: "token/servers.conf"))
        #expect(error(archive(servers: "servers: []\n")) == .noServers(path: "token/servers.conf"))
    }

    // MARK: Secrets

    @Test func noMessageShowsTheCredential() throws {
        // Every failing fixture (the helper checks each message), and the archive's own text.
        for name in [
            "truncated.tar.gz", "missing-servers.tar.gz", "two-ca.tar.gz", "symlink-client.tar.gz", "traversal.tar",
            "bomb.zip", "bomb.tar.gz", "bomb-members.tar.gz", "bad-crc.zip", "not-tar.gz",
        ] {
            _ = error(try fixture(name))
        }
        let archive = try TokenArchiveDecoder.decode(try fixture("client-token.tar.gz"))
        #expect(!"\(archive)".contains(Self.credential))
        #expect(!String(reflecting: archive).contains(Self.credential))
        var dumped = ""
        dump(archive, to: &dumped)
        #expect(!dumped.contains(Self.credential))
        #expect("\(archive.clientYAML)" == "<redacted>")
        #expect(String(reflecting: archive.clientYAML) == "<redacted>")
    }
}
