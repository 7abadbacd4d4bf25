import Foundation
import Testing

/// `guestprep health --json` against its golden (the time, the one field that differs from
/// run to run, checked for its form and then replaced), and the memory a second run reads.
@Suite struct HealthCommandTests {
    let caseDirectory = BlackBoxCase.casesRoot.appendingPathComponent("positive/health-bitfusion-server-mtu-memory")

    func run(_ root: URL, json: Bool = true) throws -> GuestPrepBinary.Result {
        try GuestPrepBinary.run(
            ["health", "--root", root.path, "--source", "file:" + caseDirectory.appendingPathComponent("properties.env").path]
                + (json ? ["--json"] : []))
    }

    /// The document with its `time` replaced by @TIME@, after checking it is UTC ISO 8601.
    func normalised(_ stdout: String) -> String {
        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("  \"time\" : \"") else { return String(line) }
            let value = line.dropFirst("  \"time\" : \"".count).prefix { $0 != "\"" }
            #expect(value.count == 20 && value.hasSuffix("Z") && value.dropFirst(10).first == "T", "time \(value) is not UTC ISO 8601")
            return "  \"time\" : \"@TIME@\","
        }
        return lines.joined(separator: "\n")
    }

    @Test func jsonDocumentMatchesItsGolden() throws {
        let scratch = try TemporaryDirectory()
        let root = try scratch.copy(caseDirectory.appendingPathComponent("root"), to: "root")
        let result = try run(root)
        #expect(result.status == 5, "stderr: \(result.stderr)")
        let stdout = normalised(result.stdout)
        #expect(stdout.contains("@TIME@"))
        let golden = caseDirectory.appendingPathComponent("stdout-json.golden")
        if ProcessInfo.processInfo.environment["GUESTPREP_UPDATE_GOLDEN"] == "1" {
            try stdout.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = (try? String(contentsOf: golden, encoding: .utf8)) ?? "(no stdout-json.golden: run with GUESTPREP_UPDATE_GOLDEN=1)"
        #expect(stdout == expected)
    }

    @Test func theSecondRunComparesWithTheFirst() throws {
        let scratch = try TemporaryDirectory()
        let root = try scratch.copy(caseDirectory.appendingPathComponent("root"), to: "root")
        let first = try run(root, json: false)
        #expect(first.stdout.contains("40 since boot 3600 s ago"), "\(first.stdout)")
        let kept = try Data(contentsOf: root.appendingPathComponent("var/lib/guestprep/health.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: kept) as? [String: Any])
        #expect(document["version"] as? Int == 1)
        let memory = try #require(document["memory"] as? [String: Double])
        #expect(memory["network/ens256/errors"] == 40)
        #expect(memory["network/ens161/errors"] == 0)
        // A rate needs a second between the runs.
        Thread.sleep(forTimeInterval: 1.1)
        let drops = root.appendingPathComponent("sys/devices/pci0000:00/0000:00:18.0/0000:1b:00.0/net/ens256/statistics/rx_dropped")
        try "40\n".write(to: drops, atomically: false, encoding: .utf8)
        let second = try run(root, json: false)
        let net2 = second.stdout.split(separator: "\n").first { $0.hasSuffix("net2 (ens256)") && $0.contains(" network ") }
        #expect(net2?.hasPrefix("pass ") == true, "\(second.stdout)")
        #expect(second.stdout.contains("0 more since the previous health run"), "\(second.stdout)")
    }

    @Test func prometheusWritesTheTextfileAtomicallyReadableByTheExporter() throws {
        let scratch = try TemporaryDirectory()
        let root = try scratch.copy(caseDirectory.appendingPathComponent("root"), to: "root")
        let result = try GuestPrepBinary.run(
            ["health", "--root", root.path, "--source", "file:" + caseDirectory.appendingPathComponent("properties.env").path,
             "--prometheus", "/var/lib/prometheus/node-exporter"])
        #expect(result.status == 5, "stderr: \(result.stderr)")
        let file = root.appendingPathComponent("var/lib/prometheus/node-exporter/guestprep.prom")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("guestprep_health_check{check=\"hostmem\",subject=\"\"} 3\n"))
        #expect(text.contains("guestprep_health_check{check=\"mtu\",subject=\"net2 (ens256)\"} 2\n"))
        #expect(text.contains("guestprep_health_status 3\n"))
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o644)
        let names = try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path)
        #expect(names == ["guestprep.prom"], "no temp file left: \(names)")
    }

    @Test func aRelativePrometheusPathIsAUsageError() throws {
        let scratch = try TemporaryDirectory()
        let root = try scratch.copy(caseDirectory.appendingPathComponent("root"), to: "root")
        let result = try GuestPrepBinary.run(["health", "--root", root.path, "--prometheus", "metrics/guestprep.prom"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--prometheus metrics/guestprep.prom: give an absolute path"))
    }
}
