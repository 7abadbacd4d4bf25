import Foundation
import Testing

/// The status document in Hyper-V KVP pool 1 after each stage, read back from the pool file's
/// bytes (records of a 512-byte key and a 2048-byte value, NUL-padded: Linux
/// tools/hv/hv_kvp_daemon.c), and the same document in `status --json`.
@Suite struct StatusPublishingTests {
    static let hyperV = "positive/run-kvp-hyperv"

    /// The records of a KVP pool file, read independently of guestprep's decoder.
    static func records(_ data: Data) -> [String: String] {
        let bytes = [UInt8](data)
        var records: [String: String] = [:]
        for start in stride(from: 0, to: bytes.count - bytes.count % 2560, by: 2560) {
            let key = bytes[start..<(start + 512)].prefix { $0 != 0 }
            let value = bytes[(start + 512)..<(start + 2560)].prefix { $0 != 0 }
            records[String(decoding: key, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        return records
    }

    func hyperVRoot() throws -> (TemporaryDirectory, String) {
        let scratch = try TemporaryDirectory()
        let root = try scratch.copy(BlackBoxCase.casesRoot.appendingPathComponent("\(Self.hyperV)/root"), to: "root")
        return (scratch, root.path)
    }

    func published(_ root: String) throws -> (status: [String: Any], records: [String: String]) {
        let pool = try Data(contentsOf: URL(fileURLWithPath: root + "/var/lib/hyperv/.kvp_pool_1"))
        #expect(pool.count % 2560 == 0)
        let records = Self.records(pool)
        let json = try #require(records["guestinfo.guestprep.status"])
        let status = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return (status, records)
    }

    @Test func aHealthRunWithPublishAddsItsSummaryToTheStagesStatus() throws {
        let (scratch, root) = try hyperVRoot()
        _ = scratch
        let stage = try GuestPrepBinary.run(["run", "--stage", "early", "--root", root])
        #expect(stage.status == 0, "\(stage.stdout)\(stage.stderr)")
        #expect(try published(root).records["guestinfo.guestprep.health"] == nil)
        // Without --publish the pool is left as the stage wrote it.
        let before = try Data(contentsOf: URL(fileURLWithPath: root + "/var/lib/hyperv/.kvp_pool_1"))
        let quiet = try GuestPrepBinary.run(["health", "--root", root, "--json"])
        #expect([0, 4, 5].contains(quiet.status), "\(quiet.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/var/lib/hyperv/.kvp_pool_1")) == before)
        let health = try GuestPrepBinary.run(["health", "--root", root, "--json", "--publish"])
        // Under a fixture root the checks that ask the live system are unknown: warn at best.
        #expect([4, 5].contains(health.status), "\(health.stderr)")
        #expect(health.stderr.contains("info: status published to Hyper-V KVP pool 1"), "\(health.stderr)")
        // stdout stays one JSON document.
        #expect((try? JSONSerialization.jsonObject(with: Data(health.stdout.utf8))) != nil, "\(health.stdout)")
        let (status, records) = try published(root)
        let level = health.status == 5 ? "critical" : "warn"
        #expect(records["guestinfo.guestprep.health"] == level)
        #expect(status["outcome"] as? String == "done")
        #expect(status["stage"] as? String == "early")
        #expect(status["health"] as? String == level, "\(status)")
    }

    @Test func aStagePublishesItsOutcomeAndStatusJSONCarriesTheSameDocument() throws {
        let (scratch, root) = try hyperVRoot()
        _ = scratch
        let pool0 = try Data(contentsOf: URL(fileURLWithPath: root + "/var/lib/hyperv/.kvp_pool_0"))
        let run = try GuestPrepBinary.run(["run", "--stage", "early", "--root", root])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("info: status published to Hyper-V KVP pool 1 /var/lib/hyperv/.kvp_pool_1"), "\(run.stdout)")
        let (status, records) = try published(root)
        #expect(status["version"] as? Int == 1)
        #expect(status["stage"] as? String == "early")
        #expect(status["outcome"] as? String == "done")
        #expect(status["guestprep"] as? String == "0.1.0")
        #expect(records["guestinfo.guestprep.ready"] == "false")  // the main stage is still to come
        #expect(records["guestinfo.guestprep.health"] == nil)
        // The host's pool is not touched.
        #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/var/lib/hyperv/.kvp_pool_0")) == pool0)
        let statusJSON = try GuestPrepBinary.run(["status", "--json", "--root", root])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(statusJSON.stdout.utf8)) as? [String: Any])
        let carried = try #require(document["published"] as? [String: Any])
        for key in ["version", "guestprep", "instance", "stage", "outcome"] {
            #expect("\(carried[key] ?? "none")" == "\(status[key] ?? "none")", "\(key)")
        }
        #expect(carried["instance"] as? String == document["identityDigest"] as? String)
        // The next run reads the pools again: its own status is not taken for a property.
        let again = try GuestPrepBinary.run(["run", "--stage", "early", "--root", root])
        #expect(again.status == 0)
        #expect(!again.stdout.contains("guestinfo.guestprep.status: unknown property key"), "\(again.stdout)")
        #expect(!again.stderr.contains("guestinfo.guestprep.status: unknown property key"), "\(again.stderr)")
    }

    @Test func invalidPropertiesArePublishedWithTheKeyAndNeverTheValue() throws {
        let (scratch, root) = try hyperVRoot()
        let source = scratch.url.appendingPathComponent("bad.env")
        try "guestinfo.bitfusion.host.hostname=-secret-looking_value\n".write(to: source, atomically: true, encoding: .utf8)
        let run = try GuestPrepBinary.run(["run", "--stage", "early", "--root", root, "--source", "file:" + source.path])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        let (status, records) = try published(root)
        #expect(status["outcome"] as? String == "invalid")
        #expect(status["step"] as? String == "validate")
        #expect(status["key"] as? String == "guestinfo.bitfusion.host.hostname")
        #expect(records["guestinfo.guestprep.ready"] == "false")
        #expect(!records.values.contains { $0.contains("secret-looking") })
    }

    @Test func aStageThatCannotPublishStillSucceedsWithAWarning() throws {
        let (scratch, root) = try hyperVRoot()
        _ = scratch
        // A link where the pool should be: never written through (and, dangling, no pool to read).
        try FileManager.default.createSymbolicLink(atPath: root + "/var/lib/hyperv/.kvp_pool_1", withDestinationPath: "/nonexistent/pool")
        let run = try GuestPrepBinary.run(["run", "--stage", "early", "--root", root])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("warning: status not published to Hyper-V KVP pool 1:"), "\(run.stdout)")
    }

    @Test func planSaysWhereRunPublishesAndWritesNothing() throws {
        let (scratch, root) = try hyperVRoot()
        _ = scratch
        let plan = try GuestPrepBinary.run(["plan", "--stage", "early", "--root", root])
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("info: run publishes its status to Hyper-V KVP pool 1"), "\(plan.stdout)")
        #expect(!FileManager.default.fileExists(atPath: root + "/var/lib/hyperv/.kvp_pool_1"))
    }
}
