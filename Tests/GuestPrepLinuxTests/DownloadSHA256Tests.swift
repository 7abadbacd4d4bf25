#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
@testable import GuestPrepLinux
import Testing

/// SHA-256 through libcrypto (dlopen): the standard's vectors, and sha256sum on a large buffer.
@Suite struct DownloadSHA256Tests {
    static let vectors: [(String, String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ]

    @Test func knownVectors() throws {
        let hasher = try SHA256Hasher()
        for (text, digest) in Self.vectors {
            hasher.update(Array(text.utf8))
            #expect(hasher.finish() == digest, "SHA-256 of \"\(text)\"")
        }
    }

    @Test func resetForgetsWhatWasAdded() throws {
        let hasher = try SHA256Hasher()
        hasher.update(Array("something else".utf8))
        hasher.reset()
        hasher.update(Array("abc".utf8))
        #expect(hasher.finish() == Self.vectors[1].1)
    }

    @Test func aLargeBufferInUnevenChunksMatchesSha256sum() throws {
        let directory = TemporaryDirectory()
        let bytes = pseudoRandomBytes(5 << 20 + 3, seed: 21)
        writeFile(directory.file("large.bin"), bytes)
        let expected = try sha256sum(directory.file("large.bin"))

        let hasher = try SHA256Hasher()
        var offset = 0
        var step = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + step)
            bytes[offset..<end].withUnsafeBytes { hasher.update($0) }
            offset = end
            step = step * 7 % 1_000_003 + 1
        }
        #expect(hasher.finish() == expected)

        // The hashing thread the downloader uses: chunks larger than its slots, and smaller;
        // every byte is handed to the writer once, in order, in whole slots but the last.
        let threaded = try HashingThread()
        var written: [UInt8] = []
        var writes: [Int] = []
        let write: (UnsafeRawBufferPointer) -> Int32 = { chunk in
            written += chunk
            writes.append(chunk.count)
            return 0
        }
        let firstChunk = HashingThread.slotSize * 3 + 5
        #expect(bytes[0..<firstChunk].withUnsafeBytes { threaded.add($0, write: write) } == 0)
        for start in stride(from: firstChunk, to: bytes.count, by: 4099) {
            #expect(bytes[start..<min(bytes.count, start + 4099)].withUnsafeBytes { threaded.add($0, write: write) } == 0)
        }
        #expect(threaded.pending == bytes.count % HashingThread.slotSize)
        #expect(threaded.flush(write: write) == 0)
        #expect(threaded.pending == 0)
        #expect(threaded.finish() == expected)
        #expect(written == bytes)
        #expect(writes.dropLast().allSatisfy { $0 == HashingThread.slotSize })
        #expect(threaded.finish() == Self.vectors[0].1)

        // A failing write is reported; reset forgets what was gathered.
        #expect(bytes[0..<(HashingThread.slotSize + 1)].withUnsafeBytes { threaded.add($0) { _ in EIO } } == EIO)
        threaded.reset()
        #expect(threaded.pending == 0)
        #expect(Array("abc".utf8).withUnsafeBytes { threaded.add($0, write: write) } == 0)
        #expect(threaded.flush(write: write) == 0)
        #expect(threaded.finish() == Self.vectors[1].1)

        #expect(try CurlDownloader().sha256(ofFile: directory.file("large.bin")) == expected)
    }

    @Test func aMissingFileHasNoChecksum() throws {
        let directory = TemporaryDirectory()
        #expect(try CurlDownloader().sha256(ofFile: directory.file("missing")) == nil)
        writeFile(directory.file("empty"), [])
        #expect(try CurlDownloader().sha256(ofFile: directory.file("empty")) == Self.vectors[0].1)
    }
}
