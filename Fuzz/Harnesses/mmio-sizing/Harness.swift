import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// The arithmetic on BAR sizes from sysfs: up to 32 NVIDIA functions, each a `resource` file,
// separated by lines of `--`. Each function's BARs are decoded, its unassigned ones declared
// (sized by a figure taken from the input, as the catalog would size them), and the 64-bit
// MMIO sizing computed and described: sums, GiB ceilings, powers of two, byte counts as text.

private let hexDigits = Array("0123456789abcdef")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzDriver.text(data, size)
    var devices: [NVIDIADevice] = []
    for (index, chunk) in text.split(separator: "\n--\n", omittingEmptySubsequences: false).prefix(32).enumerated() {
        let bars = PCIResourceDecoder.bars(fromResource: String(chunk))
        // An unassigned BAR (kept by the kernel with IORESOURCE_UNSET) is declared 64-bit, so
        // that the sizing asks the catalog for it.
        let declared = bars.filter { !$0.isAssigned }.map {
            DeclaredBAR(index: $0.index, isMemory: true, is64Bit: true, isPrefetchable: true, address: 0)
        }
        guard let address = PCIAddress("0000:\(hexDigits[index >> 4])\(hexDigits[index & 15]):00.0") else { continue }
        devices.append(
            NVIDIADevice(address: address, deviceID: 0x20f1, classCode: 0x030200, bars: bars, declaredBARs: declared))
    }
    let sizing = MMIOSizing.compute(
        devices: devices,
        catalogSize: { device, bar in device.bars.first { $0.index == bar }.map { $0.end } },
        memoryGiB: { device in device.bars.first.map { Int(truncatingIfNeeded: $0.start) } })
    for term in sizing.terms { _ = MMIOSizing.describe(bytes: term.bytes) }
    _ = MMIOSizing.describe(bytes: sizing.totalBytes)
    _ = MMIOSizing.powerOfTwo(atLeast: sizing.totalBytes)
    _ = sizing.recommendedGB
    return 0
}

@_cdecl("fuzz_mmio_sizing_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
