/// Decompresses DEFLATE data (RFC 1951): stored, fixed Huffman and dynamic Huffman blocks,
/// as gzip and zip carry them.
///
/// The output is bounded by a limit the caller gives, so a small input that expands without
/// end (a "zip bomb") stops with ``InflateError/limitExceeded(limit:)`` once the output would
/// pass it, having used no more memory than the limit. Huffman codes are decoded through a
/// table indexed by the next 10 bits of input; the rare longer codes are decoded a bit at a
/// time.
public enum Inflate {
    /// The output limit when the caller gives none: 16 MiB.
    public static let defaultLimit = 16 << 20

    /// The data the DEFLATE stream `input` holds; bytes after its final block are ignored.
    ///
    /// - Parameter limit: the most bytes the output may have.
    public static func decompress(_ input: [UInt8], limit: Int = defaultLimit) throws(InflateError) -> [UInt8] {
        try decompress(input, from: 0, limit: limit).output
    }

    /// The data the DEFLATE stream starting at `input[start]` holds, and `end`, the index of
    /// the first byte after the stream (where a gzip trailer starts).
    ///
    /// - Parameter limit: the most bytes the output may have.
    public static func decompress(_ input: [UInt8], from start: Int, limit: Int = defaultLimit)
        throws(InflateError) -> (output: [UInt8], end: Int)
    {
        precondition(start >= 0 && start <= input.count, "start out of range")
        return try input.withUnsafeBufferPointer { (buffer) throws(InflateError) in
            var inflater = Inflater(input: buffer, position: start, limit: max(0, limit))
            defer { inflater.deallocate() }
            try inflater.run()
            return (inflater.output(), inflater.streamEnd)
        }
    }
}

/// Why a DEFLATE stream could not be decompressed. Offsets are 0-based indexes of the byte of
/// the input where the problem was found.
public enum InflateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input ends inside the stream: the data was cut short.
    case truncated
    /// A block header with block type 3, which DEFLATE reserves.
    case invalidBlockType(offset: Int)
    /// A stored block whose length and its complement disagree.
    case storedLengthMismatch(offset: Int)
    /// A dynamic block's code lengths that describe no usable Huffman code.
    case badCodeLengths(offset: Int, reason: String)
    /// Input bits that are no code of the block's Huffman code, or a length or distance
    /// symbol DEFLATE does not define.
    case invalidSymbol(offset: Int)
    /// A back reference to before the start of the output.
    case distanceTooFarBack(offset: Int, distance: Int, available: Int)
    /// The output would pass `limit` bytes.
    case limitExceeded(limit: Int)

    public var description: String {
        switch self {
        case .truncated:
            "the compressed data is truncated: it ends inside the DEFLATE stream"
        case .invalidBlockType(let offset):
            "the compressed data is corrupt: the block at byte \(offset) has the reserved block type 3"
        case .storedLengthMismatch(let offset):
            "the compressed data is corrupt: the stored block at byte \(offset) has a length that does not match its check value"
        case .badCodeLengths(let offset, let reason):
            "the compressed data is corrupt: the Huffman code lengths of the block at byte \(offset) are invalid (\(reason))"
        case .invalidSymbol(let offset):
            "the compressed data is corrupt: an invalid Huffman code at byte \(offset)"
        case .distanceTooFarBack(let offset, let distance, let available):
            "the compressed data is corrupt: a back reference at byte \(offset) reaches \(distance) bytes back, but only \(available) bytes have been written"
        case .limitExceeded(let limit):
            "the compressed data expands to more than \(limit) bytes, the limit"
        }
    }
}

/// A canonical Huffman code, ready to decode.
struct HuffmanCode {
    /// How many bits of input index ``fast``.
    static let fastBits = 10

    /// For every value of the next ``fastBits`` input bits (first bit lowest): the symbol
    /// they start with, shifted left by 4, or'ed with its code length; 0 when the code there is
    /// longer than ``fastBits`` bits or there is none.
    var fast: [UInt16]
    /// How many codes have each length, 0 to 15.
    var counts: [Int]
    /// The symbols in code order (by length, then by symbol).
    var symbols: [Int]

