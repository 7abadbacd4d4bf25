import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// Validation of every property: each input line 'N=value' sets the Nth known key (modulo their count).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let keys = PropertyKeys.all
    var properties: [Property] = []
    for line in FuzzDriver.text(data, size).split(separator: "\n", omittingEmptySubsequences: false) {
        guard let equals = line.firstIndex(of: "="), let number = Int(line[..<equals]) else { continue }
        let key = keys[Int(number.magnitude % UInt(keys.count))]
        properties.append(Property(key: key, value: String(line[line.index(after: equals)...]), source: "fuzz"))
    }
    _ = SpecValidator.validate(PropertySet(properties), localProfiles: ["site"])
    return 0
}

@_cdecl("fuzz_properties_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
