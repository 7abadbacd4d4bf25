import GuestPrepConfig
import Testing

@Suite struct FwCfgDecoderTests {
    @Test func directory() {
        #expect(FwCfgDecoder.directory == "/sys/firmware/qemu_fw_cfg/by_name/opt/guestprep")
    }

    @Test func fullKeysAreKept() {
        #expect(
            FwCfgDecoder.key(forEntryName: "guestinfo.bitfusion.host.hostname")
                == "guestinfo.bitfusion.host.hostname")
        #expect(
            FwCfgDecoder.key(forEntryName: "guestinfo.guestprep.profile") == "guestinfo.guestprep.profile")
    }

    @Test func shortKeysArePrefixed() {
        #expect(
            FwCfgDecoder.key(forEntryName: "bitfusion.host.net1.ipv4address")
                == "guestinfo.bitfusion.host.net1.ipv4address")
        #expect(FwCfgDecoder.key(forEntryName: "guestprep.instance-id") == "guestinfo.guestprep.instance-id")
    }

    @Test(arguments: [
        "", ".hidden", "..", "a/b", "bitfusion.host/hostname", "/etc", "with space", "tab\tname",
    ])
    func rejectsNamesThatAreNotKeys(_ name: String) {
        #expect(FwCfgDecoder.key(forEntryName: name) == nil)
    }

    @Test func valueStripsOneTrailingNewlineAndTrailingNULs() {
        #expect(FwCfgDecoder.value(Array("bf-server-01".utf8)) == "bf-server-01")
        #expect(FwCfgDecoder.value(Array("bf-server-01\n".utf8)) == "bf-server-01")
        #expect(FwCfgDecoder.value(Array("two\n\n".utf8)) == "two\n")
        #expect(FwCfgDecoder.value(Array("nul".utf8) + [0, 0]) == "nul")
        #expect(FwCfgDecoder.value(Array("both\n".utf8) + [0]) == "both")
        #expect(FwCfgDecoder.value(Array("  spaced  ".utf8)) == "  spaced  ")
        #expect(FwCfgDecoder.value([]) == "")
        #expect(FwCfgDecoder.value([0x0A]) == "")
    }

    @Test func valueIsUTF8() {
        #expect(FwCfgDecoder.value(Array("Grüße".utf8)) == "Grüße")
        #expect(FwCfgDecoder.value([0x61, 0xFF]) == "a\u{FFFD}")
    }
}
