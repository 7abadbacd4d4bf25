import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// A modprobe.d file: blacklist, options, install and alias directives, as kmod reads them.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = ModprobeConfigDecoder.directives(FuzzDriver.text(data, size))
    return 0
}

@_cdecl("fuzz_modprobe_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
