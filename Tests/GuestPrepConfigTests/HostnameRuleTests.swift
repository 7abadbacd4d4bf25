import GuestPrepConfig
import Testing

@Suite struct HostnameRuleTests {
    @Test(arguments: ["gpu-server-01", "A1", "x", "bitfusion", "0abc", "a-b-c", String(repeating: "h", count: 63)])
    func validHostnames(_ name: String) {
        #expect(HostnameRule.hostnameProblems(name).isEmpty)
    }

    @Test(arguments: [
        ("-host", "starts with '-'"),
        ("host-", "RFC 1123"),
        ("host.example.com", "'.': only letters A–Z, a–z, digits 0–9 and '-' are allowed"),
        ("my host", "' '"),
        ("host_1", "'_'"),
        ("hóst", "'\\u{F3}'"),
        (String(repeating: "h", count: 64), "64 characters long: at most 63"),
        ("", "is empty"),
    ])
    func invalidHostnames(_ name: String, _ fragment: String) {
        let problems = HostnameRule.hostnameProblems(name)
        #expect(problems.contains { $0.contains(fragment) }, "\(problems)")
    }

    @Test(arguments: [
        "example.com", "corp.example.com", "a", "x-1.y-2.z", "123.example.com",
        String(repeating: "a", count: 63) + ".com",
        // 4 labels of 63 and a 1-character one: exactly 253.
        Array(repeating: String(repeating: "a", count: 61), count: 4).joined(separator: ".") + ".abcd",
    ])
    func validDNSNames(_ name: String) {
        #expect(name.count <= 253)
        #expect(HostnameRule.dnsNameProblems(name).isEmpty, "\(HostnameRule.dnsNameProblems(name))")
    }

    @Test(arguments: [
        ("-bad.example.com", "label '-bad' starts with '-'"),
        ("bad-.example.com", "label 'bad-' ends with '-', which RFC 1123"),
        ("exa_mple.com", "'_'"),
        ("a..b", "empty label"),
        ("example.com.", "empty label"),
        (".example.com", "empty label"),
        (String(repeating: "a", count: 64) + ".com", "64 characters long: at most 63 are allowed per label"),
        (Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: "."), "255 characters long: at most 253"),
        ("", "is empty"),
    ])
    func invalidDNSNames(_ name: String, _ fragment: String) {
        let problems = HostnameRule.dnsNameProblems(name)
        #expect(problems.contains { $0.contains(fragment) }, "\(problems)")
    }
}
