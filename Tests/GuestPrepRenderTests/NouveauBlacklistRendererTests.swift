import Foundation
import GuestPrepRender
import Testing

/// The blacklist file in both phases against golden files under `Golden/nouveau/`
/// (GUESTPREP_UPDATE_GOLDEN=1 rewrites them).
@Suite struct NouveauBlacklistRendererTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/nouveau")

    @Test(arguments: [(false, "blacklist-nouveau.conf"), (true, "blacklist-nouveau.conf.pending")])
    func matchesItsGolden(_ pending: Bool, _ name: String) throws {
        let file = NouveauBlacklistRenderer.render(pending: pending)
        let url = Self.directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["GUESTPREP_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try file.text.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(file.text == (try? String(contentsOf: url, encoding: .utf8)), "\(name) differs from its golden file")
        #expect(file.path == "/etc/modprobe.d/blacklist-nouveau.conf")
        #expect(file.mode == 0o644)
        #expect(file.text.split(separator: "\n").allSatisfy { $0.count <= 120 })
    }

    @Test func thePendingFileDiffersOnlyByItsMarkerLine() {
        let pending = NouveauBlacklistRenderer.render(pending: true).text
        let done = NouveauBlacklistRenderer.render(pending: false).text
        #expect(pending.replacingOccurrences(of: NouveauBlacklistRenderer.pendingLine + "\n", with: "") == done)
        #expect(NouveauBlacklistRenderer.isPending(pending) && !NouveauBlacklistRenderer.isPending(done))
    }
}
