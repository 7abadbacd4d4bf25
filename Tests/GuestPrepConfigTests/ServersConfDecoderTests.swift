import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct ServersConfDecoderTests {
    private func servers(_ text: String) throws -> [[String]] {
        try ServersConfDecoder.decode(text).servers.map { $0.map(\.description) }
    }

    private func problems(_ text: String) -> [ServersConfError.Problem] {
        do {
            let conf = try ServersConfDecoder.decode(text)
            Issue.record("expected an error, got \(conf)")
            return []
        } catch {
            return error.problems
        }
    }

    /// The one problem `text` has, as "line N: message".
    private func problem(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let found = problems(text)
        #expect(found.count == 1, "\(found)", sourceLocation: sourceLocation)
        return found.first?.description ?? ""
    }

    // MARK: YAML

    @Test func decodesTheYAMLFormat() throws {
        let text = """
            servers:
              - addresses:
                  - 172.31.51.20:56001
                  - 10.0.0.5:56001
              - addresses:
                  - 172.31.51.26:56003

            """
        let conf = try ServersConfDecoder.decode(text)
        #expect(conf.format == .yaml)
        #expect(conf.servers.map { $0.map(\.description) } == [
            ["172.31.51.20:56001", "10.0.0.5:56001"], ["172.31.51.26:56003"],
        ])
        #expect(conf.servers[0][0] == BitfusionServerAddress(address: IPv4Address("172.31.51.20")!, port: 56001))
        #expect(conf.addresses.count == 3)
    }

    @Test func yamlToleratesUnknownServerKeysAndDefaultsThePort() throws {
        let text = """
            # written by Bitfusion
            servers:
            - name: gpu-1   # a later version's field
              addresses: [172.31.51.20, "172.31.51.21:56002"]
            """
        #expect(try servers(text) == [["172.31.51.20:56001", "172.31.51.21:56002"]])
        #expect(try ServersConfDecoder.decode("servers:\n").servers.isEmpty)
        #expect(try ServersConfDecoder.decode("servers: []\r\n").format == .yaml)
    }

    @Test func yamlRejectsUnknownTopLevelKeys() {
        let text = "servers:\n  - addresses: [172.31.51.20:56001]\nserver_list: []\n"
        #expect(problem(text) == "line 3: unknown key 'server_list': servers.conf has only the key 'servers'")
    }

    @Test func yamlNamesTheLineOfAServerWithoutAddresses() {
        let text = """
            servers:
              - addresses:
                  - 172.31.51.20:56001
              - name: gpu-2
              - addresses: []
              - addresses:
              - 172.31.51.30:56001
            """
        #expect(problems(text).map(\.description) == [
            "line 4: server 2 has no addresses: give its 'addresses' list",
            "line 5: server 3 has an empty addresses list: give at least one IP:PORT",
            "line 6: server 4 has an empty addresses list: give at least one IP:PORT",
            "line 7: server 5 must be a mapping with the key 'addresses', not the string '172.31.51.30:56001'",
        ])
    }

    @Test func yamlRejectsIPv6HostNamesAndBadPortsOnTheirLines() {
        let text = """
            servers:
              - addresses:
                  - 172.31.51.20:56001
                  - "[fe80::1]:56001"
                  - bf-server-2.lab:56001
              - addresses:
                  - 172.31.51.26:0
                  - 172.31.51.27:65536
                  - 56001
            """
        let found = problems(text).map(\.description)
        #expect(found == [
            "line 4: '[fe80::1]:56001' is an IPv6 address: Bitfusion supports IPv4 addresses only",
            "line 5: 'bf-server-2.lab' is a host name: Bitfusion supports IPv4 addresses only; give the server's IPv4 address",
            "line 7: the port 0 of 172.31.51.26 is out of range: a port is 1 to 65535",
            "line 8: the port 65536 of 172.31.51.27 is out of range: a port is 1 to 65535",
            "line 9: an address must be IP:PORT (such as 172.31.51.20:56001), not the value '56001'",
        ])
    }

    @Test func yamlRejectsWrongShapes() {
        #expect(problem("servers: 172.31.51.20\n") == "line 1: servers must be a list of servers, each with its addresses, not the string '172.31.51.20'")
        #expect(problem("servers:\n  - addresses: 172.31.51.20:56001\n") == "line 2: the addresses of server 1 must be a list of IP:PORT, not the string '172.31.51.20:56001'")
        #expect(problem("servers:\n  - addresses:\n    - 172.31.51.20 56001\n") == "line 3: '172.31.51.20 56001' is not IP:PORT: write an address as IP:PORT, such as 172.31.51.20:56001")
    }

    @Test func yamlSyntaxErrorsNameTheirLine() {
        let message = problem("servers:\n  - addresses:\n      - [172.31.51.20:56001\n")
        #expect(message == "line 4: invalid YAML at column 1: did not find expected ',' or ']' (while parsing a flow sequence on line 3, column 9)")
        #expect(problem("servers:\n  - addresses: &a\n") == "line 2: invalid YAML at column 16: anchors ('&name') are not supported")
    }

    // MARK: Lines

    @Test func decodesTheLineFormat() throws {
        let text = "172.31.51.20\n172.31.51.26:56003\n172.31.51.42 56003\n"
        let conf = try ServersConfDecoder.decode(text)
        #expect(conf.format == .lines)
        #expect(conf.servers.map { $0.map(\.description) } == [
            ["172.31.51.20:56001"], ["172.31.51.26:56003"], ["172.31.51.42:56003"],
        ])
        #expect(conf.servers.allSatisfy { $0.count == 1 })
    }

    @Test func linesSkipBlankLinesAndComments() throws {
        let text = "# servers\r\n\r\n  172.31.51.20  \r\n\t172.31.51.26\t56003 # gpu-2\r\n#172.31.51.99\n\n"
        #expect(try servers(text) == [["172.31.51.20:56001"], ["172.31.51.26:56003"]])
        #expect(try servers("").isEmpty)
        #expect(try servers("# none yet\n").isEmpty)
    }

    @Test func linesRejectIPv6NamingTheLine() {
        let text = "172.31.51.20\n\nfe80::1\n2001:db8::5 56001\n[2001:db8::5]:56001\n"
        #expect(problems(text).map(\.description) == [
            "line 3: 'fe80::1' is an IPv6 address: Bitfusion supports IPv4 addresses only",
            "line 4: '2001:db8::5' is an IPv6 address: Bitfusion supports IPv4 addresses only",
            "line 5: '[2001:db8::5]:56001' is an IPv6 address: Bitfusion supports IPv4 addresses only",
        ])
    }

    @Test func linesRejectPortsOutOfRange() throws {
        #expect(problem("172.31.51.20:0\n") == "line 1: the port 0 of 172.31.51.20 is out of range: a port is 1 to 65535")
        #expect(problem("# x\n172.31.51.20 65536\n") == "line 2: the port 65536 of 172.31.51.20 is out of range: a port is 1 to 65535")
        #expect(problem("172.31.51.20:99999999999999999999999\n").contains("is out of range"))
        #expect(problem("172.31.51.20:abc\n") == "line 1: the port 'abc' of 172.31.51.20 is not a number: a port is 1 to 65535")
        #expect(problem("172.31.51.20:\n") == "line 1: the port '' of 172.31.51.20 is not a number: a port is 1 to 65535")
        #expect(problem("172.31.51.20 -1\n").contains("'-1'"))
        #expect(try servers("172.31.51.20:1\n172.31.51.20 65535\n") == [["172.31.51.20:1"], ["172.31.51.20:65535"]])
    }

    @Test func linesRejectExtraFields() {
        #expect(problem("172.31.51.20 56001 extra\n") == "line 1: '172.31.51.20 56001 extra' has 3 fields: a line gives one server as IP, IP:PORT or IP PORT")
        #expect(problem("\n172.31.51.20:56001 56002\n") == "line 2: '172.31.51.20:56001 56002' has a field after IP:PORT: a line gives one server as IP, IP:PORT or IP PORT")
    }

    @Test func linesRejectHostNamesAndBadAddresses() {
        #expect(problem("bf-server-1\n") == "line 1: 'bf-server-1' is a host name: Bitfusion supports IPv4 addresses only; give the server's IPv4 address")
        #expect(problem("172.31.51.256\n") == "line 1: '172.31.51.256' is not an IPv4 address: use four decimal numbers 0–255 separated by dots, such as 172.31.51.20")
        #expect(problem("server:\n").contains("a YAML servers.conf starts with the key 'servers:'"))
    }

    @Test func reportsEveryProblemInLineOrder() {
        let found = problems("172.31.51.20:0\n172.31.51.21\nfe80::1\n1.2.3.4 5 6\n")
        #expect(found.map(\.line) == [1, 3, 4])
        let error = ServersConfError(problems: found)
        #expect(error.description.hasPrefix("line 1: the port 0 of 172.31.51.20 is out of range: a port is 1 to 65535; line 3: "))
    }

    @Test func detectsYAMLByATopLevelServersKey() throws {
        #expect(try ServersConfDecoder.decode("servers: # list\n  - addresses: [1.2.3.4:5]\n").format == .yaml)
        #expect(problem("  servers:\n").contains("'servers:' is not a server address"))
        #expect(problem("serversX: 1\n").contains("'serversX: 1' has a field after IP:PORT"))
    }
}
