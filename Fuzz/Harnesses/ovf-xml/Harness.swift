import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// The OVF environment (ovf-env.xml, guestinfo.ovfEnv): OVFEnvironmentDecoder over expat
// (ExpatXMLReader), on raw bytes as a file or a CD-ROM gives them.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? OVFEnvironmentDecoder.decode(FuzzDriver.bytes(data, size))
    return 0
}

@_cdecl("fuzz_ovf_xml_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
