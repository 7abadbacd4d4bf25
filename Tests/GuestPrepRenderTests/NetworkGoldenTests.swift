import Foundation
import GuestPrepModel
import GuestPrepRender
import Testing

/// One golden case: a fixture's NIC set rendered for one kind. The expected files live under
/// `Golden/<case>/<kind>/` at their guest paths. Set GUESTPREP_UPDATE_GOLDEN=1 to rewrite them.
struct NetworkGoldenCase: CustomTestStringConvertible, Sendable {
    let name: String
    let kind: NetworkRendererKind
    let nics: [BoundNIC]

    var testDescription: String { "\(name)/\(kind.rawValue)" }

    static let goldenRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden")

    static let all: [NetworkGoldenCase] = NetworkFixtures.cases.flatMap { fixture in
        NetworkRendererKind.allCases.map { NetworkGoldenCase(name: fixture.name, kind: $0, nics: fixture.nics) }
    }

    var directory: URL { Self.goldenRoot.appendingPathComponent(name).appendingPathComponent(kind.rawValue) }

    func check() throws {
        let rendered = NetworkRenderer.render(nics, kind: kind)
        let files = Dictionary(rendered.map { ($0.path, $0.text) }, uniquingKeysWith: { first, _ in first })
        #expect(files.count == rendered.count, "two rendered files share a path")
        if ProcessInfo.processInfo.environment["GUESTPREP_UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.removeItem(at: directory)
            for (path, text) in files {
                let url = directory.appendingPathComponent(String(path.dropFirst()))
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: url, atomically: true, encoding: .utf8)
            }
        }
        let golden = Self.snapshot(directory)
        #expect(
            files.keys.sorted() == golden.keys.sorted(),
            "\(testDescription): rendered paths differ from the golden tree (run with GUESTPREP_UPDATE_GOLDEN=1 to rewrite)")
        for (path, text) in files.sorted(by: { $0.key < $1.key }) {
            #expect(text == golden[path], "\(testDescription): \(path) differs from its golden file")
        }
    }

    /// Every regular file under `root`, keyed by its path relative to `root` with a leading `/`.
    static func snapshot(_ root: URL) -> [String: String] {
        var result: [String: String] = [:]
        let base = root.standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return result }
        for case let relative as String in enumerator {
            let full = base + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            result["/" + relative] = try? String(contentsOfFile: full, encoding: .utf8)
        }
        return result
    }
}

@Suite struct NetworkGoldenTests {
    @Test(arguments: NetworkGoldenCase.all)
    func matchesGolden(_ goldenCase: NetworkGoldenCase) throws { try goldenCase.check() }

    @Test func everyCaseAndKindHasAGoldenTree() {
        // While updating, the cases write their trees in parallel with this check.
        if ProcessInfo.processInfo.environment["GUESTPREP_UPDATE_GOLDEN"] == "1" { return }
        let expected = Set(NetworkGoldenCase.all.map(\.testDescription))
        let present = Set(
            ((try? FileManager.default.contentsOfDirectory(atPath: NetworkGoldenCase.goldenRoot.path)) ?? [])
                // Golden/nouveau and Golden/gridd hold NouveauBlacklistRendererTests' and
                // GriddConfRendererTests' files.
                .filter { $0 != "nouveau" && $0 != "gridd" }
                .flatMap { name in
                    ((try? FileManager.default.contentsOfDirectory(
                        atPath: NetworkGoldenCase.goldenRoot.appendingPathComponent(name).path)) ?? [])
                        .map { "\(name)/\($0)" }
                })
        #expect(present == expected, "stale or missing golden trees")
    }
}
