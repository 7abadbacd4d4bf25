import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// A PCI function's sysfs `resource` file: one 'start end flags' line per BAR.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bars = PCIResourceDecoder.bars(fromResource: FuzzDriver.text(data, size))
    for bar in bars { _ = bar.size }
    return 0
}

@_cdecl("fuzz_pci_resource_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
