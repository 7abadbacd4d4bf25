import GuestPrepConfig
import Testing

/// Writes ustar archives in memory, for members the fixtures do not have.
struct TarBuilder {
    private(set) var bytes: [UInt8] = []

    /// A header for `name` of type `type` whose data is `data`; `size` overrides the size field's
    /// bytes (12), `edit` changes the header before its checksum is computed.
    mutating func add(
        _ name: String, _ data: [UInt8] = [], type: Character = "0", link: String = "",
        size: [UInt8]? = nil, edit: (inout [UInt8]) -> Void = { _ in }
    ) {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
        }
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        if let size {
            header.replaceSubrange(124..<136, with: size)
        } else {
            put(Self.octal(data.count, digits: 11), at: 124)
        }
        put("14544045400", at: 136)
        header[156] = type.asciiValue!
        put(link, at: 157)
        put("ustar", at: 257)
        put("00", at: 263)
        edit(&header)
        Self.setChecksum(&header)
        bytes += header
        bytes += data
        bytes += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    /// The archive with its two zero blocks.
    var archive: [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }

    static func octal(_ value: Int, digits: Int) -> String {
        let text = String(value, radix: 8)
        return String(repeating: "0", count: digits - text.count) + text
    }

    static func setChecksum(_ header: inout [UInt8]) {
        for index in 148..<156 { header[index] = 0x20 }
        let sum = header.reduce(0) { $0 + Int($1) }
        let text = Array((octal(sum, digits: 6)).utf8) + [0, 0x20]
        header.replaceSubrange(148..<156, with: text)
    }
}
