import GuestPrepRender
import Testing

@Suite struct HostnameRendererTests {
    @Test func replacesThe127011LineAndKeepsTheRest() {
        let existing = "127.0.0.1\tlocalhost\n127.0.1.1\told-name\n\n# comment\n::1 localhost ip6-localhost\n10.0.0.9 nas\n"
        let rendered = HostnameRenderer.hostsFile(existing: existing, hostname: "bf-server-01")
        #expect(rendered == "127.0.0.1\tlocalhost\n127.0.1.1\tbf-server-01\n\n# comment\n::1 localhost ip6-localhost\n10.0.0.9 nas\n")
    }

    @Test func insertsAfterLoopbackWhenMissing() {
        let rendered = HostnameRenderer.hostsFile(existing: "127.0.0.1 localhost\n::1 localhost\n", hostname: "gpu1")
        #expect(rendered == "127.0.0.1 localhost\n127.0.1.1\tgpu1\n::1 localhost\n")
    }

    @Test func createsAMinimalFileWhenAbsent() {
        #expect(HostnameRenderer.hostsFile(existing: nil, hostname: "gpu1") == "127.0.0.1\tlocalhost\n127.0.1.1\tgpu1\n")
    }

    @Test func dropsDuplicate127011LinesAndIgnoresComments() {
        let existing = "#127.0.1.1 commented\n127.0.0.1 localhost\n127.0.1.1 a\n127.0.1.1 b\n"
        #expect(HostnameRenderer.hostsFile(existing: existing, hostname: "c") == "#127.0.1.1 commented\n127.0.0.1 localhost\n127.0.1.1\tc\n")
    }

    @Test func isAFixedPoint() {
        let once = HostnameRenderer.hostsFile(existing: "127.0.0.1 localhost\n", hostname: "x")
        #expect(HostnameRenderer.hostsFile(existing: once, hostname: "x") == once)
        #expect(HostnameRenderer.hostnameFile("x") == "x\n")
    }
}
