import GuestPrepModel

/// Finds the kernel log lines about NVIDIA devices' BARs and driver probes, in the text of
/// /dev/kmsg records (`6,339,5140900,-;message` with ` KEY=value` continuation lines),
/// `dmesg` output (`[    1.234567] message`), journal lines (`… kernel: message`) or bare
/// messages. Pure: the caller reads the log.
public enum KernelLogDecoder {
    /// The events in `text`, in log order, each distinct message once (a log read from two
    /// sources, or a ring buffer that repeats, lists a line twice).
    public static func events(in text: String) -> [KernelLogEvent] {
        var events: [KernelLogEvent] = []
        var seen: Set<String> = []
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let message = self.message(of: Substring(rawLine)) else { continue }
            // Per device: NVRM's "device is invalid:" line is the same words for every GPU.
            for event in recordEvents(message) where seen.insert((event.device?.description ?? "") + "|" + event.message).inserted {
                events.append(event)
            }
        }
        return events
    }

    /// The events of one record. kmsg escapes a newline inside a message as `\x0a`, and NVRM
    /// prints two lines at once (`…device is invalid:\x0aNVRM: BAR1 is 0M @ 0x0 (PCI:…)`): each
    /// part is read on its own, and a part that names no device takes the record's.
    static func recordEvents(_ message: Substring) -> [KernelLogEvent] {
        guard TextSearch.firstRange(of: "\\x0a", in: message) != nil else { return event(message).map { [$0] } ?? [] }
        var parts: [Substring] = []
        var rest = message
        while let escape = TextSearch.firstRange(of: "\\x0a", in: rest) {
            parts.append(rest[..<escape.lowerBound])
            rest = rest[escape.upperBound...]
        }
        parts.append(rest)
        var events = parts.compactMap { event($0) }
        if let device = events.lazy.compactMap(\.device).first {
            for index in events.indices where events[index].device == nil { events[index].device = device }
        }
        return events
    }

    /// The message part of a log line; nil for a kmsg continuation line.
    static func message(of line: Substring) -> Substring? {
        guard let first = line.utf8.first else { return nil }
        if first == UInt8(ascii: " ") { return nil }
        if first == UInt8(ascii: "["), let close = line.firstIndex(of: "]") {
            return trimmed(line[line.index(after: close)...])
        }
        // kmsg: PRIORITY,SEQUENCE,TIMESTAMP,FLAGS;MESSAGE, with digits before the first comma.
        if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first), let semicolon = line.firstIndex(of: ";"),
            line[..<semicolon].utf8.allSatisfy({ $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "-")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) })
        {
            return line[line.index(after: semicolon)...]
        }
        if let range = TextSearch.firstRange(of: " kernel: ", in: line) { return line[range.upperBound...] }
        return line
    }

    static func event(_ message: Substring) -> KernelLogEvent? {
        func has(_ text: String) -> Bool { TextSearch.firstRange(of: text, in: message) != nil }
        let text = String(message)
        if has("NVRM:") {
            if has("This PCI I/O region assigned to your NVIDIA device is invalid") {
                return KernelLogEvent(kind: .nvrmInvalidRegion, device: nvrmDevice(message), bar: nil, message: text)
            }
            if let found = TextSearch.firstRange(of: "NVRM: BAR", in: message), has(" is 0M") {
                let digits = message[found.upperBound...].prefix { $0.isASCII && $0.isNumber }
                return KernelLogEvent(kind: .nvrmBARZero, device: nvrmDevice(message), bar: Int(digits), message: text)
            }
            if has("probe routine failed") || has("probe routine was not called") {
                return KernelLogEvent(kind: .probeFailed, device: nvrmDevice(message), bar: nil, message: text)
            }
            return nil
        }
        if has(" MMIO space. Consider reconfiguring the VM"), let need = TextSearch.firstRange(of: "Need 0x", in: message) {
            let digits = message[need.upperBound...].prefix { $0.isHexDigit }
            let kind: KernelLogEvent.Kind = has(" of low MMIO space") ? .hypervLowMMIOShort : .hypervHighMMIOShort
            return KernelLogEvent(kind: kind, device: nil, bar: nil, bytes: UInt64(digits, radix: 16), message: text)
        }
        if has("BAR "), has("no space") {
            return KernelLogEvent(kind: .barNoSpace, device: leadingDevice(message), bar: barNumber(message), message: text)
        }
        if has("BAR "), has("failed to assign") {
            return KernelLogEvent(
                kind: .barFailedToAssign, device: leadingDevice(message), bar: barNumber(message), message: text)
        }
        if let probe = TextSearch.firstRange(of: ": probe of ", in: message), has(" failed with error ") {
            let rest = message[probe.upperBound...]
            let address = rest.prefix { $0 != " " }
            return KernelLogEvent(kind: .probeFailed, device: PCIAddress(address), bar: nil, message: text)
        }
        if has(": probe with driver "), has(" failed with error ") {
            return KernelLogEvent(kind: .probeFailed, device: leadingDevice(message), bar: nil, message: text)
        }
        return nil
    }

    /// `pci 0000:0b:00.0: …` or `nvidia 0000:0b:00.0: …` → the address.
    static func leadingDevice(_ message: Substring) -> PCIAddress? {
        for word in message.split(separator: " ", maxSplits: 3).prefix(3) where word.hasSuffix(":") {
            if let address = PCIAddress(word.dropLast()) { return address }
        }
        return nil
    }

    /// `(PCI:0000:0b:00.0)` → the address.
    static func nvrmDevice(_ message: Substring) -> PCIAddress? {
        guard let open = TextSearch.firstRange(of: "PCI:", in: message) else { return nil }
        let rest = message[open.upperBound...]
        return PCIAddress(rest.prefix { $0 != ")" && $0 != " " })
    }

    /// `BAR 1` → 1.
    static func barNumber(_ message: Substring) -> Int? {
        guard let found = TextSearch.firstRange(of: "BAR ", in: message) else { return nil }
        let digits = message[found.upperBound...].prefix { $0.isASCII && $0.isNumber }
        return Int(digits)
    }

    private static func trimmed(_ text: Substring) -> Substring {
        text.drop { $0 == " " }
    }
}
