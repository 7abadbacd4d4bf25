import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// dpkg's database (/var/lib/dpkg/status): DpkgStatusDecoder's stanza and Depends parsing, which
// the Ubuntu driver route reads for the installed kernel meta-package.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = DpkgStatusDecoder.installed(Substring(FuzzDriver.text(data, size)), prefix: "linux-image-")
    _ = DpkgStatusDecoder.installed(Substring(FuzzDriver.text(data, size)), prefix: "")
    return 0
}

@_cdecl("fuzz_dpkg_status_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
