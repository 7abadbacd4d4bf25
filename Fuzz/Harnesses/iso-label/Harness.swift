import FuzzSupport
import GuestPrepConfig

// The volume label of a medium in an optical drive: ISOVolumeLabel over the bytes `auto` reads
// from sector 16 of every CD-ROM it finds (the volume descriptor set), before it trusts a drive
// as the OVF environment's.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = ISOVolumeLabel.label(descriptors: FuzzDriver.bytes(data, size))
    return 0
}

@_cdecl("fuzz_iso_label_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
