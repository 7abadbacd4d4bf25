import GuestPrepModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Finds the kernel log lines about NVIDIA devices' BARs and driver probes, in the text of
/// /dev/kmsg records (`6,339,5140900,-;message` with ` KEY=value` continuation lines),
/// `dmesg` output (`[    1.234567] message`), journal lines (`… kernel: message`) or bare
/// messages. Pure: the caller reads the log.
public enum KernelLogDecoder {
    /// The events in `text`, in log order, each distinct message once (a log read from two
    /// sources, or a ring buffer that repeats, lists a line twice).
    public static func events(in text: String) -> [KernelLogEvent] {
        var text = text
        return text.withUTF8 { events(in: $0) }
    }

    /// As `events(in:)`, over the log's bytes. A log holds thousands of lines and a handful of
    /// interest, so the lines are found from the words every event's line holds (`NVRM:`,
    /// `BAR `, `probe`, `MMIO space`), each looked for over the whole log with memchr; only
    /// those lines are cut, stripped of their prefix and made Strings. (Splitting the text
    /// into lines of Characters cost 30× more; screening each line byte by byte, 3×.)
    static func events(in bytes: UnsafeBufferPointer<UInt8>) -> [KernelLogEvent] {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return [] }
        var lineStarts: [Int] = []
        for word in [StaticString("NVRM:"), "BAR ", "probe", "MMIO space"] {
            let first = Int32(word.utf8Start[0])
            var from = 0
            while from < bytes.count, let hit = memchr(base + from, first, bytes.count - from) {
                let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                from = index + 1
                guard has(bytes, at: index, word) else { continue }
                var start = index
                while start > 0 && bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
                lineStarts.append(start)
            }
        }
        lineStarts.sort()
        var events: [KernelLogEvent] = []
        var seen: [(PCIAddress?, String)] = []
        var previous = -1
        for lineStart in lineStarts where lineStart != previous {
            previous = lineStart
            let newline = memchr(base + lineStart, Int32(UInt8(ascii: "\n")), bytes.count - lineStart)
            let lineEnd = newline.map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? bytes.count
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            guard let start = messageStart(line) else { continue }
            let message = UnsafeBufferPointer(rebasing: line[start...])
            // Per device: NVRM's "device is invalid:" line is the same words for every GPU.
            for event in recordEvents(Substring(String(decoding: message, as: UTF8.self)))
            where !seen.contains(where: { $0.0 == event.device && $0.1 == event.message }) {
                seen.append((event.device, event.message))
                events.append(event)
            }
        }
        return events
    }

    /// Whether `word` stands in `bytes` at `index` (the Xid reader uses it too).
    static func has(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let pointer = word.utf8Start
        for offset in 0..<count where bytes[index + offset] != pointer[offset] { return false }
        return true
    }

    /// Where a line's message starts: after a dmesg `[ time]`, a kmsg
    /// `PRIORITY,SEQUENCE,TIMESTAMP,FLAGS;` or a journal `… kernel: ` prefix; nil for a kmsg
    /// continuation line (` KEY=value`) and an empty line.
    static func messageStart(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = line.first, first != UInt8(ascii: " ") else { return nil }
        if first == UInt8(ascii: "[") {
            guard var index = line.firstIndex(of: UInt8(ascii: "]")) else { return 0 }
            index += 1
            while index < line.count && line[index] == UInt8(ascii: " ") { index += 1 }
            return index
        }
        if first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") {
            var index = 0
            while index < line.count, index < 64 {
                let byte = line[index]
                if byte == UInt8(ascii: ";") { return index + 1 }
                let allowed = byte == UInt8(ascii: ",") || byte == UInt8(ascii: "-")
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                if !allowed { break }
                index += 1
            }
        }
        if let found = TextSearch.firstRange(of: Array(" kernel: ".utf8), in: line) { return found.upperBound }
        return 0
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

    static func event(_ message: Substring) -> KernelLogEvent? {
        func has(_ text: String) -> Bool { TextSearch.firstRange(of: text, in: message) != nil }
        var text: String { String(message) }  // made for the lines that match only
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
        // The first three words, cut on bytes (splitting Characters cost 15k instructions a line).
        var wordStart = message.startIndex
        var words = 0
        for index in message.utf8.indices where message.utf8[index] == UInt8(ascii: " ") {
            let word = message[wordStart..<index]
            if word.utf8.last == UInt8(ascii: ":"), let address = PCIAddress(word.dropLast()) { return address }
            words += 1
            if words == 3 { return nil }
            wordStart = message.utf8.index(after: index)
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
}
