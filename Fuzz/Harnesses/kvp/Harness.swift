import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// Hyper-V KVP pool files (/var/lib/hyperv/.kvp_pool_N): fixed-size records the host writes,
// and pool 1 as guestprep rewrites it (its own records replaced, every other one kept).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzDriver.bytes(data, size)
    _ = try? KVPPoolDecoder.decode(bytes)
    _ = try? KVPPoolEncoder.replacing(
        ["guestinfo.guestprep.status", "guestinfo.guestprep.ready"], with: [("guestinfo.guestprep.ready", "true")], in: bytes)
    return 0
}

@_cdecl("fuzz_kvp_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
