#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Base64 (RFC 4648, standard alphabet, padded) through FoundationEssentials' `Data`, which
/// is linked anyway: the one base64 of guestprep. The text may be wrapped: white space and
/// line breaks (`base64` without `-w0`, a PEM body) are removed first, since
/// `Data(base64Encoded:)` refuses them and its `.ignoreUnknownCharacters` would accept any
/// garbage.
public enum Base64Text {
    /// The bytes `text` encodes, or nil when it is not base64 once white space is removed.
    public static func decode(_ text: some Sequence<UInt8>) -> [UInt8]? {
        let compact = text.filter { !isWhiteSpace($0) }
        return Data(base64Encoded: Data(compact)).map { [UInt8]($0) }
    }

    /// The bytes `text` encodes, or nil when it is not base64 once white space is removed.
    public static func decode(_ text: String) -> [UInt8]? { decode(text.utf8) }

    /// `bytes` in base64, padded, on one line.
    public static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// Space, tab, line feed, vertical tab, form feed, carriage return.
    static func isWhiteSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}
