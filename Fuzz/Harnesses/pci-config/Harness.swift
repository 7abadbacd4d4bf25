import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// A PCI function's config space (sysfs `config`): the header and the BARs it declares.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let config = FuzzDriver.bytes(data, size)
    _ = PCIResourceDecoder.header(config: config)
    _ = PCIResourceDecoder.declaredBARs(config: config)
    return 0
}

@_cdecl("fuzz_pci_config_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
