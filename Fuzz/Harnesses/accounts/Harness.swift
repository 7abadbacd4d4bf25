import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// /etc/passwd and /etc/group, as read to find the Bitfusion users' homes and groups.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzDriver.text(data, size)
    _ = AccountFileDecoder.users(text)
    _ = AccountFileDecoder.groups(text)
    return 0
}

@_cdecl("fuzz_accounts_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
