import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// A `file:PATH` source: key=value lines, or a JSON object (FoundationEssentials' JSONDecoder).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? KeyValueDecoder.decode(FuzzDriver.bytes(data, size))
    return 0
}

@_cdecl("fuzz_key_value_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
