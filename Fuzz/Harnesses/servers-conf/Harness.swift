import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// A Bitfusion client's servers.conf, from a token archive: YAML (libyaml through YAMLReader) or
// the older line format, as ServersConfDecoder tells them apart.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? ServersConfDecoder.decode(FuzzDriver.text(data, size))
    return 0
}

@_cdecl("fuzz_servers_conf_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
