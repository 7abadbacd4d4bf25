import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// The driver routes (profiles/catalog/driver-routes.yaml): libyaml through YAMLReader, then
// DriverRouteCatalogDecoder's checks of fields, methods and placeholders.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if let routes = try? DriverRouteCatalogDecoder.decode(FuzzDriver.text(data, size), source: "driver-routes.yaml") {
        for route in routes {
            _ = route.serves(versionID: "10.1")
            for template in route.packages.values.joined() {
                _ = DriverRouteTemplate.expand(template, ["branch": "580", "kernel": "6.8.0-45-generic"])
            }
        }
    }
    return 0
}

@_cdecl("fuzz_driver_routes_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
