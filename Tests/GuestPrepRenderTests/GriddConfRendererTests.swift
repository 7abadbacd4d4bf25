import Foundation
import GuestPrepModel
import GuestPrepRender
import Testing

/// gridd.conf rendered from the cases nvidia-gridd's configuration meets, against golden files
/// under `Golden/gridd/` (GUESTPREP_UPDATE_GOLDEN=1 rewrites them).
@Suite struct GriddConfRendererTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/gridd")

    /// A file shaped like the driver's template: comments, other keys, FeatureType=0.
    static let template = """
        # /etc/nvidia/gridd.conf.template - Configuration file for NVIDIA Grid Daemon

        # Description: Set Feature to be enabled
        # Data type: integer
        #FeatureType=0
        FeatureType=0

        # Description: Parameter to enable or disable Grid Licensing tab in nvidia-settings
        #EnableUI=FALSE

        """

    static let cases: [(name: String, type: VGPUFeatureType, base: String?)] = [
        ("from-template.conf", .virtualComputeServer, template),
        ("no-base.conf", .vgpu, nil),
        ("duplicates.conf", .rtxVirtualWorkstation, "ProxyServerAddress=proxy.example\n  FeatureType = 4\nFeatureType=1\n# FeatureType=2 kept\n"),
        ("no-feature-type.conf", .vgpu, "ProxyServerAddress=proxy.example\nProxyServerPort=3128"),
        // Copied from Windows: CRLF line ends, each line still seen (the result ends lines in LF).
        ("crlf.conf", .virtualComputeServer, "# copied\r\nFeatureType=1\r\nProxyServerPort=3128\r\n"),
    ]

    @Test(arguments: cases.indices)
    func matchesItsGolden(_ index: Int) throws {
        let (name, type, base) = Self.cases[index]
        let text = GriddConfRenderer.render(featureType: type, base: base)
        let url = Self.directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["GUESTPREP_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(text == (try? String(contentsOf: url, encoding: .utf8)), "\(name) differs from its golden file")
        // Exactly one active FeatureType line, with the value asked for.
        let active = text.split(separator: "\n").filter { $0.drop { $0 == " " }.hasPrefix("FeatureType") }
        #expect(active == ["FeatureType=\(type.rawValue)"])
        #expect(GriddConfRenderer.featureType(in: text) == type)
        #expect(text.hasSuffix("\n"))
    }

    @Test func renderingTwiceChangesNothing() {
        for (_, type, base) in Self.cases {
            let once = GriddConfRenderer.render(featureType: type, base: base)
            #expect(GriddConfRenderer.render(featureType: type, base: once) == once)
        }
    }

    @Test func readsTheActiveFeatureTypeOnly() {
        #expect(GriddConfRenderer.featureType(in: "#FeatureType=4\nFeatureType=2\n") == .rtxVirtualWorkstation)
        #expect(GriddConfRenderer.featureType(in: "# FeatureType=4\n") == nil)
        #expect(GriddConfRenderer.featureType(in: "FeatureType=3\n") == nil, "3 is reserved")
        #expect(GriddConfRenderer.featureType(in: "FeatureTypeX=1\n") == nil)
        #expect(GriddConfRenderer.featureType(in: "\tFeatureType =\t1\r\n") == .vgpu)
    }
}
