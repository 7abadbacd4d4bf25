import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// Hyper-V KVP pool files (/var/lib/hyperv/.kvp_pool_N): fixed-size records the host writes.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? KVPPoolDecoder.decode(FuzzDriver.bytes(data, size))
    return 0
}

@_cdecl("fuzz_kvp_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
