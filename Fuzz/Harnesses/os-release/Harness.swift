import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// /etc/os-release: shell-like assignments with quotes and escapes.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = OSReleaseDecoder.decode(FuzzDriver.text(data, size))
    return 0
}

@_cdecl("fuzz_os_release_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