    /// Why code lengths make no code.
    enum Problem: Error {
        case overSubscribed, incomplete
    }

    /// The code with `lengths[symbol]` bits for each symbol (0 for a symbol that has none).
    /// An incomplete code is refused unless `allowSingle` and it is a single code of one bit,
    /// which RFC 1951 allows for the distance code (and zlib for the literal/length code too);
    /// a code with no symbols is allowed (it decodes nothing).
    init(lengths: ArraySlice<UInt8>, allowSingle: Bool) throws(Problem) {
        var counts = [Int](repeating: 0, count: 16)
        for length in lengths { counts[Int(length)] += 1 }
        counts[0] = 0
        // Codes left at each length; negative means more codes than the lengths allow.
        var left = 1
        for length in 1...15 {
            left = left << 1 - counts[length]
            if left < 0 { throw .overSubscribed }
        }
        let used = lengths.count - lengths.filter { $0 == 0 }.count
        if left > 0, used > 0, !(allowSingle && used == 1 && counts[1] == 1) { throw .incomplete }

        var offsets = [Int](repeating: 0, count: 16)
        for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
        var symbols = [Int](repeating: 0, count: used)
        for (symbol, length) in lengths.enumerated() where length != 0 {
            symbols[offsets[Int(length)]] = symbol
            offsets[Int(length)] += 1
        }

        var fast = [UInt16](repeating: 0, count: 1 << Self.fastBits)
        var code = 0
        var index = 0
        for length in 1...Self.fastBits {
            for _ in 0..<counts[length] {
                // Codes are sent first bit first, so the table is indexed by the reversed code.
                var reversed = 0
                for bit in 0..<length where code & (1 << bit) != 0 { reversed |= 1 << (length - 1 - bit) }
                let entry = UInt16(symbols[index] << 4 | length)
                var slot = reversed
                while slot < 1 << Self.fastBits {
                    fast[slot] = entry
                    slot += 1 << length
                }
                code += 1
                index += 1
            }
            code <<= 1
        }
        self.fast = fast
        self.counts = counts
        self.symbols = symbols
    }

    /// The fixed literal/length code of RFC 1951 3.2.6.
    static let fixedLiteral: HuffmanCode = {
        var lengths = [UInt8](repeating: 8, count: 288)
        for symbol in 144..<256 { lengths[symbol] = 9 }
        for symbol in 256..<280 { lengths[symbol] = 7 }
        // A complete code, so this cannot throw.
        return try! HuffmanCode(lengths: lengths[...], allowSingle: false)
    }()

    /// The fixed distance code: 30 symbols (and the two unused) of 5 bits.
    static let fixedDistance: HuffmanCode = {
        try! HuffmanCode(lengths: [UInt8](repeating: 5, count: 32)[...], allowSingle: false)
    }()
}

/// One decompression: the input's bit reader and the growing output.
private struct Inflater {
    let input: UnsafeBufferPointer<UInt8>
    /// The next input byte to load into `bits`.
    var position: Int
    /// Input bits loaded and not yet used, first bit lowest.
    var bits: UInt64 = 0
    var bitCount = 0

    let limit: Int
    var out: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var count = 0

    init(input: UnsafeBufferPointer<UInt8>, position: Int, limit: Int) {
        self.input = input
        self.position = position
        self.limit = limit
        // Room for a guess at the output; it grows by doubling up to the limit.
        capacity = min(limit, max(input.count * 4, 4096))
        out = .allocate(capacity: max(1, capacity))
    }

    func deallocate() { out.deallocate() }

    func output() -> [UInt8] { Array(UnsafeBufferPointer(start: out, count: count)) }

    /// The index of the first input byte the stream did not use.
    var streamEnd: Int { position - bitCount / 8 }

    /// The input byte where the next unused bit is, for errors.
    var bitOffset: Int { position - (bitCount + 7) / 8 }

