import GuestPrepConfig
import GuestPrepModel
import Testing

/// The step ids the tests treat as implemented.
private let known: Set<String> = ["hostname"]

/// The `(what, reason)` of the `malformed` error decoding throws, or nil when it throws nothing
/// or something else.
private func failure(_ yaml: String, source: String = "profiles/test.yaml", knownSteps: Set<String> = known)
    -> (what: String, reason: String)?
{
    do {
        _ = try ProfileDecoder.decode(yaml, source: source, knownSteps: knownSteps)
        return nil
    } catch GuestPrepError.malformed(let what, let reason) {
        return (what, reason)
    } catch {
        return nil
    }
}

@Suite struct ProfileDecoderTests {
    @Test func decodesStepsInOrder() throws {
        let yaml = """
            name: test
            description: a test profile
            steps:
              - b
              - a
            """
        let profile = try ProfileDecoder.decode(yaml, source: "profiles/test.yaml", knownSteps: ["a", "b"])
        #expect(profile == Profile(name: "test", description: "a test profile", steps: ["b", "a"]))
    }

    @Test func invalidYAMLNamesTheLine() throws {
        let yaml = "name: test\ndescription: x\nsteps: [hostname\n"
        let error = try #require(failure(yaml))
        #expect(error.what == "profiles/test.yaml")
        // libyaml finds the problem at the end of the text; its context names where the list starts.
        #expect(
            error.reason
                == "invalid YAML: line 4, column 1: did not find expected ',' or ']' (while parsing a flow sequence on line 3, column 8)")
    }

    @Test func tabIndentationIsInvalidYAML() throws {
        let error = try #require(failure("name: test\nsteps:\n\t- hostname\n"))
        #expect(error.reason.contains("invalid YAML: line 3"))
    }

    @Test func emptyDocument() throws {
        let error = try #require(failure("# only a comment\n"))
        #expect(error.reason.contains("empty"))
    }

    @Test(arguments: ["- hostname\n", "just text\n"])
    func notAMapping(_ yaml: String) throws {
        let error = try #require(failure(yaml))
        #expect(error.reason.contains("must be a mapping with the fields name, description, steps"))
    }

    @Test func missingNameAndSteps() throws {
        let error = try #require(failure("description: x\n"))
        #expect(error.reason.contains("missing fields 'name', 'steps'"))
    }

    @Test func missingDescription() throws {
        let error = try #require(failure("name: test\nsteps: [hostname]\n"))
        #expect(error.reason.contains("missing field 'description'"))
    }

    @Test func unknownFieldIsNamedWithFileAndLine() throws {
        let yaml = "name: test\ndescription: x\nsteps: [hostname]\ndriver_branch: 535\n"
        let error = try #require(failure(yaml, source: "/etc/guestprep/profiles/test.yaml"))
        #expect(error.what == "/etc/guestprep/profiles/test.yaml")
        #expect(error.reason == "line 4: unknown field 'driver_branch': the fields are name, description, steps, and optionally driver, health")
    }

    @Test func misspeltFieldIsUnknownAndItsFieldMissing() throws {
        let error = try #require(failure("name: test\ndescription: x\nstep:\n  - hostname\n"))
        #expect(error.reason.contains("unknown field 'step'"))
        #expect(error.reason.contains("missing field 'steps'"))
    }

    @Test func repeatedField() throws {
        let error = try #require(failure("name: test\ndescription: x\nsteps: [hostname]\nname: test\n"))
        #expect(error.reason == "invalid YAML: line 4, column 1: duplicate key 'name' (first on line 1, column 1)")
    }

    @Test func unknownStepIsNamedWithTheKnownOnes() throws {
        let yaml = "name: test\ndescription: x\nsteps:\n  - hostname\n  - hostnme\n"
        let error = try #require(failure(yaml, knownSteps: ["hostname", "network"]))
        #expect(error.reason == "line 5: unknown step 'hostnme': the known steps are hostname, network")
    }

    @Test func duplicateStep() throws {
        let error = try #require(failure("name: test\ndescription: x\nsteps:\n  - hostname\n  - hostname\n"))
        #expect(error.reason == "line 5: step 'hostname' is listed twice (first on line 4)")
    }

    @Test func nameMustMatchTheFileName() throws {
        let yaml = "name: bitfusion-server\ndescription: x\nsteps: [hostname]\n"
        let error = try #require(failure(yaml, source: "/etc/guestprep/profiles/bitfusion-client.yaml"))
        #expect(error.reason.contains("name 'bitfusion-server' differs from the file name 'bitfusion-client.yaml'"))
        #expect(throws: Never.self) {
            try ProfileDecoder.decode(yaml, source: "bundled profile", knownSteps: known)
        }
    }

    @Test(arguments: ["Bitfusion", "-server", "bit fusion", "../x"])
    func nameCharacters(_ name: String) throws {
        let error = try #require(failure("name: '\(name)'\ndescription: x\nsteps: [hostname]\n", source: "x"))
        #expect(error.reason.contains("must be lowercase letters, digits and '-'"))
    }

    @Test func wrongKinds() throws {
        let yaml = "name: 42\ndescription: [a]\nsteps: hostname\n"
        let error = try #require(failure(yaml))
        #expect(error.reason.contains("line 1: name must be a string, not the value '42'"))
        #expect(error.reason.contains("line 2: description must be a string, not a list"))
        #expect(error.reason.contains("line 3: steps must be a list of step ids, not the string 'hostname'"))
    }

    @Test func emptyOrNullSteps() throws {
        #expect(try #require(failure("name: test\ndescription: x\nsteps: []\n")).reason.contains("steps is empty"))
        #expect(try #require(failure("name: test\ndescription: x\nsteps:\n")).reason.contains("not null"))
        #expect(try #require(failure("name: test\ndescription: ''\nsteps: [hostname]\n")).reason.contains("description is empty"))
    }

    @Test func stepThatIsNotAnId() throws {
        let error = try #require(failure("name: test\ndescription: x\nsteps:\n  - {hostname: yes}\n"))
        #expect(error.reason.contains("line 4: a step must be a step id, not a mapping"))
    }

    @Test func everyProblemIsReportedAtOnceInLineOrder() throws {
        let yaml = "name: test\ndescriptoin: x\nsteps: [hostname, gpu, hostname]\n"
        let error = try #require(failure(yaml))
        #expect(
            error.reason == "line 2: unknown field 'descriptoin': the fields are name, description, steps, and optionally driver, health; "
                + "line 3: unknown step 'gpu': the known steps are hostname; "
                + "line 3: step 'hostname' is listed twice (first on line 3); "
                + "missing field 'description'")
    }

    @Test func malformedProfilesExitWithStatus2() {
        #expect(GuestPrepError.malformed(what: "p.yaml", reason: "r").exitCode == 2)
    }
}

