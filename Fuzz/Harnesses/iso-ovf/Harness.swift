import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// An OVF environment CD-ROM or ISO image: OVFEnvironmentImage over libarchive's ISO 9660 reader
// (ArchiveReader, through its read-at callbacks, as OVFProvider reads a device), then the
// document it finds through OVFEnvironmentDecoder. libarchive is not instrumented (dlopen'd
// from the system), so coverage guides only through our side: the callbacks, the limits, the
// entry checks and the document search.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let image = FuzzDriver.bytes(data, size)
    let document = try? OVFEnvironmentImage.document(source: "ovf:fuzz.iso") { offset, length in
        guard offset < UInt64(image.count) else { return [] }
        let start = Int(offset)
        return Array(image[start..<min(start + length, image.count)])
    }
    if let document { _ = try? OVFEnvironmentDecoder.decode(document) }
    return 0
}

@_cdecl("fuzz_iso_ovf_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
