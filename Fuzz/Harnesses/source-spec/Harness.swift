import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// A --source argument (auto, vmware, ovf:PATH, kvp[:DIR], fwcfg, file:PATH).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? SourceSpec.parse(FuzzDriver.text(data, size))
    return 0
}

@_cdecl("fuzz_source_spec_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
