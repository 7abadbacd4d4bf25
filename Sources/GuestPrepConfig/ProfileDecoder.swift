import GuestPrepModel
import Yams

/// Decodes a role profile from its YAML text, strictly: a misspelt field, an unknown or
/// repeated step id, or a name that differs from the file's is an error, never ignored.
public enum ProfileDecoder {
    /// The fields a profile may have; every one of them is required.
    public static let fields = ["name", "description", "steps"]

    /// Decodes `yaml`, read from `source` (a path such as `/etc/guestprep/profiles/NAME.yaml`,
    /// or any other label for a bundled profile). Every step id must be in `knownSteps`.
    ///
    /// Throws `GuestPrepError.malformed(what: source, ...)` for YAML that does not parse (with
    /// its line and column) or is not a mapping. Otherwise every problem found is reported
    /// together, each with its line: a missing field, an unknown or repeated field, a value of
    /// the wrong kind, an unknown step id (with the known ones), a step listed twice, and a name
    /// that is not the base name of a source ending in `NAME.yaml`.
    public static func decode(_ yaml: String, source: String, knownSteps: Set<String>) throws -> Profile {
        func malformed(_ reason: String) -> GuestPrepError { .malformed(what: source, reason: reason) }

        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw malformed("the profile is empty: it needs the fields \(fieldList)")
            }
            root = node
        } catch let error as YamlError {
            throw malformed("invalid YAML: \(describe(error))")
        }
        guard case .mapping(let mapping) = root else {
            throw malformed(
                "\(at(root.mark))the profile must be a mapping with the fields \(fieldList), not \(kind(of: root))")
        }

        var problems: [String] = []
        var values: [String: Node] = [:]
        var firstLine: [String: Int] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key, key.tag.description == Tag.Name.str.rawValue else {
                problems.append("\(at(key.mark))a field name must be a plain word, not \(kind(of: key))")
                continue
            }
            let field = scalar.string
            guard fields.contains(field) else {
                problems.append("\(at(key.mark))unknown field '\(field)': the fields are \(fieldList)")
                continue
            }
            if let line = firstLine[field] {
                problems.append("\(at(key.mark))field '\(field)' is given twice (first on line \(line))")
                continue
            }
            firstLine[field] = key.mark?.line ?? 0
            values[field] = value
        }
        let missing = fields.filter { firstLine[$0] == nil }
        if !missing.isEmpty {
            problems.append(
                "missing field\(missing.count == 1 ? "" : "s") "
                    + missing.map { "'\($0)'" }.joined(separator: ", "))
        }

        let name = values["name"].flatMap { text($0, field: "name", problems: &problems) }
        if let name {
            if name.isEmpty || !name.allSatisfy(isNameCharacter) || name.first == "-" {
                problems.append(
                    "\(at(values["name"]?.mark))name '\(name)' must be lowercase letters, digits and '-', not starting with '-'")
            } else if let expected = baseName(of: source), expected != name {
                problems.append(
                    "\(at(values["name"]?.mark))name '\(name)' differs from the file name '\(expected).yaml': they must be the same")
            }
        }
        let description = values["description"].flatMap { text($0, field: "description", problems: &problems) }
        if let description, description.allSatisfy(\.isWhitespace) {
            problems.append("\(at(values["description"]?.mark))description is empty: say what the profile prepares")
        }
        let steps = values["steps"].flatMap { stepList($0, knownSteps: knownSteps, problems: &problems) }

        guard problems.isEmpty, let name, let description, let steps else {
            throw malformed(inLineOrder(problems).joined(separator: "; "))
        }
        return Profile(name: name, description: description, steps: steps)
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
    private static func text(_ node: Node, field: String, problems: inout [String]) -> String? {
        guard case .scalar(let scalar) = node, node.tag.description == Tag.Name.str.rawValue else {
            problems.append("\(at(node.mark))\(field) must be a string, not \(kind(of: node))")
            return nil
        }
        return scalar.string
    }

    /// The step ids of `steps`, or nil (with the problems noted) when any is wrong.
    private static func stepList(_ node: Node, knownSteps: Set<String>, problems: inout [String]) -> [String]? {
        guard case .sequence(let sequence) = node else {
            problems.append("\(at(node.mark))steps must be a list of step ids, not \(kind(of: node))")
            return nil
        }
        guard !sequence.isEmpty else {
            problems.append("\(at(node.mark))steps is empty: list at least one step id")
            return nil
        }
        let known = knownSteps.sorted().joined(separator: ", ")
        var steps: [String] = []
        var lines: [String: Int] = [:]
        var valid = true
        for item in sequence {
            guard case .scalar(let scalar) = item, item.tag.description == Tag.Name.str.rawValue else {
                problems.append("\(at(item.mark))a step must be a step id, not \(kind(of: item))")
                valid = false
                continue
            }
            let id = scalar.string
            if !knownSteps.contains(id) {
                problems.append("\(at(item.mark))unknown step '\(id)': the known steps are \(known.isEmpty ? "(none)" : known)")
                valid = false
            } else if let line = lines[id] {
                problems.append("\(at(item.mark))step '\(id)' is listed twice (first on line \(line))")
                valid = false
            } else {
                lines[id] = item.mark?.line ?? 0
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

    /// "line N: " for a node with a position, else "".
    private static func at(_ mark: Mark?) -> String {
        mark.map { "line \($0.line): " } ?? ""
    }

    /// What a node is, in words, for messages.
    private static func kind(of node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return "null"
            case Tag.Name.str.rawValue: return "the string '\(scalar.string)'"
            default: return "the value '\(scalar.string)'"
            }
        }
    }

    /// A one-line account of a YAML syntax error with its line and column.
    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text) (line \($0.mark.line), column \($0.mark.column)) " } ?? ""
            return "line \(mark.line), column \(mark.column): \(prefix)\(problem)"
        case .reader(let problem, let offset, _, let yaml):
            guard let offset else { return problem }
            let line = yaml.utf8.prefix(offset).filter { $0 == UInt8(ascii: "\n") }.count + 1
            return "line \(line): \(problem)"
        default:
            return String(describing: error)
        }
    }
}
