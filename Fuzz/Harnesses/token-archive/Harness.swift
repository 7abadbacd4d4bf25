import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// A Bitfusion client's token archive: TokenArchiveDecoder on the raw bytes (tar, tar.gz or zip
// through libarchive's reader from memory, then the member checks: PEM, client.yaml,
// servers.conf), and on the same bytes taken as the base64 text of
// guestinfo.guestprep.bitfusion.token-archive (Base64Text, then the same). libarchive is not
// instrumented (dlopen'd from the system): coverage guides through our side.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzDriver.bytes(data, size)
    _ = try? TokenArchiveDecoder.decode(bytes)
    _ = try? TokenArchiveDecoder.decode(base64: String(decoding: bytes, as: UTF8.self))
    return 0
}

@_cdecl("fuzz_token_archive_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
