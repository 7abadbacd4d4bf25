import CFuzzer

/// What every harness shares: starting libFuzzer, and the input as bytes or text.
///
/// A harness exports `LLVMFuzzerTestOneInput` (the function libFuzzer calls with each input) and
/// `fuzz_NAME_main`: SwiftPM links an executable with `--defsym main=<module>_main`, so that
/// symbol is the program's entry point, and it hands control to libFuzzer's own driver.
public enum FuzzDriver {
    /// The C type of `LLVMFuzzerTestOneInput`.
    public typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs libFuzzer's driver (corpus, options, crash reports) over `test`, with the process's
    /// arguments. Returns libFuzzer's exit status.
    public static func run(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ test: TestOneInput
    ) -> CInt {
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments, test)
    }

    /// The input as bytes.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// The input as text, invalid UTF-8 repaired as every decoder's caller does.
    public static func text(_ data: UnsafePointer<UInt8>?, _ size: Int) -> String {
        String(decoding: bytes(data, size), as: UTF8.self)
    }
}
