import GuestPrepModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The NVIDIA driver's Xid records. The driver prints them from
/// src/nvidia/src/kernel/gpu/rc/kernel_rc.c (NVIDIA/open-gpu-kernel-modules) as
/// `NVRM: Xid (PCI:%04x:%02x:%02x): %d, pid=%s, name=%s, <message>`, on a MIG GPU with
/// ` GPU-I:%02u GPU-CI:%02u` inside the parenthesis; drivers before ~2017 wrote the address
/// without `PCI:` (`NVRM: Xid (0000:01:00): 13, …`).
extension KernelLogDecoder {
    /// Every Xid record in `text`, in log order. Unlike `events(in:)`, a repeated message
    /// counts each time (a GPU that faults twice logs the same words twice); only a line that
    /// is identical with its prefix (the kmsg sequence number or the dmesg time), a record read
    /// twice, counts once.
    public static func xids(in text: String) -> [XidRecord] {
        var text = text
        return text.withUTF8 { xids(in: $0) }
    }

    static func xids(in bytes: UnsafeBufferPointer<UInt8>) -> [XidRecord] {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return [] }
        let word: StaticString = "NVRM: Xid ("
        var records: [XidRecord] = []
        var seenLines: Set<String> = []
        var from = 0
        while from < bytes.count, let hit = memchr(base + from, Int32(UInt8(ascii: "N")), bytes.count - from) {
            let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            from = index + 1
            guard has(bytes, at: index, word) else { continue }
            var lineStart = index
            while lineStart > 0 && bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
            let newline = memchr(base + index, Int32(UInt8(ascii: "\n")), bytes.count - index)
            let lineEnd = newline.map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? bytes.count
            from = lineEnd
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            guard let start = messageStart(line), lineStart + start <= index else { continue }
            let whole = String(decoding: line, as: UTF8.self)
            guard !seenLines.contains(whole) else { continue }
            seenLines.insert(whole)
            let message = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<lineEnd]), as: UTF8.self)
            if let record = xid(Substring(message)) { records.append(record) }
        }
        return records
    }

    /// `NVRM: Xid (PCI:0000:0b:00): 79, …` → the record; nil when the words after `Xid (` are
    /// not an address in parentheses followed by `: ` and a number.
    static func xid(_ message: Substring) -> XidRecord? {
        guard let open = TextSearch.firstRange(of: "Xid (", in: message) else { return nil }
        var rest = message[open.upperBound...]
        guard let close = rest.firstIndex(of: ")") else { return nil }
        var inside = rest[..<close]
        if inside.hasPrefix("PCI:") { inside = inside.dropFirst(4) }
        let addressText = inside.prefix { $0 != " " }
        rest = rest[rest.index(after: close)...]
        guard rest.hasPrefix(": ") else { return nil }
        let digits = rest.dropFirst(2).prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 6, let code = Int(digits) else { return nil }
        return XidRecord(device: xidDevice(addressText), code: code, message: String(message))
    }

    /// `0000:0b:00` (domain:bus:device, as NVRM prints it) → function 0 of that slot; a full
    /// `0000:0b:00.0` is read as it is.
    static func xidDevice(_ text: Substring) -> PCIAddress? {
        PCIAddress(text) ?? PCIAddress(Substring(String(text) + ".0"))
    }
}
