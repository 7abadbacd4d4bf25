import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// The GPU catalog (profiles/catalog/gpus.yaml): libyaml through YAMLReader, then
// GPUCatalogDecoder's checks of entries, BAR layouts and uniqueness.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? GPUCatalogDecoder.decode(FuzzDriver.text(data, size), source: "gpus.yaml")
    return 0
}

@_cdecl("fuzz_gpu_catalog_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
