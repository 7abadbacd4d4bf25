import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// The kernel log (/dev/kmsg records or dmesg text) searched for BAR, NVRM, probe and hv_pci lines,
// and for the NVIDIA driver's Xid records.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzDriver.text(data, size)
    _ = KernelLogDecoder.events(in: text)
    _ = KernelLogDecoder.xids(in: text)
    return 0
}

@_cdecl("fuzz_kernel_log_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
