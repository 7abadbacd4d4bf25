import FuzzSupport
import GuestPrepConfig
import GuestPrepModel

// SecretScrubber over a file's text, as the support bundle scrubs files a user or the journal
// fills (a client.yaml, a journal line, a network file): the first line is a secret known
// beforehand, the rest the text; both the scrubbing and the search for secret values run.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzDriver.text(data, size)
    let parts = input.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    let secret = parts.first.map(String.init) ?? ""
    let text = parts.count > 1 ? String(parts[1]) : ""
    _ = SecretScrubber.scrub(text: text, secrets: [secret])
    _ = SecretScrubber.secretValues(in: text)
    return 0
}

@_cdecl("fuzz_secret_scrubber_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOne)
}
