import GuestPrepModel

/// Parses a netmask property into a prefix length. Accepted forms: a CIDR prefix (`24`),
/// the same with a slash (`/24`), a dotted mask (`255.255.255.0`), and the Bitfusion
/// appliance's drop-down form `24 (255.255.255.0)`, whose two halves must agree.
public enum NetmaskParser {
    /// The prefix lengths a NIC may have.
    public static let prefixRange = 1...32

    /// Why a netmask was rejected. The description is a predicate for the quoted input
    /// (`'24 (255.255.0.0)' has halves that disagree: ...`): it says what is wrong and what is
    /// allowed without repeating the input, so the caller decides how to show it.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The text is in none of the accepted forms.
        case notANetmask
        /// The text looks like an IPv6 prefix or mask.
        case ipv6
        /// A prefix length outside 1...32 (a dotted `0.0.0.0` gives 0).
        case prefixOutOfRange(Int)
        /// A dotted mask whose one bits are not contiguous from the left.
        case nonContiguous(IPv4Address)
        /// The drop-down form's prefix and dotted mask name different masks.
        case halvesDisagree(prefix: Int, mask: IPv4Address)

        /// What is wrong and what is allowed, in words.
        public var description: String {
            switch self {
            case .notANetmask:
                "is not a netmask: use a prefix length (24 or /24), a dotted mask (255.255.255.0) or the form 24 (255.255.255.0)"
            case .ipv6:
                "is IPv6: IPv6 is not supported; give an IPv4 netmask such as 24 or 255.255.255.0"
            case .prefixOutOfRange(let prefix):
                "gives prefix length \(prefix): the prefix length must be from 1 to 32"
            case .nonContiguous(let mask):
                "is not a contiguous netmask: \(mask) has one bits after zero bits, and a netmask's one bits must all come first (like 255.255.240.0)"
            case .halvesDisagree(let prefix, let mask):
                "has halves that disagree: /\(prefix) is \(NetmaskParser.dotted(prefix)), not \(mask)"
            }
        }
    }

    /// The prefix length `text` gives, or why it gives none. Surrounding whitespace is ignored.
    public static func parse(_ text: String) -> Result<Int, Failure> {
        let trimmed = Trimming.trim(text)
        if trimmed.contains(":") { return .failure(.ipv6) }
        if let open = trimmed.firstIndex(of: "("), trimmed.last == ")" {
            let prefixText = Trimming.trim(String(trimmed[..<open]))
            let maskText = Trimming.trim(String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]))
            guard let prefix = prefixLength(prefixText), let mask = IPv4Address(maskText) else {
                return .failure(.notANetmask)
            }
            guard prefixRange.contains(prefix) else { return .failure(.prefixOutOfRange(prefix)) }
            let maskPrefix = contiguousPrefix(mask)
            guard let maskPrefix else { return .failure(.nonContiguous(mask)) }
            guard maskPrefix == prefix else { return .failure(.halvesDisagree(prefix: prefix, mask: mask)) }
            return .success(prefix)
        }
        if let prefix = prefixLength(trimmed) {
            return prefixRange.contains(prefix) ? .success(prefix) : .failure(.prefixOutOfRange(prefix))
        }
        if let mask = IPv4Address(trimmed) {
            guard let prefix = contiguousPrefix(mask) else { return .failure(.nonContiguous(mask)) }
            return prefixRange.contains(prefix) ? .success(prefix) : .failure(.prefixOutOfRange(prefix))
        }
        return .failure(.notANetmask)
    }

    /// The dotted form of a prefix length 0...32.
    public static func dotted(_ prefix: Int) -> IPv4Address {
        precondition((0...32).contains(prefix), "prefix length out of range")
        return IPv4Address(prefix == 0 ? 0 : UInt32.max << (32 - UInt32(prefix)))
    }

    /// `24` or `/24`: one or two decimal digits, optionally after a slash.
    private static func prefixLength(_ text: String) -> Int? {
        let digits = text.hasPrefix("/") ? text.dropFirst() : Substring(text)
        guard (1...2).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        return Int(digits)
    }

    /// The prefix length of a contiguous mask, or nil when its bits are not contiguous.
    private static func contiguousPrefix(_ mask: IPv4Address) -> Int? {
        let inverted = ~mask.value
        // A contiguous mask's inverse is 0...01...1, so adding one clears every bit it had.
        guard inverted & (inverted &+ 1) == 0 else { return nil }
        return mask.value.nonzeroBitCount
    }
}
