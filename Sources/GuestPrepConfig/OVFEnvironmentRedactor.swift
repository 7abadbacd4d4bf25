import GuestPrepModel

/// The OVF environment document without some of its properties: how guestprep clears a secret
/// the environment carries (`info-set guestinfo.ovfEnv` with the rest of the document as it
/// was). The `<Property .../>` elements of those keys are cut out of the text, so everything
/// else stays byte for byte; the result is decoded again and must hold exactly the other
/// properties, or nothing is returned.
public enum OVFEnvironmentRedactor {
    public static func removing(_ keys: Set<String>, from document: String) -> String? {
        let bytes = Array(document.utf8)
        var kept: [UInt8] = []
        kept.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<"), let end = tagEnd(bytes, from: index),
                isPropertyStart(bytes[index..<end]), let key = attribute("key", in: bytes[index..<end]),
                keys.contains(key)
            else {
                kept.append(bytes[index])
                index += 1
                continue
            }
            var stop = end
            if bytes[end - 2] != UInt8(ascii: "/") {
                // <Property ...>...</Property>: cut through the closing tag.
                guard let close = closingTag(bytes, from: end) else { return nil }
                stop = close
            }
            // The line's indentation goes with the element, and so does its line break.
            while let last = kept.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { kept.removeLast() }
            if stop < bytes.count, bytes[stop] == UInt8(ascii: "\n"), kept.last == UInt8(ascii: "\n") { stop += 1 }
            index = stop
        }
        let result = String(decoding: kept, as: UTF8.self)
        guard let before = try? OVFEnvironmentDecoder.decode(bytes), let after = try? OVFEnvironmentDecoder.decode(kept)
        else { return nil }
        let expected = before.properties.filter { !keys.contains($0.key) }
        guard after.properties.map(\.key) == expected.map(\.key), after.properties.map(\.value) == expected.map(\.value)
        else { return nil }
        return result
    }

    /// The index just past the `>` of the tag starting at `start`, quotes respected.
    private static func tagEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var quote: UInt8?
        var index = start + 1
        while index < bytes.count {
            let byte = bytes[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return index + 1
            }
            index += 1
        }
        return nil
    }

    /// `<Property` or `<prefix:Property`, then whitespace, `/` or `>`.
    private static func isPropertyStart(_ tag: ArraySlice<UInt8>) -> Bool {
        var name = tag.dropFirst().prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: ">") }
        if let colon = name.firstIndex(of: UInt8(ascii: ":")) { name = name[(colon + 1)...] }
        return Array(name) == Array("Property".utf8)
    }

    /// The value of the attribute whose local name is `name` (any prefix), or nil.
    private static func attribute(_ name: String, in tag: ArraySlice<UInt8>) -> String? {
        let wanted = Array(name.utf8)
        // After the `<`, so there is always a byte before the one looked at.
        var index = tag.startIndex + 1
        while index < tag.endIndex {
            let byte = tag[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                // Skip a quoted value whole.
                guard let close = tag[(index + 1)...].firstIndex(of: byte) else { return nil }
                index = close + 1
                continue
            }
            let before = tag[index - 1]
            let boundary = before == UInt8(ascii: " ") || before == UInt8(ascii: ":") || before == UInt8(ascii: "\t") || before == UInt8(ascii: "\n") || before == UInt8(ascii: "\r")
            if boundary, tag[index...].starts(with: wanted) {
                var cursor = index + wanted.count
                while cursor < tag.endIndex, tag[cursor] == UInt8(ascii: " ") { cursor += 1 }
                if cursor < tag.endIndex, tag[cursor] == UInt8(ascii: "=") {
                    cursor += 1
                    while cursor < tag.endIndex, tag[cursor] == UInt8(ascii: " ") { cursor += 1 }
                    guard cursor < tag.endIndex else { return nil }
                    let quote = tag[cursor]
                    guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'"),
                        let close = tag[(cursor + 1)...].firstIndex(of: quote)
                    else { return nil }
                    return String(decoding: tag[(cursor + 1)..<close], as: UTF8.self)
                }
            }
            index += 1
        }
        return nil
    }

    /// The index just past the `</...Property>` that closes an element opened before `start`.
    private static func closingTag(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == UInt8(ascii: "/"), let end = tagEnd(bytes, from: index) {
                var name = bytes[(index + 2)..<(end - 1)]
                if let colon = name.firstIndex(of: UInt8(ascii: ":")) { name = name[(colon + 1)...] }
                if Array(name).filter({ $0 != UInt8(ascii: " ") }) == Array("Property".utf8) { return end }
                return nil
            }
            index += 1
        }
        return nil
    }
}
