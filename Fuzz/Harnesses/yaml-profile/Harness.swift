import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// A role profile (/etc/guestprep/profiles/NAME.yaml): libyaml through YAMLReader, then
// ProfileDecoder's checks of fields, steps, driver defaults and health (interval, thresholds).

/// The step ids of the bundled profiles, so that valid profiles get past the step check.
private let knownSteps: Set<String> = [
    "clone-identity", "hostname", "network", "nouveau", "driver-sources", "driver", "persistence", "driver-verify",
    "bitfusion-server-check", "vcenter-verify", "secrets-clear", "health-timer", "bitfusion-package",
    "bitfusion-group", "bitfusion-limits", "bitfusion-client", "bitfusion-client-check",
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? ProfileDecoder.decode(
        FuzzDriver.text(data, size), source: "/etc/guestprep/profiles/fuzz.yaml", knownSteps: knownSteps)
    return 0
}

@_cdecl("fuzz_yaml_profile_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
