import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// A vCenter Server's SOAP answers (what a Bitfusion server's enrollment check reads back over
// HTTPS): VCenterSOAP's three answer decoders over expat (ExpatXMLReader), each on the input.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let answer = FuzzDriver.bytes(data, size)
    _ = try? VCenterSOAP.decodeServiceContent(answer)
    _ = try? VCenterSOAP.decodeLogin(answer)
    _ = try? VCenterSOAP.decodeLogout(answer)
    return 0
}

@_cdecl("fuzz_vcenter_soap_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
