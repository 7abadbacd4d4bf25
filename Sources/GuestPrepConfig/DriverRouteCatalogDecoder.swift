import GuestPrepModel

/// Decodes the driver routes (`profiles/catalog/driver-routes.yaml`) from their YAML text,
/// strictly: an unknown or missing field, a value of the wrong kind, a placeholder the planner
/// does not fill, or a field the entry's method does not use is an error naming the line, the
/// entry and the field. The file's header comment describes every field.
public enum DriverRouteCatalogDecoder {
    /// The fields an entry may have.
    public static let fields = [
        "name", "title", "distributions", "versions", "route", "method", "refusal", "signed", "repository",
        "requires-file", "requires-message", "prerequisites", "lock", "module-stream", "headers", "headers-uek",
        "packages", "later-packages", "branch", "components", "live-branches", "transitional", "kernel-flavours",
        "generations", "source", "checked", "confirmed", "unconfirmed",
    ]

    /// The fields every entry must have.
    public static let requiredFields = [
        "name", "title", "distributions", "route", "method", "source", "checked", "confirmed", "unconfirmed",
    ]

    /// The fields each method needs beyond `requiredFields`.
    public static let methodRequires: [DriverRouteEntry.Method: [String]] = [
        .ubuntu: ["packages"],
        .debian: ["packages", "branch", "components", "headers"],
        .aptRepo: ["packages", "lock", "requires-file", "headers"],
        .dnfModule: ["packages", "repository", "module-stream", "headers"],
        .dnfVersionlock: ["packages", "repository", "lock", "headers"],
        .dnfKmod: ["packages"],
        .zypper: ["packages", "repository", "kernel-flavours", "generations"],
        .refuse: ["refusal"],
    ]

    /// The fields only some methods may use, and which.
    public static let methodOnly: [String: Set<DriverRouteEntry.Method>] = [
        "refusal": [.refuse],
        "module-stream": [.dnfModule],
        "later-packages": [.aptRepo],
        "branch": [.debian],
        "components": [.debian],
        "live-branches": [.ubuntu],
        "transitional": [.ubuntu],
        "kernel-flavours": [.zypper],
        "generations": [.zypper],
        "lock": [.aptRepo, .dnfVersionlock, .dnfKmod],
    ]

    /// The package variants a method's `packages` may have.
    public static func packageVariants(_ method: DriverRouteEntry.Method) -> [String] {
        method == .ubuntu ? ["precompiled", "precompiled-meta", "dkms", "common"] : ["open", "proprietary", "common"]
    }

    /// The Debian archive components.
    public static let debianComponents: Set<String> = Set(debianComponentOrder)

    /// The Debian archive components in the order sources.list names them.
    public static let debianComponentOrder = ["main", "contrib", "non-free", "non-free-firmware"]

    /// Decodes `yaml`, read from `source`, into the entries in file order. Throws
    /// `GuestPrepError.malformed(what: source, ...)` for invalid YAML (with its line and column),
    /// a document that is not a mapping with the one field `routes`, or every problem found
    /// together, each with its line, the entry and the field.
    public static func decode(_ yaml: String, source: String) throws(GuestPrepError) -> [DriverRouteEntry] {
        let (root, rootEntries) = try YAMLDocument.rootMapping(
            yaml, source: source, emptyMessage: "the driver routes are empty: they need the field routes, a list of routes",
            notMapping: { "the driver routes must be a mapping with the field routes, not \($0)" })
        var problems: [String] = []
        for entry in rootEntries where entry.key.string != "routes" {
            problems.append("\(YAMLDocument.at(entry.key))unknown field '\(entry.key.text)': the file has only the field routes")
        }
        guard let list = root["routes"] else {
            throw .malformed(what: source, reason: (problems + ["missing field 'routes'"]).joined(separator: "; "))
        }
        guard let items = list.items, !items.isEmpty else {
            let what = list.items == nil ? YAMLDocument.kind(of: list) : "an empty list"
            throw .malformed(what: source, reason: "\(YAMLDocument.at(list))routes must be a list of route entries, not \(what)")
        }
        var routes: [DriverRouteEntry] = []
        var names: [String: Int] = [:]
        for (offset, item) in items.enumerated() {
            var reader = RouteReader(number: offset + 1)
            if let route = reader.entry(item) {
                if let first = names[route.name] {
                    reader.add(item, "name '\(route.name)' is used twice (first on line \(first))")
                } else {
                    names[route.name] = item.line
                    routes.append(route)
                }
            }
            problems += reader.problems
        }
        guard problems.isEmpty else { throw .malformed(what: source, reason: problems.joined(separator: "; ")) }
        return routes
    }
}

