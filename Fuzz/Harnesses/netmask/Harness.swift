import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// A netmask property in every form the appliance accepts: 24, /24, 255.255.255.0, "24 (255.255.255.0)".

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if case .success(let prefix) = NetmaskParser.parse(FuzzDriver.text(data, size)) {
        _ = NetmaskParser.dotted(prefix)
    }
    return 0
}

@_cdecl("fuzz_netmask_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
