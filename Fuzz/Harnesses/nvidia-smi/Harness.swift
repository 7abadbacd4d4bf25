import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// nvidia-smi --query-gpu's CSV, read when NVML cannot be loaded.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzDriver.text(data, size)
    _ = NvidiaSMIDecoder.decode(text)
    _ = NvidiaSMIDecoder.normalizedAddress(text)
    return 0
}

@_cdecl("fuzz_nvidia_smi_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