/// Reads one entry, noting each problem with the entry's line, label and field.
private struct RouteReader {
    let number: Int
    var label: String
    var problems: [String] = []

    init(number: Int) {
        self.number = number
        label = "entry \(number)"
    }

    mutating func add(_ node: YAMLNode?, _ message: String) {
        problems.append("\(YAMLDocument.at(node))\(label): \(message)")
    }

    func kind(_ node: YAMLNode) -> String { YAMLDocument.kind(of: node) }

    mutating func entry(_ item: YAMLNode) -> DriverRouteEntry? {
        typealias D = DriverRouteCatalogDecoder
        guard let entries = item.entries else {
            add(item, "must be a mapping of the route's fields, not \(kind(item))")
            return nil
        }
        var values: [String: YAMLNode] = [:]
        var unknown: [YAMLNode] = []
        for entry in entries {
            if let field = entry.key.string, D.fields.contains(field) { values[field] = entry.value } else { unknown.append(entry.key) }
        }
        if let node = values["name"], let name = node.string, !name.isEmpty { label = "entry '\(name)'" }
        for key in unknown {
            add(key, "unknown field '\(key.text)': the fields are \(D.fields.joined(separator: ", "))")
        }
        let problemsBefore = problems.count
        var method: DriverRouteEntry.Method?
        if let node = values["method"] { method = choice(node, "method", DriverRouteEntry.Method.self) }
        var required = D.requiredFields
        if let method { required += D.methodRequires[method] ?? [] }
        let missing = required.filter { values[$0] == nil }
        if !missing.isEmpty {
            var why = ""
            if let method { why = " (method \(method.rawValue) needs \((D.methodRequires[method] ?? []).joined(separator: ", ")))" }
            add(item, "missing field\(missing.count == 1 ? "" : "s") " + missing.map { "'\($0)'" }.joined(separator: ", ") + why)
        }
        if let method {
            for (field, methods) in D.methodOnly where values[field] != nil && !methods.contains(method) {
                add(values[field], "field '\(field)' does not apply to method \(method.rawValue) (only to \(methods.map(\.rawValue).sorted().joined(separator: ", ")))")
            }
        }
        if (values["requires-file"] == nil) != (values["requires-message"] == nil) {
            add(values["requires-file"] ?? values["requires-message"], "fields 'requires-file' and 'requires-message' go together")
        }

        // Plain if-lets, no closures over `self` (see GPUCatalogDecoder: the Swift 6.3.1
        // optimizer's ownership verifier crashes on those in a release build).
        var name: String?, title: String?, refusal: String?, requiresMessage: String?, lock: String?
        var sourceText: String?, checked: String?
        var distributions: [String]?, versions: [String]?, requiresFile: [String] = [], prerequisites: [String] = []
        var headers: [String] = [], headersUEK: [String]?, flavours: [String] = []
        var confirmed: [String]?, unconfirmed: [String]?
        var route: DriverRoute?, signed: Set<DriverModuleFlavor> = [], repository: DriverRouteEntry.Repository?
        var moduleStream: [DriverModuleFlavor: String] = [:], packages: [String: [String]] = [:]
        var later: DriverRouteEntry.LaterPackages?, branch: Int?, live: [Int]?, transitional: [Int: Int] = [:]
        var components: [DriverRouteEntry.Component] = [], generations: [DriverRouteEntry.Generation] = []
        if let node = values["name"] { name = text(node, "name") }
        if let node = values["title"] { title = text(node, "title") }
        if let node = values["distributions"] { distributions = textList(node, "distributions") }
        if let node = values["versions"] { versions = versionList(node) }
        if let node = values["route"] { route = routeValue(node) }
        if let node = values["refusal"] { refusal = text(node, "refusal") }
        if let node = values["signed"], let value = flavourList(node, "signed") { signed = value }
        if let node = values["repository"] { repository = repositoryValue(node) }
        if let node = values["requires-file"], let value = textList(node, "requires-file") { requiresFile = value }
        if let node = values["requires-message"] { requiresMessage = text(node, "requires-message") }
        if let node = values["prerequisites"], let value = templates(node, "prerequisites") { prerequisites = value }
        if let node = values["lock"] { lock = template(node, "lock") }
        if let node = values["module-stream"], let value = streams(node) { moduleStream = value }
        if let node = values["headers"], let value = templates(node, "headers") { headers = value }
        if let node = values["headers-uek"] { headersUEK = templates(node, "headers-uek") }
        if let node = values["packages"], let method,
            let value = packageMap(node, "packages", variants: D.packageVariants(method))
        {
            packages = value
            if method == .ubuntu, value["precompiled"] == nil || value["dkms"] == nil {
                add(node, "field 'packages' needs precompiled and dkms packages (method ubuntu)")
            } else if method != .ubuntu, value["open"] == nil, value["proprietary"] == nil {
                add(node, "field 'packages' needs open or proprietary packages")
            }
        }
        if let node = values["later-packages"] { later = laterPackages(node) }
        if let node = values["branch"] { branch = positive(node, "branch") }
        if let node = values["components"], let value = componentMap(node) { components = value }
        if let node = values["live-branches"] { live = intList(node, "live-branches") }
        if let node = values["transitional"], let value = branchMap(node) { transitional = value }
        if let node = values["kernel-flavours"], let value = textList(node, "kernel-flavours") { flavours = value }
        if let node = values["generations"], let value = generationList(node) { generations = value }
        if let node = values["source"] { sourceText = text(node, "source") }
        if let node = values["checked"] { checked = month(node) }
        if let node = values["confirmed"] { confirmed = textList(node, "confirmed", allowEmpty: true) }
        if let node = values["unconfirmed"] { unconfirmed = textList(node, "unconfirmed", allowEmpty: true) }

        guard problems.count == problemsBefore, missing.isEmpty, let name, let title, let distributions, let route,
            let method, let sourceText, let checked, let confirmed, let unconfirmed
        else { return nil }
        return DriverRouteEntry(
            name: name, title: title, distributions: distributions, versions: versions, route: route, method: method,
            refusal: refusal, signed: signed, repository: repository, requiresFile: requiresFile,
            requiresMessage: requiresMessage, prerequisites: prerequisites, lock: lock, moduleStream: moduleStream,
            headers: headers, headersUEK: headersUEK, packages: packages, laterPackages: later, branch: branch,
            components: components, liveBranches: live, transitional: transitional, kernelFlavours: flavours,
            generations: generations, source: sourceText, checked: checked, confirmed: confirmed,
            unconfirmed: unconfirmed)
    }

