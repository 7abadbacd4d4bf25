import GuestPrepModel

/// Decodes a role profile from its YAML text, strictly: a misspelt field, an unknown or
/// repeated step id, or a name that differs from the file's is an error, never ignored.
public enum ProfileDecoder {
    /// The fields every profile has.
    public static let fields = ["name", "description", "steps"]
    /// The fields a profile may have besides: `driver`, the NVIDIA driver's defaults, and
    /// `health`, the health timer's interval (`health: 1h`) or a mapping of it and the health
    /// checks' thresholds (`health: {interval: 1h, thresholds: {mtu_minimum: 9000}}`).
    public static let optionalFields = ["driver", "health"]
    /// The fields of `health:` in its mapping form.
    public static let healthFields = ["interval", "thresholds"]
    /// The fields of `driver`: `install` (true/false), `branch` (580), `modules` (`open` or
    /// `proprietary`), `persistence` (true/false). A guestinfo.guestprep.driver.* property or
    /// install_nvidia_packages overrides each.
    public static let driverFields = ["install", "branch", "modules", "persistence"]

    /// Decodes `yaml`, read from `source` (a path such as `/etc/guestprep/profiles/NAME.yaml`,
    /// or any other label for a bundled profile). Every step id must be in `knownSteps`.
    ///
    /// Throws `GuestPrepError.malformed(what: source, ...)` for text ``YAMLReader`` refuses
    /// (with its line and column; a field given twice is one such error) or that is
    /// not a mapping. Otherwise every problem found is reported together, each with its line: a
    /// missing field, an unknown field, a value of the wrong kind, an unknown step id (with the
    /// known ones), a step listed twice, and a name that is not the base name of a source ending
    /// in `NAME.yaml`.
    public static func decode(_ yaml: String, source: String, knownSteps: Set<String>) throws -> Profile {
        func malformed(_ reason: String) -> GuestPrepError { .malformed(what: source, reason: reason) }

        let (_, entries) = try YAMLDocument.rootMapping(
            yaml, source: source, emptyMessage: "the profile is empty: it needs the fields \(fieldList)",
            notMapping: { "the profile must be a mapping with the fields \(fieldList), not \($0)" })

        // The reader rejects a key given twice, so each field has at most one value here.
        var problems: [String] = []
        var values: [String: YAMLNode] = [:]
        for entry in entries {
            guard let field = entry.key.string else {
                problems.append("\(at(entry.key))a field name must be a plain word, not \(kind(of: entry.key))")
                continue
            }
            guard fields.contains(field) || optionalFields.contains(field) else {
                problems.append(
                    "\(at(entry.key))unknown field '\(field)': the fields are \(fieldList), and optionally \(optionalFields.joined(separator: ", "))")
                continue
            }
            values[field] = entry.value
        }
        let missing = fields.filter { values[$0] == nil }
        if !missing.isEmpty {
            problems.append(
                "missing field\(missing.count == 1 ? "" : "s") "
                    + missing.map { "'\($0)'" }.joined(separator: ", "))
        }

        let name = values["name"].flatMap { text($0, field: "name", problems: &problems) }
        if let name {
            if name.isEmpty || !name.allSatisfy(isNameCharacter) || name.first == "-" {
                problems.append(
                    "\(at(values["name"]))name '\(name)' must be lowercase letters, digits and '-', not starting with '-'")
            } else if let expected = baseName(of: source), expected != name {
                problems.append(
                    "\(at(values["name"]))name '\(name)' differs from the file name '\(expected).yaml': they must be the same")
            }
        }
        let description = values["description"].flatMap { text($0, field: "description", problems: &problems) }
        if let description, description.allSatisfy(\.isWhitespace) {
            problems.append("\(at(values["description"]))description is empty: say what the profile prepares")
        }
        let steps = values["steps"].flatMap { stepList($0, knownSteps: knownSteps, problems: &problems) }
        let driver = values["driver"].map { driverDefaults($0, problems: &problems) } ?? DriverRequest()
        let (health, thresholds) = values["health"].map { healthSettings($0, problems: &problems) } ?? (nil, HealthThresholds())

        guard problems.isEmpty, let name, let description, let steps else {
            throw malformed(inLineOrder(problems).joined(separator: "; "))
        }
        return Profile(
            name: name, description: description, steps: steps, driver: driver, health: health, healthThresholds: thresholds)
    }

    /// `health:` as an interval alone, or as a mapping of `interval` (optional: without it, no
    /// timer) and `thresholds` (each a name of ``HealthThresholds/settings`` and a whole number
    /// in its range).
    private static func healthSettings(_ node: YAMLNode, problems: inout [String]) -> (String?, HealthThresholds) {
        var thresholds = HealthThresholds()
        guard let entries = node.entries else {
            return (healthInterval(node, problems: &problems), thresholds)
        }
        var interval: String?
        for entry in entries {
            switch entry.key.string ?? "" {
            case "interval":
                interval = healthInterval(entry.value, field: "health.interval", problems: &problems)
            case "thresholds":
                guard let items = entry.value.entries else {
                    problems.append("\(at(entry.value))health.thresholds must be a mapping of threshold names to numbers, not \(kind(of: entry.value))")
                    continue
                }
                let settings = HealthThresholds.settings
                for item in items {
                    let field = item.key.string ?? ""
                    guard let setting = settings.first(where: { $0.name == field }) else {
                        problems.append(
                            "\(at(item.key))unknown field 'health.thresholds.\(field)': the thresholds are \(settings.map(\.name).joined(separator: ", "))")
                        continue
                    }
                    guard let value = item.value.int, setting.range.contains(value) else {
                        problems.append(
                            "\(at(item.value))health.thresholds.\(field) must be a whole number from \(setting.range.lowerBound) to \(setting.range.upperBound), not \(kind(of: item.value))")
                        continue
                    }
                    thresholds[keyPath: setting.keyPath] = value
                }
                problems += thresholds.orderProblems.map { "\(at(entry.value))health.thresholds: \($0)" }
            default:
                problems.append(
                    "\(at(entry.key))unknown field 'health.\(entry.key.string ?? "")': the fields of health are \(healthFields.joined(separator: ", "))")
            }
        }
        return (interval, thresholds)
    }