    // MARK: Blocks

    mutating func run() throws(InflateError) {
        var final = false
        while !final {
            let blockStart = bitOffset
            final = try take(1) == 1
            switch try take(2) {
            case 0: try stored(blockStart)
            case 1: try codes(HuffmanCode.fixedLiteral, HuffmanCode.fixedDistance)
            case 2:
                let (literal, distance) = try dynamicCodes(blockStart)
                try codes(literal, distance)
            default: throw .invalidBlockType(offset: blockStart)
            }
        }
    }

    mutating func stored(_ blockStart: Int) throws(InflateError) {
        drop(bitCount % 8)
        let length = try take(16)
        let complement = try take(16)
        guard length == ~complement & 0xFFFF else { throw .storedLengthMismatch(offset: blockStart) }
        // Give back the whole bytes loaded ahead and copy straight from the input.
        position -= bitCount / 8
        (bits, bitCount) = (0, 0)
        guard length <= input.count - position else { throw .truncated }
        try reserve(length)
        (out + count).update(from: input.baseAddress! + position, count: length)
        count += length
        position += length
    }

    /// The order in which a dynamic block gives the code length code's lengths.
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    mutating func dynamicCodes(_ blockStart: Int) throws(InflateError) -> (HuffmanCode, HuffmanCode) {
        func bad(_ reason: String) -> InflateError { .badCodeLengths(offset: blockStart, reason: reason) }
        let literalCount = try take(5) + 257
        let distanceCount = try take(5) + 1
        let lengthCodeCount = try take(4) + 4
        guard literalCount <= 286 else { throw bad("\(literalCount) literal/length codes, more than 286") }
        guard distanceCount <= 30 else { throw bad("\(distanceCount) distance codes, more than 30") }

        var lengthLengths = [UInt8](repeating: 0, count: 19)
        for index in 0..<lengthCodeCount { lengthLengths[Self.codeLengthOrder[index]] = UInt8(try take(3)) }
        let lengthCode: HuffmanCode
        do {
            lengthCode = try HuffmanCode(lengths: lengthLengths[...], allowSingle: false)
        } catch {
            throw bad("the code length code is \(error == .overSubscribed ? "over-subscribed" : "incomplete")")
        }

        let total = literalCount + distanceCount
        var lengths = [UInt8](repeating: 0, count: total)
        var index = 0
        while index < total {
            let symbol = try decode(lengthCode)
            if symbol < 16 {
                lengths[index] = UInt8(symbol)
                index += 1
                continue
            }
            var repeated: UInt8 = 0
            let times: Int
            switch symbol {
            case 16:
                guard index > 0 else { throw bad("a repeat comes before any length") }
                repeated = lengths[index - 1]
                times = 3 + (try take(2))
            case 17: times = 3 + (try take(3))
            default: times = 11 + (try take(7))
            }
            guard index + times <= total else { throw bad("a repeat runs past the last code") }
            for _ in 0..<times {
                lengths[index] = repeated
                index += 1
            }
        }
        guard lengths[256] != 0 else { throw bad("there is no end-of-block code") }

        let literal: HuffmanCode
        do {
            literal = try HuffmanCode(lengths: lengths[0..<literalCount], allowSingle: true)
        } catch {
            throw bad("the literal/length code is \(error == .overSubscribed ? "over-subscribed" : "incomplete")")
        }
        let distance: HuffmanCode
        do {
            distance = try HuffmanCode(lengths: lengths[literalCount...], allowSingle: true)
        } catch {
            throw bad("the distance code is \(error == .overSubscribed ? "over-subscribed" : "incomplete")")
        }
        return (literal, distance)
    }

