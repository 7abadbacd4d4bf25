import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// QEMU fw_cfg: an entry's name (opt/guestprep/KEY) and its raw value.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzDriver.bytes(data, size)
    _ = FwCfgDecoder.key(forEntryName: String(decoding: bytes, as: UTF8.self))
    _ = FwCfgDecoder.value(bytes)
    return 0
}

@_cdecl("fuzz_fwcfg_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