    /// `health:` as a systemd time span of one number and unit, at least a minute: `30min`,
    /// `1h`, `2d`. Nil (with a problem) for anything else.
    private static func healthInterval(_ node: YAMLNode, field: String = "health", problems: inout [String]) -> String? {
        let units: [(String, Int)] = [("min", 60), ("h", 3600), ("d", 86400), ("s", 1)]
        if let text = node.string,
            let (unit, seconds) = units.first(where: { text.hasSuffix($0.0) }),
            let count = Int(text.dropLast(unit.count)), count > 0, String(count) == text.dropLast(unit.count),
            count * seconds >= 60
        {
            return text
        }
        problems.append("\(at(node))\(field) must be an interval of at least a minute such as 30min, 1h or 1d, not \(kind(of: node))")
        return nil
    }

    /// The `driver` mapping's defaults, each field checked as its property would be.
    private static func driverDefaults(_ node: YAMLNode, problems: inout [String]) -> DriverRequest {
        var request = DriverRequest()
        guard let entries = node.entries else {
            problems.append("\(at(node))driver must be a mapping of \(driverFields.joined(separator: ", ")), not \(kind(of: node))")
            return request
        }
        for entry in entries {
            let field = entry.key.string ?? ""
            let value = entry.value
            switch field {
            case "install", "persistence":
                guard let on = value.bool else {
                    problems.append("\(at(value))driver.\(field) must be true or false, not \(kind(of: value))")
                    continue
                }
                if field == "install" { request.install = on } else { request.persistence = on }
            case "branch":
                guard let branch = value.int, DriverRules.branches.contains(branch) else {
                    problems.append(
                        "\(at(value))driver.branch must be a driver branch such as 580 (\(DriverRules.branches.lowerBound) to \(DriverRules.branches.upperBound))")
                    continue
                }
                request.branch = branch
            case "modules":
                guard let flavor = value.string.flatMap(DriverModuleFlavor.init(rawValue:)) else {
                    problems.append("\(at(value))driver.modules must be open or proprietary")
                    continue
                }
                request.modules = flavor
            default:
                problems.append(
                    "\(at(entry.key))unknown field 'driver.\(field)': the fields of driver are \(driverFields.joined(separator: ", "))")
            }
        }
        return request
    }

    private static var fieldList: String { fields.joined(separator: ", ") }

    /// The problems sorted by the line they start with ("line N: "); those without a line last.
    private static func inLineOrder(_ problems: [String]) -> [String] {
        func line(_ problem: String) -> Int {
            guard problem.hasPrefix("line "), let number = Int(problem.dropFirst(5).prefix { $0.isNumber }) else {
                return Int.max
            }
            return number
        }
        return problems.enumerated()
            .sorted { (line($0.element), $0.offset) < (line($1.element), $1.offset) }
            .map(\.element)
    }

    /// The string value of a field, or nil (with a problem noted) when it is not a string.
    private static func text(_ node: YAMLNode, field: String, problems: inout [String]) -> String? {
        guard let string = node.string else {
            problems.append("\(at(node))\(field) must be a string, not \(kind(of: node))")
            return nil
        }
        return string
    }

    /// The step ids of `steps`, or nil (with the problems noted) when any is wrong.
    private static func stepList(_ node: YAMLNode, knownSteps: Set<String>, problems: inout [String]) -> [String]? {
        guard let sequence = node.items else {
            problems.append("\(at(node))steps must be a list of step ids, not \(kind(of: node))")
            return nil
        }
        guard !sequence.isEmpty else {
            problems.append("\(at(node))steps is empty: list at least one step id")
            return nil
        }
        let known = knownSteps.sorted().joined(separator: ", ")
        var steps: [String] = []
        var lines: [String: Int] = [:]
        var valid = true
        for item in sequence {
            guard let id = item.string else {
                problems.append("\(at(item))a step must be a step id, not \(kind(of: item))")
                valid = false
                continue
            }
            if !knownSteps.contains(id) {
                problems.append("\(at(item))unknown step '\(id)': the known steps are \(known.isEmpty ? "(none)" : known)")
                valid = false
            } else if let line = lines[id] {
                problems.append("\(at(item))step '\(id)' is listed twice (first on line \(line))")
                valid = false
            } else {
                lines[id] = item.line
                steps.append(id)
            }
        }
        return valid ? steps : nil
    }

    /// `NAME` when `source` ends in `NAME.yaml`, else nil.
    private static func baseName(of source: String) -> String? {
        let file = source.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? source
        guard file.hasSuffix(".yaml"), file.count > ".yaml".count else { return nil }
        return String(file.dropLast(".yaml".count))
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        ("a"..."z").contains(character) || ("0"..."9").contains(character) || character == "-"
    }

    /// "line N: " for a node, or "" for none.
    private static func at(_ node: YAMLNode?) -> String { YAMLDocument.at(node) }

    /// What a node is, in words, for messages.
    private static func kind(of node: YAMLNode) -> String { YAMLDocument.kind(of: node) }
}