    // MARK: - Field readers: each returns nil (a problem noted) when the value is wrong.

    mutating func text(_ node: YAMLNode, _ field: String) -> String? {
        guard let string = node.string, !string.allSatisfy(\.isWhitespace) else {
            add(node, "field '\(field)' must be text, not \(kind(node))")
            return nil
        }
        return string
    }

    mutating func textList(_ node: YAMLNode, _ field: String, allowEmpty: Bool = false) -> [String]? {
        guard let items = node.items, allowEmpty || !items.isEmpty else {
            add(node, "field '\(field)' must be a list of text, not \(node.items == nil ? kind(node) : "an empty list")")
            return nil
        }
        var result: [String] = []
        for item in items {
            guard let value = text(item, field) else { return nil }
            result.append(value)
        }
        return result
    }

    mutating func versionList(_ node: YAMLNode) -> [String]? {
        guard let items = node.items, !items.isEmpty else {
            add(node, "field 'versions' must be a list of VERSION_ID values such as \"24.04\", not \(kind(node))")
            return nil
        }
        var result: [String] = []
        for item in items {
            guard let value = item.string, !value.isEmpty, value.allSatisfy({ $0.isNumber || $0 == "." }) else {
                add(item, "field 'versions': \(kind(item)) is not a VERSION_ID: quote it, such as \"22.04\"")
                return nil
            }
            result.append(value)
        }
        return result
    }