    static let lengthBase: [Int] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    static let lengthExtra: [Int] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ]
    static let distanceBase: [Int] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
        4097, 6145, 8193, 12289, 16385, 24577,
    ]
    static let distanceExtra: [Int] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
    ]

    /// Decodes literals and back references up to the end-of-block code.
    mutating func codes(_ literal: HuffmanCode, _ distance: HuffmanCode) throws(InflateError) {
        let lengthBase = Self.lengthBase
        let lengthExtra = Self.lengthExtra
        let distanceBase = Self.distanceBase
        let distanceExtra = Self.distanceExtra
        while true {
            let symbolOffset = bitOffset
            let symbol = try decode(literal)
            if symbol < 256 {
                if count == capacity { try reserve(1) }
                out[count] = UInt8(truncatingIfNeeded: symbol)
                count += 1
                continue
            }
            if symbol == 256 { return }
            let lengthIndex = symbol - 257
            guard lengthIndex < 29 else { throw .invalidSymbol(offset: symbolOffset) }
            let length = lengthBase[lengthIndex] + (try take(lengthExtra[lengthIndex]))
            let distanceOffset = bitOffset
            let distanceSymbol = try decode(distance)
            guard distanceSymbol < 30 else { throw .invalidSymbol(offset: distanceOffset) }
            let back = distanceBase[distanceSymbol] + (try take(distanceExtra[distanceSymbol]))
            guard back <= count else {
                throw .distanceTooFarBack(offset: distanceOffset, distance: back, available: count)
            }
            try reserve(length)
            let target = out + count
            let source = target - back
            if back >= length {
                target.update(from: source, count: length)
            } else {
                // Overlapping: each byte may be one this copy just wrote.
                for index in 0..<length { target[index] = source[index] }
            }
            count += length
        }
    }

    // MARK: Output

    /// Makes room for `more` bytes, or throws when they would pass the limit.
    mutating func reserve(_ more: Int) throws(InflateError) {
        guard more <= limit - count else { throw .limitExceeded(limit: limit) }
        guard count + more > capacity else { return }
        var newCapacity = capacity
        while newCapacity < count + more { newCapacity = min(limit, newCapacity * 2) }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: out, count: count)
        out.deallocate()
        out = grown
        capacity = newCapacity
    }

    // MARK: Bits

    /// Loads input bytes until at least 57 bits are loaded or the input ends.
    @inline(__always)
    mutating func refill() {
        while bitCount <= 56, position < input.count {
            bits |= UInt64(input[position]) << UInt64(bitCount)
            position += 1
            bitCount += 8
        }
    }

    /// The next `count` bits (at most 16), as a number whose lowest bit came first.
    @inline(__always)
    mutating func take(_ count: Int) throws(InflateError) -> Int {
        if bitCount < count {
            refill()
            guard bitCount >= count else { throw .truncated }
        }
        let value = Int(truncatingIfNeeded: bits & (1 << UInt64(count) - 1))
        drop(count)
        return value
    }

    @inline(__always)
    mutating func drop(_ count: Int) {
        bits >>= UInt64(count)
        bitCount -= count
    }

    /// The next symbol of `code`.
    @inline(__always)
    mutating func decode(_ code: HuffmanCode) throws(InflateError) -> Int {
        if bitCount < 15 { refill() }
        let entry = Int(code.fast[Int(truncatingIfNeeded: bits) & (1 << HuffmanCode.fastBits - 1)])
        if entry != 0 {
            let length = entry & 15
            guard length <= bitCount else { throw .truncated }
            drop(length)
            return entry >> 4
        }
        return try decodeLong(code)
    }

    /// A symbol whose code is longer than the fast table's bits (or no code): walks the
    /// canonical code a bit at a time (as zlib's puff does).
    mutating func decodeLong(_ code: HuffmanCode) throws(InflateError) -> Int {
        var value = 0
        var first = 0
        var index = 0
        for length in 1...15 {
            guard length <= bitCount else { throw .truncated }
            value |= Int(truncatingIfNeeded: bits >> UInt64(length - 1)) & 1
            let count = code.counts[length]
            if value - first < count {
                drop(length)
                return code.symbols[index + value - first]
            }
            index += count
            first = (first + count) << 1
            value <<= 1
        }
        throw .invalidSymbol(offset: bitOffset)
    }
}