@Suite struct ProfileDriverDefaultsTests {
    func decode(_ yaml: String) throws -> Profile {
        try ProfileDecoder.decode(yaml, source: "/etc/guestprep/profiles/test.yaml", knownSteps: ["driver"])
    }

    @Test func driverDefaultsAreRead() throws {
        let profile = try decode(
            "name: test\ndescription: x\nsteps: [driver]\ndriver:\n  install: true\n  branch: 570\n  modules: proprietary\n  persistence: false\n")
        #expect(profile.driver == DriverRequest(install: true, branch: 570, modules: .proprietary, persistence: false))
    }

    @Test func badDriverDefaultsAreNamedWithTheirLine() {
        do {
            _ = try decode("name: test\ndescription: x\nsteps: [driver]\ndriver:\n  branch: 12\n  modules: closed\n  route: runfile\n  install: maybe\n")
            Issue.record("expected an error")
        } catch let GuestPrepError.malformed(_, reason) {
            #expect(reason.contains("line 5: driver.branch must be a driver branch such as 580"))
            #expect(reason.contains("line 6: driver.modules must be open or proprietary"))
            #expect(reason.contains("line 7: unknown field 'driver.route': the fields of driver are install, branch, modules, persistence"))
            #expect(reason.contains("line 8: driver.install must be true or false"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func propertiesOverrideTheProfileFieldByField() {
        let profile = DriverRequest(install: true, branch: 570, modules: .open, persistence: true)
        let properties = DriverRequest(install: false, modules: .proprietary)
        #expect(properties.filling(profile) == DriverRequest(install: false, branch: 570, modules: .proprietary, persistence: true))
    }
}

@Suite struct ProfileHealthTests {
    func decode(_ health: String) throws -> Profile {
        try ProfileDecoder.decode(
            "name: p\ndescription: d\nsteps: [hostname]\nhealth: \(health)\n", source: "p.yaml", knownSteps: ["hostname"])
    }

    @Test(arguments: ["30min", "1h", "2d", "60s", "90s"])
    func intervals(_ text: String) throws {
        #expect(try decode(text).health == text)
    }

    @Test(arguments: ["30", "1 h", "0h", "30s", "1w", "-1h", "01h", "true", "[1h]"])
    func badIntervalsNameTheFieldAndLine(_ text: String) {
        #expect {
            try decode(text)
        } throws: {
            "\($0)".contains("line 4: health must be an interval of at least a minute such as 30min, 1h or 1d")
        }
    }

    @Test func noHealthNoTimer() throws {
        let profile = try ProfileDecoder.decode("name: p\ndescription: d\nsteps: [hostname]\n", source: "p.yaml", knownSteps: ["hostname"])
        #expect(profile.health == nil)
    }
}
