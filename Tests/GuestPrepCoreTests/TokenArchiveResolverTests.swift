import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

/// A downloader that copies one archive into place, as if fetched, and records the request.
final class ArchiveDownloader: Downloader, @unchecked Sendable {
    let fs: InMemoryFileSystem
    let bytes: [UInt8]
    var requests: [DownloadRequest] = []

    init(fs: InMemoryFileSystem, bytes: [UInt8]) {
        self.fs = fs
        self.bytes = bytes
    }

    func download(_ request: DownloadRequest, progress: @escaping @Sendable (DownloadProgress) -> Void) throws -> DownloadResult {
        requests.append(request)
        fs.setBytes(request.destination, bytes)
        return DownloadResult(bytes: UInt64(bytes.count), fetched: UInt64(bytes.count), attempts: 1)
    }

    func sha256(ofFile path: String) throws -> String? { nil }
}

@Suite struct TokenArchiveResolverTests {
    /// A plain tar holding the three members, made by hand (ustar headers).
    static func tar(_ members: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, text) in members {
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ value: String, _ offset: Int) { for (i, b) in value.utf8.enumerated() { header[offset + i] = b } }
            put(name, 0)
            put("0000644", 100); put("0000000", 108); put("0000000", 116)
            let size = String(text.utf8.count, radix: 8)
            put(String(repeating: "0", count: 11 - size.count) + size, 124)
            put("00000000000", 136)
            header[156] = UInt8(ascii: "0")
            put("ustar", 257); put("00", 263)
            for i in 148..<156 { header[i] = UInt8(ascii: " ") }
            let sum = String(header.reduce(0) { $0 + Int($1) }, radix: 8)
            put(String(repeating: "0", count: 6 - sum.count) + sum, 148)
            header[154] = 0
            out += header
            out += Array(text.utf8)
            out += [UInt8](repeating: 0, count: (512 - text.utf8.count % 512) % 512)
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }

    static let archive = tar([
        ("ca.crt", "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"),
        ("client.yaml", "credential: abc-secret-123\n"), ("servers.conf", "10.0.0.5\n10.0.0.6:56003\n"),
    ])

    func spec(_ location: String, sha256: String? = nil) -> GuestSpec {
        var spec = GuestSpec()
        spec.client = ClientEnrollment(archive: .location(Secret(location), sha256: sha256))
        return spec
    }

    @Test func aGuestPathIsReadUnderTheRootAndDecoded() throws {
        let fs = InMemoryFileSystem()
        fs.setBytes("/srv/client.tar", Self.archive)
        let resolved = TokenArchiveResolver.resolve(spec("/srv/client.tar"), fs: fs, downloader: nil)
        #expect(resolved.diagnostics.isEmpty)
        guard case .decoded(let archive)? = resolved.spec.client?.archive else { Issue.record("not decoded"); return }
        #expect(archive.servers.map(\.description) == ["10.0.0.5:56001", "10.0.0.6:56003"])
    }

    @Test func anHTTPSArchiveIsDownloadedWithItsSHA256AndRemovedOnceRead() throws {
        let fs = InMemoryFileSystem()
        let downloader = ArchiveDownloader(fs: fs, bytes: Self.archive)
        let sha = String(repeating: "0", count: 64)
        let resolved = TokenArchiveResolver.resolve(spec("https://files.example/client.tar", sha256: sha), fs: fs, downloader: downloader)
        #expect(resolved.diagnostics.isEmpty)
        #expect(downloader.requests.map(\.sha256) == [sha])
        #expect(downloader.requests.first?.mode == 0o600)
        #expect(!fs.exists(TokenArchiveResolver.scratchPath))
    }

    @Test func withoutADownloaderAnHTTPSArchiveIsAnErrorOnItsKey() {
        let resolved = TokenArchiveResolver.resolve(
            spec("https://user:pw-9x@files.example/client.tar", sha256: String(repeating: "0", count: 64)), fs: InMemoryFileSystem(),
            downloader: nil)
        #expect(resolved.diagnostics.map(\.key) == [PropertyKeys.bitfusionTokenArchiveURL])
        #expect(!resolved.diagnostics.contains { $0.message.contains("pw-9x") || $0.message.contains("files.example") })
    }

    @Test func aHugeArchiveIsRefusedWithoutBeingReadWhole() {
        let inner = InMemoryFileSystem()
        inner.setBytes("/srv/huge.tar", [UInt8](repeating: 0, count: InputLimits.tokenArchive + 4096))
        let fs = ReadRecordingFileSystem(inner)
        let resolved = TokenArchiveResolver.resolve(spec("/srv/huge.tar"), fs: fs, downloader: nil)
        #expect(resolved.diagnostics.map(\.key) == [PropertyKeys.bitfusionTokenArchiveURL])
        #expect(resolved.diagnostics.first?.message.contains("is larger than 16 MiB") == true)
        #expect(fs.reads == ["range /srv/huge.tar 0 \(InputLimits.tokenArchive + 1)"])
    }

    @Test func aMissingOrDamagedArchiveIsAnErrorOnItsKey() {
        let fs = InMemoryFileSystem()
        #expect(TokenArchiveResolver.resolve(spec("/srv/none.tar"), fs: fs, downloader: nil).diagnostics.first?.message.contains("does not exist") == true)
        fs.setBytes("/srv/bad.tar", Array("not an archive".utf8))
        let bad = TokenArchiveResolver.resolve(spec("file:///srv/bad.tar"), fs: fs, downloader: nil)
        #expect(bad.diagnostics.map(\.key) == [PropertyKeys.bitfusionTokenArchiveURL])
        #expect(bad.diagnostics.first?.message.contains("download the client's token archive again") == true)
    }
}
