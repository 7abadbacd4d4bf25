import Foundation
import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

/// The textfile renderer against golden files under `Golden/prometheus/`
/// (GUESTPREP_UPDATE_GOLDEN=1 rewrites them), its escaping, naming and ordering rules, and the
/// writer's destination and mode.
@Suite struct PrometheusTextfileTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/prometheus")

    static let lastRun = RunRecord(
        stage: "main", startedAt: "2026-11-21T10:03:10Z", finishedAt: "2026-11-21T10:04:00Z", outcome: "degraded",
        processesStarted: 4, reasons: ["net1 fell back to DHCP"], profile: "bitfusion-server")

    /// A server with two GPUs, one of them hot, a cleared password and a NIC with a low MTU.
    static let serverChecks = [
        HealthCheck(name: "temperature", level: .warn, subject: "0000:0b:00.0", evidence: ["91 °C"], fix: "cool it"),
        HealthCheck(name: "temperature", level: .pass, subject: "0000:13:00.0"),
        HealthCheck(name: "mtu", level: .critical, subject: "ens224", evidence: ["MTU 1500"], fix: "set 9000"),
        HealthCheck(name: "vcenter_check", level: .pass, subject: "https://vc.example.com"),
        HealthCheck(name: "time_sync", level: .unknown, evidence: ["no timedatectl"]),
    ]
    static let serverMetrics = [
        HealthMetric(
            name: "guestprep_gpu_temperature_celsius", help: "GPU temperature.", labels: [("gpu", "0000:13:00.0")], value: 41),
        HealthMetric(
            name: "guestprep_gpu_temperature_celsius", help: "GPU temperature.", labels: [("gpu", "0000:0b:00.0")], value: 91),
        HealthMetric(
            name: "guestprep_xid_total", help: "Xid errors seen since the first health run.", kind: .counter,
            labels: [("gpu", "0000:0b:00.0"), ("xid", "79")], value: 2),
        HealthMetric(name: "guestprep_gpus_expected", help: "NVIDIA GPUs on the PCI bus.", value: 2),
        HealthMetric(name: "guestprep_gpus_visible", help: "GPUs NVML sees.", value: 2),
        HealthMetric(name: "guestprep_network_rx_errors_per_second", help: "Receive errors a second.", labels: [("nic", "ens224")], value: 0.25),
    ]

    static let cases: [(name: String, metrics: [HealthMetric], checks: [HealthCheck], info: PrometheusTextfile.Info)] = [
        (
            "server", serverMetrics, serverChecks,
            PrometheusTextfile.Info(version: "0.1.0", healthTime: 1_795_255_500, lastRun: lastRun)
        ),
        // Before any provisioning run: no outcome and no last-run time, still the info and status.
        ("no-run", [], [], PrometheusTextfile.Info(version: "0.1.0", healthTime: 1_795_255_500)),
    ]

    @Test(arguments: cases.map(\.name))
    func matchesItsGolden(_ name: String) throws {
        let given = Self.cases.first { $0.name == name }!
        let text = PrometheusTextfile.render(metrics: given.metrics, checks: given.checks, info: given.info)
        let url = Self.directory.appendingPathComponent(name + ".prom")
        if ProcessInfo.processInfo.environment["GUESTPREP_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(text == (try? String(contentsOf: url, encoding: .utf8)), "\(name).prom differs from its golden file")
    }

    @Test func eachCheckIsOneGaugeWithItsLevelAndTheWorstIsTheStatus() {
        let text = PrometheusTextfile.render(
            metrics: [], checks: Self.serverChecks,
            info: PrometheusTextfile.Info(version: "0.1.0", healthTime: 1, lastRun: Self.lastRun))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains(#"guestprep_health_check{check="temperature",subject="0000:0b:00.0"} 2"#))
        #expect(lines.contains(#"guestprep_health_check{check="temperature",subject="0000:13:00.0"} 0"#))
        #expect(lines.contains(#"guestprep_health_check{check="mtu",subject="ens224"} 3"#))
        #expect(lines.contains(#"guestprep_health_check{check="time_sync",subject=""} 1"#))
        #expect(lines.contains("guestprep_health_status 3"))
        #expect(lines.contains(#"guestprep_info{version="0.1.0"} 1"#))
        #expect(lines.contains(#"guestprep_provisioning_outcome{outcome="degraded",stage="main"} 1"#))
        #expect(lines.contains(#"guestprep_provisioning_outcome{outcome="done",stage="main"} 0"#))
        // 2026-11-21T10:04:00Z: `date -u -d 2026-11-21T10:04:00Z +%s`.
        #expect(lines.contains("guestprep_provisioning_last_run_timestamp_seconds 1795255440"))
        #expect(lines.filter { $0 == "# TYPE guestprep_health_check gauge" }.count == 1)
        #expect(lines.filter { $0.hasPrefix("# HELP guestprep_health_check ") }.count == 1)
    }

    @Test func labelValuesAndHelpAreEscaped() {
        let metric = HealthMetric(
            name: "guestprep_test", help: "a \\ back\nslash", labels: [("path", "C:\\x \"q\"\nnext")], value: 1)
        let text = PrometheusTextfile.render(metrics: [metric], checks: [], info: .init(version: "v\"1", healthTime: 0))
        #expect(text.contains("# HELP guestprep_test a \\\\ back\\nslash\n"))
        #expect(text.contains(#"guestprep_test{path="C:\\x \"q\"\nnext"} 1"# + "\n"))
        #expect(text.contains(#"guestprep_info{version="v\"1"} 1"#))
        #expect(text.hasSuffix("\n"))
    }

    @Test func namesAreMadeLegalAndDuplicatesLeftOut() {
        let metrics = [
            HealthMetric(name: "guestprep_gpu-temp.c", help: "first", labels: [("pci-address", "a"), ("1x", "b")], value: 1),
            HealthMetric(name: "guestprep_gpu_temp_c", help: "second", labels: [("pci_address", "a"), ("_1x", "b")], value: 2),
            HealthMetric(name: "guestprep_gpu_temp_c", help: "first", kind: .counter, labels: [("pci_address", "z")], value: 3),
            // A source cannot replace guestprep's own series.
            HealthMetric(name: "guestprep_info", help: "spoof", labels: [("version", "0.1.0")], value: 7),
        ]
        let text = PrometheusTextfile.render(metrics: metrics, checks: [], info: .init(version: "0.1.0", healthTime: 0))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains(#"guestprep_gpu_temp_c{pci_address="a",_1x="b"} 1"#))
        #expect(!text.contains("} 2\n") && !text.contains("} 3\n") && !text.contains("} 7\n"), "\(text)")
        #expect(lines.contains("# HELP guestprep_gpu_temp_c first"))
        #expect(lines.contains(#"guestprep_info{version="0.1.0"} 1"#))
    }

    @Test func familiesAreSortedByNameAndSamplesByLabels() {
        let metrics = [
            HealthMetric(name: "guestprep_b", help: "b", labels: [("x", "2")], value: 1),
            HealthMetric(name: "guestprep_a", help: "a", value: 1),
            HealthMetric(name: "guestprep_b", help: "b", labels: [("x", "1")], value: 1),
        ]
        let one = PrometheusTextfile.render(metrics: metrics, checks: [], info: .init(version: "0.1.0", healthTime: 0))
        let other = PrometheusTextfile.render(metrics: metrics.reversed(), checks: [], info: .init(version: "0.1.0", healthTime: 0))
        #expect(one == other)
        let names = one.split(separator: "\n").filter { $0.hasPrefix("# TYPE") }.map { $0.split(separator: " ")[2] }
        #expect(names == names.sorted())
        let b = one.split(separator: "\n").filter { $0.hasPrefix("guestprep_b{") }
        #expect(b == [#"guestprep_b{x="1"} 1"#, #"guestprep_b{x="2"} 1"#])
    }

    @Test(arguments: [
        (0.0, "0"), (42.0, "42"), (-3.0, "-3"), (0.25, "0.25"), (1e-5, "1e-05"), (1.5e20, "1.5e+20"),
        (Double.nan, "NaN"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"),
    ])
    func valuesAreWrittenAsGoParsesThem(_ value: Double, _ written: String) {
        #expect(PrometheusTextfile.formatValue(value) == written)
    }

    @Test func timesOfTheClockAreSecondsSinceTheEpoch() {
        #expect(PrometheusTextfile.epochSeconds("1970-01-01T00:00:00Z") == 0)
        #expect(PrometheusTextfile.epochSeconds("2000-03-01T00:00:00Z") == 951_868_800)
        #expect(PrometheusTextfile.epochSeconds("2026-11-21T10:04:00Z") == 1_795_255_440)
        #expect(PrometheusTextfile.epochSeconds("2026-11-21 10:04:00") == nil)
        #expect(PrometheusTextfile.epochSeconds("2026-13-21T10:04:00Z") == nil)
    }

    @Test func aRunWithAnOutcomeOfAnotherVersionIsStillShown() {
        var run = Self.lastRun
        run.outcome = "invalid"
        let text = PrometheusTextfile.render(metrics: [], checks: [], info: .init(version: "0.1.0", healthTime: 0, lastRun: run))
        #expect(text.contains(#"guestprep_provisioning_outcome{outcome="invalid",stage="main"} 1"#))
        #expect(text.contains(#"guestprep_provisioning_outcome{outcome="degraded",stage="main"} 0"#))
    }

    @Test func theWriterPicksTheFileAndWritesItWithMode0644() throws {
        let fs = InMemoryFileSystem(["/srv/metrics/other.prom": "x 1\n", "/srv/dir.prom/other.prom": "x 1\n"])
        #expect(try PrometheusTextfile.write("a 1\n", to: nil, fs: fs) == "/var/lib/prometheus/node-exporter/guestprep.prom")
        #expect(fs["/var/lib/prometheus/node-exporter/guestprep.prom"] == "a 1\n")
        #expect(fs.entry("/var/lib/prometheus/node-exporter/guestprep.prom")?.mode == 0o644)
        #expect(try PrometheusTextfile.write("b 1\n", to: "/srv/metrics", fs: fs) == "/srv/metrics/guestprep.prom")
        #expect(try PrometheusTextfile.write("c 1\n", to: "/srv/new/", fs: fs) == "/srv/new/guestprep.prom")
        #expect(try PrometheusTextfile.write("d 1\n", to: "/srv/gp.prom", fs: fs) == "/srv/gp.prom")
        #expect(fs["/srv/gp.prom"] == "d 1\n")
        // A name node_exporter would not read is a directory to write into.
        #expect(try PrometheusTextfile.write("f 1\n", to: "/srv/textfiles", fs: fs) == "/srv/textfiles/guestprep.prom")
        // A directory named like a file is still a directory.
        #expect(try PrometheusTextfile.write("g 1\n", to: "/srv/dir.prom", fs: fs) == "/srv/dir.prom/guestprep.prom")
        #expect(throws: GuestPrepError.usage("--prometheus metrics: give an absolute path (a .prom file or the textfile collector's directory)")) {
            try PrometheusTextfile.write("e 1\n", to: "metrics", fs: fs)
        }
    }

    @Test func theLevelNumbersFollowTheSeverityOrder() {
        #expect(HealthCheck.Level.allCases.map(PrometheusTextfile.levelValue) == [0, 1, 2, 3])
        #expect(PrometheusTextfile.levelValue(.critical) == 3 && PrometheusTextfile.levelValue(.unknown) == 1)
    }
}
