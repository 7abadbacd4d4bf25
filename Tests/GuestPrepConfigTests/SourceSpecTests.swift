import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct SourceSpecTests {
    @Test func parsesEveryForm() throws {
        #expect(try SourceSpec.parse("auto") == .auto)
        #expect(try SourceSpec.parse("vmware") == .vmware)
        #expect(try SourceSpec.parse("fwcfg") == .fwcfg)
        #expect(try SourceSpec.parse("ovf:/dev/sr0") == .ovf(path: "/dev/sr0"))
        #expect(try SourceSpec.parse("file:a:b.env") == .file(path: "a:b.env"))
        #expect(try SourceSpec.parse("kvp") == .kvp(directory: nil))
        #expect(try SourceSpec.parse("kvp:/tmp/pool") == .kvp(directory: "/tmp/pool"))
    }

    @Test(arguments: ["ovf", "ovf:", "file:", "vmware:x", "cloud", "auto:1"])
    func rejectsBadForms(_ text: String) {
        #expect(throws: GuestPrepError.self) { try SourceSpec.parse(text) }
    }
}
