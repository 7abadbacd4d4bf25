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
}