    mutating func template(_ node: YAMLNode, _ field: String) -> String? {
        guard let value = text(node, field) else { return nil }
        let (unknown, unbalanced) = DriverRouteTemplate.problems(value)
        if unbalanced {
            add(node, "field '\(field)': '\(value)' has a brace without its pair")
            return nil
        }
        if !unknown.isEmpty {
            add(node, "field '\(field)': '\(value)' uses " + unknown.map { "{\($0)}" }.joined(separator: ", ")
                + ", which the planner does not fill: the placeholders are "
                + DriverRouteTemplate.variables.sorted().map { "{\($0)}" }.joined(separator: ", "))
            return nil
        }
        return value
    }

    mutating func templates(_ node: YAMLNode, _ field: String) -> [String]? {
        guard let items = node.items, !items.isEmpty else {
            add(node, "field '\(field)' must be a list of package names, not \(kind(node))")
            return nil
        }
        var result: [String] = []
        for item in items {
            guard let value = template(item, field) else { return nil }
            result.append(value)
        }
        return result
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ field: String, _: T.Type) -> T?
    where T.RawValue == String {
        if let string = node.string, let value = T(rawValue: string) { return value }
        add(node, "field '\(field)' must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not \(kind(node))")
        return nil
    }

    mutating func routeValue(_ node: YAMLNode) -> DriverRoute? {
        if let string = node.string, let route = DriverRoute(rawValue: string), route == .distro || route == .nvidiaRepo {
            return route
        }
        add(node, "field 'route' must be distro or nvidia-repo, not \(kind(node))")
        return nil
    }

    mutating func flavourList(_ node: YAMLNode, _ field: String) -> Set<DriverModuleFlavor>? {
        guard let items = node.items else {
            add(node, "field '\(field)' must be a list of open and proprietary, not \(kind(node))")
            return nil
        }
        var result: Set<DriverModuleFlavor> = []
        for item in items {
            guard let flavour = choice(item, field, DriverModuleFlavor.self) else { return nil }
            result.insert(flavour)
        }
        return result
    }

    mutating func repositoryValue(_ node: YAMLNode) -> DriverRouteEntry.Repository? {
        guard let entries = node.entries, Set(entries.compactMap(\.key.string)) == ["path", "key"], entries.count == 2 else {
            add(node, "field 'repository' must be a mapping {path, key}, such as {path: rhel10, key: CDF6BA43.pub}, not \(kind(node))")
            return nil
        }
        var path: String?, key: String?
        if let value = node["path"] { path = template(value, "repository") }
        if let value = node["key"] { key = text(value, "repository") }
        guard let path, let key else { return nil }
        guard key.hasSuffix(".pub"), !key.contains("/") else {
            add(node["key"], "field 'repository': key '\(key)' must be the gpgkey file name, such as D42D0685.pub")
            return nil
        }
        return DriverRouteEntry.Repository(path: path, key: key)
    }

    mutating func streams(_ node: YAMLNode) -> [DriverModuleFlavor: String]? {
        guard let entries = node.entries, !entries.isEmpty else {
            add(node, "field 'module-stream' must be a mapping {open, proprietary}, not \(kind(node))")
            return nil
        }
        var result: [DriverModuleFlavor: String] = [:]
        for entry in entries {
            guard let flavour = choice(entry.key, "module-stream", DriverModuleFlavor.self),
                let stream = template(entry.value, "module-stream")
            else { return nil }
            result[flavour] = stream
        }
        return result
    }

    mutating func packageMap(_ node: YAMLNode, _ field: String, variants: [String]) -> [String: [String]]? {
        guard let entries = node.entries, !entries.isEmpty else {
            add(node, "field '\(field)' must be a mapping of \(variants.joined(separator: ", ")) to package lists, not \(kind(node))")
            return nil
        }
        var result: [String: [String]] = [:]
        for entry in entries {
            guard let variant = entry.key.string, variants.contains(variant) else {
                add(entry.key, "field '\(field)': '\(entry.key.text)' is not one of \(variants.joined(separator: ", "))")
                return nil
            }
            guard let list = templates(entry.value, "\(field).\(variant)") else { return nil }
            result[variant] = list
        }
        return result
    }

