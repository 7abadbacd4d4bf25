import GuestPrepConfig
import GuestPrepModel
import Testing

/// The profile's `health:` in its mapping form: an interval and the health checks' thresholds.
@Suite struct ProfileHealthThresholdsTests {
    func decode(_ health: String) throws -> Profile {
        try ProfileDecoder.decode(
            "name: p\ndescription: d\nsteps: [hostname]\nhealth:\n\(health)", source: "p.yaml", knownSteps: ["hostname"])
    }

    func reason(_ health: String) -> String? {
        do {
            _ = try decode(health)
            return nil
        } catch GuestPrepError.malformed(_, let reason) {
            return reason
        } catch {
            return "\(error)"
        }
    }

    @Test func mappingSetsTheIntervalAndTheNamedThresholdsOnly() throws {
        let profile = try decode("  interval: 30min\n  thresholds:\n    mtu_minimum: 9000\n    disk_free_warn_percent: 20\n")
        #expect(profile.health == "30min")
        var expected = HealthThresholds()
        expected.mtuMinimum = 9000
        expected.diskFreeWarnPercent = 20
        #expect(profile.healthThresholds == expected)
        #expect(profile.healthThresholds.nofileMinimum == 4096)
    }

    @Test func mappingWithoutIntervalHasNoTimer() throws {
        let profile = try decode("  thresholds: {nofile_minimum: 65536}\n")
        #expect(profile.health == nil)
        #expect(profile.healthThresholds.nofileMinimum == 65536)
    }

    @Test func scalarIntervalKeepsTheDefaults() throws {
        let profile = try ProfileDecoder.decode(
            "name: p\ndescription: d\nsteps: [hostname]\nhealth: 1h\n", source: "p.yaml", knownSteps: ["hostname"])
        #expect(profile.health == "1h")
        #expect(profile.healthThresholds == HealthThresholds())
    }

    @Test func unknownThresholdIsNamedWithItsLine() {
        let message = reason("  thresholds:\n    mtu_min: 9000\n")
        #expect(message?.hasPrefix("line 6: unknown field 'health.thresholds.mtu_min': the thresholds are temperature_margin,") == true, "\(message ?? "nil")")
    }

    @Test func unknownHealthFieldIsNamed() {
        #expect(reason("  interval: 1h\n  every: 2h\n") == "line 6: unknown field 'health.every': the fields of health are interval, thresholds")
    }

    @Test func valueOutOfRangeOrNotANumberNamesTheThreshold() {
        #expect(reason("  thresholds: {mtu_maximum: 9216}\n") == "line 5: health.thresholds.mtu_maximum must be a whole number from 68 to 9000, not the value '9216'")
        let text = reason("  thresholds: {disk_free_warn_percent: lots}\n")
        #expect(text?.contains("health.thresholds.disk_free_warn_percent must be a whole number from 0 to 100") == true, "\(text ?? "nil")")
    }

    @Test func thresholdsOutOfOrderAreAnError() {
        let text = reason("  thresholds: {disk_free_warn_percent: 3, disk_free_critical_percent: 5}\n")
        #expect(text == "line 5: health.thresholds: disk_free_critical_percent (5) must not be above disk_free_warn_percent (3)")
    }

    @Test func badIntervalInTheMappingNamesIt() {
        let text = reason("  interval: 10s\n")
        #expect(text?.hasPrefix("line 5: health.interval must be an interval of at least a minute") == true, "\(text ?? "nil")")
    }

    @Test func thresholdsMustBeAMapping() {
        let text = reason("  thresholds: [1, 2]\n")
        #expect(text?.hasPrefix("line 5: health.thresholds must be a mapping of threshold names to numbers") == true, "\(text ?? "nil")")
    }
}
