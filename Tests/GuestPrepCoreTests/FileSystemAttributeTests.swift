import GuestPrepCore
import GuestPrepTesting
import Testing

@Suite struct FileSystemAttributeTests {
    @Test func attributeIsTheTrimmedFirstLine() {
        let fs = InMemoryFileSystem(["/sys/class/dmi/id/sys_vendor": "VMware, Inc. \n", "/empty": "\n"])
        #expect(fs.attribute("/sys/class/dmi/id/sys_vendor") == "VMware, Inc.")
        #expect(fs.attribute("/empty") == nil)
        #expect(fs.attribute("/missing") == nil)
    }

    @Test func onlyTheFirstLineCountsAndSpacesTabsAndCarriageReturnsAreTrimmed() {
        let fs = InMemoryFileSystem([
            "/crlf": "0x10de\r\nsecond\n", "/blanks": " \t 14 \t\r", "/blank-first-line": " \t\nnot this\n",
            "/inner": "a b\tc\n", "/utf8": "Micro\u{015B}oft\n",
        ])
        #expect(fs.attribute("/crlf") == "0x10de")
        #expect(fs.attribute("/blanks") == "14")
        #expect(fs.attribute("/blank-first-line") == nil)
        #expect(fs.attribute("/inner") == "a b\tc")
        #expect(fs.attribute("/utf8") == "Micro\u{015B}oft")
    }
}