    mutating func laterPackages(_ node: YAMLNode) -> DriverRouteEntry.LaterPackages? {
        guard let entries = node.entries, let fromNode = node["from-branch"] else {
            add(node, "field 'later-packages' must be a mapping {from-branch, open, proprietary}, not \(kind(node))")
            return nil
        }
        guard let from = positive(fromNode, "later-packages") else { return nil }
        var rest: [String: [String]] = [:]
        for entry in entries where entry.key.string != "from-branch" {
            guard let variant = entry.key.string, ["open", "proprietary", "common"].contains(variant) else {
                add(entry.key, "field 'later-packages': '\(entry.key.text)' is not one of from-branch, open, proprietary, common")
                return nil
            }
            guard let list = templates(entry.value, "later-packages.\(variant)") else { return nil }
            rest[variant] = list
        }
        return DriverRouteEntry.LaterPackages(fromBranch: from, packages: rest)
    }

    mutating func positive(_ node: YAMLNode, _ field: String) -> Int? {
        guard let value = node.int, value > 0 else {
            add(node, "field '\(field)' must be a whole number above 0 (a driver branch such as 580), not \(kind(node))")
            return nil
        }
        return value
    }

    mutating func intList(_ node: YAMLNode, _ field: String) -> [Int]? {
        guard let items = node.items, !items.isEmpty else {
            add(node, "field '\(field)' must be a list of driver branches, not \(kind(node))")
            return nil
        }
        var result: [Int] = []
        for item in items {
            guard let value = positive(item, field) else { return nil }
            result.append(value)
        }
        return result
    }

    mutating func branchMap(_ node: YAMLNode) -> [Int: Int]? {
        guard let entries = node.entries else {
            add(node, "field 'transitional' must be a mapping of branch to branch, such as {570: 580}, not \(kind(node))")
            return nil
        }
        var result: [Int: Int] = [:]
        for entry in entries {
            guard let from = positive(entry.key, "transitional"), let to = positive(entry.value, "transitional") else { return nil }
            result[from] = to
        }
        return result
    }

    mutating func componentMap(_ node: YAMLNode) -> [DriverRouteEntry.Component]? {
        guard let entries = node.entries, !entries.isEmpty else {
            add(node, "field 'components' must be a mapping of package to component, not \(kind(node))")
            return nil
        }
        var result: [DriverRouteEntry.Component] = []
        for entry in entries {
            guard let package = text(entry.key, "components"), let component = entry.value.string,
                DriverRouteCatalogDecoder.debianComponents.contains(component)
            else {
                add(entry.value, "field 'components': \(kind(entry.value)) is not a Debian component: main, contrib, non-free or non-free-firmware")
                return nil
            }
            result.append(.init(package: package, component: component))
        }
        return result
    }

    mutating func generationList(_ node: YAMLNode) -> [DriverRouteEntry.Generation]? {
        guard let entries = node.entries, !entries.isEmpty else {
            add(node, "field 'generations' must be a mapping of generation to first branch, such as {G06: 515, G07: 590}, not \(kind(node))")
            return nil
        }
        var result: [DriverRouteEntry.Generation] = []
        for entry in entries {
            guard let name = text(entry.key, "generations"), let from = positive(entry.value, "generations") else { return nil }
            result.append(.init(name: name, fromBranch: from))
        }
        return result.sorted { $0.fromBranch < $1.fromBranch }
    }

    mutating func month(_ node: YAMLNode) -> String? {
        let text = node.text
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard node.isScalar, parts.count == 2, parts[0].count == 4, parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isNumber) }), let m = Int(parts[1]), (1...12).contains(m)
        else {
            add(node, "field 'checked' must be the month the sources were read, YYYY-MM, not \(kind(node))")
            return nil
        }
        return text
    }
}
