import GuestPrepModel

/// Decodes the GPU catalog (`profiles/catalog/gpus.yaml`) from its YAML text, strictly: a
/// misspelt field, a BAR layout no GPU can have, or two entries a PCI ID cannot tell apart is an
/// error, never ignored. The file's header comment describes every field.
public enum GPUCatalogDecoder {
    /// The fields a catalog entry may have.
    public static let fields = [
        "name", "device-ids", "subsystems", "architecture", "memory-gib", "bars", "bar-sizes", "bar1", "source",
        "open-kernel-modules", "last-driver-branch",
    ]

    /// The fields an entry may leave out.
    public static let optionalFields: Set<String> = ["subsystems", "bar1", "last-driver-branch"]

    /// The fields of one BAR; every one of them is required.
    public static let barFields = ["index", "size", "type", "prefetchable"]

    /// Decodes `yaml`, read from `source` (a path, or any other label for the bundled text),
    /// into the catalog's models in document order, each model's BARs in index order.
    ///
    /// Throws `GuestPrepError.malformed(what: source, ...)` for text ``YAMLReader`` refuses
    /// (with its line and column), for a document that is not a mapping with the one
    /// field `gpus`, or listing every problem found together, each with its line, the entry and
    /// the field: a missing or unknown field; a value of the wrong kind; a device ID that is not
    /// `0x` and four hex digits, or is given twice in an entry; a subsystem that is not `vvvv:dddd`; memory of 0 or less; a BAR
    /// index outside 0–5, given twice, or in the upper half of a 64-bit BAR (so no 64-bit BAR at
    /// 5); a BAR size that is not a power of two with a unit; a 32-bit BAR over 2 GiB; a `bar1`
    /// that contradicts the BARs (a display-mode size not below the framebuffer BAR's, `none`
    /// with a framebuffer BAR listed, `bar1-measured` without one); two entries with the same
    /// name; two entries sharing a device ID that subsystems do not tell apart.
    ///
    /// With `deviceIDs`, only the entries that list one of them are decoded and checked (an
    /// entry whose IDs cannot be read is decoded, so that its problems are still reported): the
    /// doctor needs a few of the bundled catalog's entries, whose whole text the tests check.
    public static func decode(
        _ yaml: String, source: String, deviceIDs: Set<UInt16>? = nil
    ) throws(GuestPrepError) -> [GPUModel] {
        func malformed(_ reason: String) -> GuestPrepError { .malformed(what: source, reason: reason) }

        let (root, rootEntries) = try YAMLDocument.rootMapping(
            yaml, source: source, emptyMessage: "the catalog is empty: it needs the field gpus, a list of GPUs",
            notMapping: { "the catalog must be a mapping with the field gpus, not \($0)" })
        var problems = Problems()
        for entry in rootEntries where entry.key.string != "gpus" {
            problems.add(entry.key, "unknown field '\(entry.key.text)': the catalog has only the field gpus")
        }
        guard let list = root["gpus"] else {
            throw malformed((problems.list + ["missing field 'gpus'"]).joined(separator: "; "))
        }
        guard let items = list.items, !items.isEmpty else {
            let what = list.items == nil ? kind(of: list) : "an empty list"
            throw malformed("\(at(list))gpus must be a list of GPU entries, not \(what)")
        }

        var models: [(model: GPUModel, line: Int)] = []
        for (offset, item) in items.enumerated() {
            if let deviceIDs, let listed = listedDeviceIDs(item), listed.isDisjoint(with: deviceIDs) { continue }
            if let model = decodeEntry(item, number: offset + 1, problems: &problems) {
                models.append((model, item.line))
            }
        }
        if problems.list.isEmpty {
            checkUniqueness(models, problems: &problems)
        }
        guard problems.list.isEmpty else {
            throw malformed(inLineOrder(problems.list).joined(separator: "; "))
        }
        return models.map(\.model)
    }

    // MARK: - One entry

    /// The device IDs an entry lists, nil when they cannot be read (the entry is then decoded
    /// in full, and its problems reported).
    private static func listedDeviceIDs(_ item: YAMLNode) -> Set<UInt16>? {
        guard let entries = item.entries, let list = entries.first(where: { $0.key.string == "device-ids" })?.value.items
        else { return nil }
        var ids: Set<UInt16> = []
        for node in list {
            guard node.isScalar, node.text.hasPrefix("0x"), let id = hexUInt16(node.text.dropFirst(2)) else { return nil }
            ids.insert(id)
        }
        return ids
    }

    /// The model of one list item, or nil (with the problems noted) when anything is wrong.
    private static func decodeEntry(_ item: YAMLNode, number: Int, problems: inout Problems) -> GPUModel? {
        guard let entries = item.entries else {
            problems.add(item, "entry \(number) must be a mapping of the GPU's fields, not \(kind(of: item))")
            return nil
        }
        // The reader rejects a key given twice, so each field has at most one value here.
        var values: [String: YAMLNode] = [:]
        var unknown: [YAMLNode] = []
        for entry in entries {
            if let field = entry.key.string, fields.contains(field) {
                values[field] = entry.value
            } else {
                unknown.append(entry.key)
            }
        }
        // The name labels every other problem, so it is read first.
        var label = "entry \(number)"
        var name: String?
        if let node = values["name"] {
            if let text = node.string, !text.allSatisfy(\.isWhitespace) {
                name = text
                label = "entry '\(text)'"
            } else {
                problems.add(node, "\(label): field 'name' must be the product name, not \(kind(of: node))")
            }
        }
        var entry = Entry(label: label, problems: problems)
        defer { problems = entry.problems }

        for key in unknown {
            entry.add(key, "unknown field '\(key.text)': the fields are \(fields.joined(separator: ", "))")
        }
        let missing = fields.filter { values[$0] == nil && !optionalFields.contains($0) }
        if !missing.isEmpty {
            entry.add(
                item,
                "missing field\(missing.count == 1 ? "" : "s") " + missing.map { "'\($0)'" }.joined(separator: ", "))
        }

        let deviceIDs = values["device-ids"].flatMap { entry.deviceIDs($0) }
        let subsystems = values["subsystems"].map { entry.subsystems($0) } ?? []
        let architecture = values["architecture"].flatMap {
            entry.choice($0, field: "architecture", of: GPUArchitecture.self)
        }
        let memoryGiB = values["memory-gib"].flatMap { entry.positiveInt($0, field: "memory-gib", what: "GiB") }
        let bars = values["bars"].flatMap { entry.bars($0) }
        let barSizes = values["bar-sizes"].flatMap { entry.choice($0, field: "bar-sizes", of: BAREvidence.self) }
        var bar1: BAR1Behaviour? = BAR1Behaviour.fixed
        if let node = values["bar1"] { bar1 = entry.bar1(node) }
        let barSource = values["source"].flatMap { entry.text($0, field: "source") }
        let openModules = values["open-kernel-modules"].flatMap {
            entry.choice($0, field: "open-kernel-modules", of: OpenKernelModules.self)
        }
        let lastBranch = values["last-driver-branch"].map {
            entry.positiveInt($0, field: "last-driver-branch", what: "a driver branch such as 580")
        }

        guard let name, let deviceIDs, let subsystems, let architecture, let memoryGiB, let bars, let barSizes,
            let bar1, let barSource, let openModules, lastBranch != .some(nil)
        else { return nil }
        let model = GPUModel(
            name: name, deviceIDs: deviceIDs, subsystems: subsystems, architecture: architecture,
            memoryGiB: memoryGiB, bars: bars, barEvidence: barSizes, barSource: barSource,
            openKernelModules: openModules, lastDriverBranch: lastBranch ?? nil, bar1: bar1)
        guard entry.checkBAR1(model, node: values["bar1"] ?? values["bar-sizes"] ?? item) else { return nil }
        return model
    }

    // MARK: - Across entries

    /// Notes two entries with one name, and two entries sharing a device ID that subsystems do
    /// not tell apart: the lookup could not choose between them.
    private static func checkUniqueness(_ models: [(model: GPUModel, line: Int)], problems: inout Problems) {
        var names: [String: Int] = [:]
        var plain: [UInt16: (name: String, line: Int)] = [:]
        var bySubsystem: [PCIKey: (name: String, line: Int)] = [:]
        for (model, line) in models {
            let label = "line \(line): entry '\(model.name)'"
            if let first = names[model.name] {
                problems.list.append("\(label): name '\(model.name)' is used twice (first on line \(first))")
            } else {
                names[model.name] = line
            }
            for deviceID in model.deviceIDs {
                let id = "0x" + hex4(deviceID)
                if model.subsystems.isEmpty {
                    if let other = plain[deviceID] {
                        problems.list.append(
                            "\(label): field 'device-ids': \(id) is also a device ID of '\(other.name)'"
                                + " (line \(other.line)) and neither lists subsystems to tell them apart")
                    } else {
                        plain[deviceID] = (model.name, line)
                    }
                }
                for subsystem in model.subsystems {
                    let key = PCIKey(device: deviceID, subsystem: subsystem)
                    if let other = bySubsystem[key] {
                        problems.list.append(
                            "\(label): field 'subsystems': \(subsystem) of device \(id) is also listed by '\(other.name)'"
                                + " (line \(other.line))")
                    } else {
                        bySubsystem[key] = (model.name, line)
                    }
                }
            }
        }
    }

    /// A device ID with one subsystem: what identifies a product.
    private struct PCIKey: Hashable {
        let device: UInt16
        let subsystem: PCISubsystem
    }

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
}

// MARK: - Problems and fields

/// The problems found so far, each a sentence starting "line N: " where the line is known.
private struct Problems {
    var list: [String] = []

    mutating func add(_ node: YAMLNode?, _ message: String) {
        list.append("\(at(node))\(message)")
    }
}

/// The decoding of one entry's fields: each reader returns the value, or nil with a problem
/// noted that names the entry and the field.
private struct Entry {
    let label: String
    var problems: Problems

    mutating func add(_ node: YAMLNode?, _ message: String) {
        problems.add(node, "\(label): \(message)")
    }

    mutating func text(_ node: YAMLNode, field: String) -> String? {
        guard let string = node.string, !string.allSatisfy(\.isWhitespace) else {
            add(node, "field '\(field)' must be a line of text, not \(kind(of: node))")
            return nil
        }
        return string
    }

    mutating func positiveInt(_ node: YAMLNode, field: String, what: String) -> Int? {
        guard let value = node.int, value > 0 else {
            add(node, "field '\(field)' must be a whole number above 0 (\(what)), not \(kind(of: node))")
            return nil
        }
        return value
    }

    /// A value of `field` that must be one of `T`'s raw values.
    mutating func choice<T: RawRepresentable & CaseIterable>(_ node: YAMLNode, field: String, of _: T.Type) -> T?
    where T.RawValue == String {
        if let string = node.string, let value = T(rawValue: string) { return value }
        let choices = T.allCases.map(\.rawValue).joined(separator: ", ")
        add(node, "field '\(field)' must be one of \(choices), not \(kind(of: node))")
        return nil
    }

    /// A non-empty list of device IDs, each `0x` and four hex digits, none twice. The reader
    /// resolves `0x20b5` to an integer; its text is checked so that `0x20b` or a decimal number
    /// is not taken for an ID.
    mutating func deviceIDs(_ node: YAMLNode) -> [UInt16]? {
        guard let items = node.items, !items.isEmpty else {
            add(node, "field 'device-ids' must be a list of PCI device IDs such as [0x20f1, 0x20b1], not \(kind(of: node))")
            return nil
        }
        var ids: [UInt16] = []
        var valid = true
        for item in items {
            guard item.isScalar, item.text.hasPrefix("0x"), let id = hexUInt16(item.text.dropFirst(2)) else {
                add(
                    item,
                    "field 'device-ids': '\(item.text)' is not a PCI device ID: write 0x and four hex digits, such as 0x20b5")
                valid = false
                continue
            }
            if ids.contains(id) {
                add(item, "field 'device-ids': 0x\(hex4(id)) is listed twice")
                valid = false
            }
            ids.append(id)
        }
        return valid ? ids : nil
    }

    /// `none`, or a mapping `{display-mode: SIZE}`; nil (with the problem noted) otherwise.
    mutating func bar1(_ node: YAMLNode) -> BAR1Behaviour? {
        let expected = "write none, or {display-mode: 256 MiB}"
        if node.string == "none" { return BAR1Behaviour.none }
        guard let entries = node.entries, entries.count == 1, let entry = entries.first,
            entry.key.string == "display-mode"
        else {
            add(node, "field 'bar1' must be none or a mapping with the one field display-mode, not \(kind(of: node)): \(expected)")
            return nil
        }
        guard let bytes = byteSize(entry.value.string ?? ""), bytes & (bytes - 1) == 0 else {
            add(entry.value, "field 'bar1': display-mode '\(entry.value.text)' is not a power of two with a unit, such as 256 MiB")
            return nil
        }
        return .modeDependent(displayMode: bytes)
    }

    /// Whether `model`'s `bar1` and `bar-sizes` agree with its BARs; notes the problem at
    /// `node` when not.
    mutating func checkBAR1(_ model: GPUModel, node: YAMLNode) -> Bool {
        let index = model.framebufferBARIndex
        let framebuffer = model.bar(at: index)
        switch model.bar1 {
        case .fixed:
            break
        case .none:
            if framebuffer != nil {
                add(node, "field 'bar1': none, but bars lists BAR \(index), the framebuffer BAR of \(model.architecture.rawValue)")
                return false
            }
        case .modeDependent(let small):
            guard let framebuffer, framebuffer.size > small else {
                add(
                    node,
                    "field 'bar1': the display-mode size must be below the size of BAR \(index), the framebuffer BAR"
                        + " of \(model.architecture.rawValue), which bars \(framebuffer == nil ? "does not list" : "gives as no larger")")
                return false
            }
        }
        if model.barEvidence == .bar1Measured, framebuffer == nil {
            add(node, "field 'bar-sizes': bar1-measured, but bars lists no BAR \(index), the framebuffer BAR")
            return false
        }
        return true
    }

    /// A non-empty list of `vvvv:dddd` subsystem IDs, none twice.
    mutating func subsystems(_ node: YAMLNode) -> [PCISubsystem]? {
        guard let items = node.items, !items.isEmpty else {
            add(node, "field 'subsystems' must be a list of subsystem IDs such as 10de:157e, not \(kind(of: node))")
            return nil
        }
        var subsystems: [PCISubsystem] = []
        var valid = true
        for item in items {
            let parts = item.text.split(separator: ":", omittingEmptySubsequences: false)
            guard item.isScalar, parts.count == 2, let vendor = hexUInt16(parts[0]), let device = hexUInt16(parts[1])
            else {
                add(
                    item,
                    "field 'subsystems': '\(item.text)' is not a subsystem ID:"
                        + " write vendor:device in hex, such as 10de:157e")
                valid = false
                continue
            }
            let subsystem = PCISubsystem(vendor: vendor, device: device)
            if subsystems.contains(subsystem) {
                add(item, "field 'subsystems': \(subsystem) is listed twice")
                valid = false
            }
            subsystems.append(subsystem)
        }
        return valid ? subsystems : nil
    }

    /// The BAR list, sorted by index, or nil when any BAR is wrong or they collide.
    mutating func bars(_ node: YAMLNode) -> [GPUModelBAR]? {
        guard let items = node.items, !items.isEmpty else {
            add(node, "field 'bars' must be a list of BARs such as {index: 0, size: 16 MiB, type: mem32,"
                + " prefetchable: false}, not \(kind(of: node))")
            return nil
        }
        var bars: [(bar: GPUModelBAR, node: YAMLNode)] = []
        var valid = true
        for item in items {
            if let bar = bar(item) { bars.append((bar, item)) } else { valid = false }
        }
        guard valid else { return nil }

        // A 64-bit BAR's upper half lives in the next register, which no other BAR may use.
        var owner: [Int: GPUModelBAR] = [:]
        for (bar, item) in bars {
            let slots = bar.is64Bit ? [bar.index, bar.index + 1] : [bar.index]
            if bar.is64Bit && bar.index == 5 {
                add(item, "field 'bars': BAR 5 is mem64, but a 64-bit BAR needs index + 1 for its upper half"
                    + " and there is no BAR 6")
                valid = false
                continue
            }
            for slot in slots {
                if let other = owner[slot] {
                    add(item, "field 'bars': " + overlap(bar, other, at: slot))
                    valid = false
                }
            }
            for slot in slots where owner[slot] == nil { owner[slot] = bar }
        }
        return valid ? bars.map(\.bar).sorted { $0.index < $1.index } : nil
    }

    /// Why `bar` cannot take `slot`, which `other` (given earlier) already takes.
    private func overlap(_ bar: GPUModelBAR, _ other: GPUModelBAR, at slot: Int) -> String {
        if bar.index == other.index { return "BAR \(bar.index) is given twice" }
        if slot == bar.index {
            return "BAR \(bar.index) overlaps the upper half of the 64-bit BAR \(other.index),"
                + " which takes index \(slot)"
        }
        return "the 64-bit BAR \(bar.index) needs index \(slot) for its upper half, but BAR \(other.index) is there"
    }

    /// One BAR mapping, or nil (with the problems noted).
    private mutating func bar(_ node: YAMLNode) -> GPUModelBAR? {
        guard let entries = node.entries else {
            add(node, "field 'bars': a BAR must be a mapping {index, size, type, prefetchable}, not \(kind(of: node))")
            return nil
        }
        var values: [String: YAMLNode] = [:]
        let fields = GPUCatalogDecoder.barFields
        var valid = true
        for entry in entries {
            if let field = entry.key.string, fields.contains(field) {
                values[field] = entry.value
            } else {
                add(
                    entry.key,
                    "field 'bars': unknown BAR field '\(entry.key.text)': they are \(fields.joined(separator: ", "))")
                valid = false
            }
        }
        let missing = fields.filter { values[$0] == nil }
        if !missing.isEmpty {
            add(node, "field 'bars': a BAR misses " + missing.map { "'\($0)'" }.joined(separator: ", "))
            return nil
        }
        // Plain if-lets, no closures over `self` or optional chains on YAMLNode here: the
        // Swift 6.3.1 optimizer's ownership verifier crashes on those in a release build.
        let indexNode = values["index"]
        var indexValue: Int?
        if let indexNode { indexValue = indexNode.int }
        let which: String
        if let indexValue { which = "BAR \(indexValue)" } else { which = "a BAR" }

        var index: Int?
        if let indexNode {
            if let indexValue, (0...5).contains(indexValue) {
                index = indexValue
            } else {
                add(indexNode, "field 'bars': \(which) has index '\(indexNode.text)': a BAR index is 0 to 5")
            }
        }
        var is64Bit: Bool?
        if let typeNode = values["type"] {
            switch typeNode.string {
            case "mem32": is64Bit = false
            case "mem64": is64Bit = true
            default: add(typeNode, "field 'bars': \(which) has type \(kind(of: typeNode)): it must be mem32 or mem64")
            }
        }
        var size: UInt64?
        if let sizeNode = values["size"] {
            if let bytes = byteSize(sizeNode.string ?? "") {
                if bytes & (bytes - 1) == 0 {
                    size = bytes
                } else {
                    add(sizeNode, "field 'bars': \(which) has size '\(sizeNode.text)', which is not a power of two")
                }
            } else {
                add(
                    sizeNode,
                    "field 'bars': \(which) has size '\(sizeNode.text)': write a number and a unit, such as 16 MiB")
            }
        }
        if let size, is64Bit == false, size > 1 << 31, let node = values["size"] {
            add(node, "field 'bars': \(which) is mem32 but \(node.text): a 32-bit BAR is at most 2 GiB")
            valid = false
        }
        let prefetchable = values["prefetchable"]?.bool
        if prefetchable == nil, let node = values["prefetchable"] {
            add(node, "field 'bars': \(which) has prefetchable \(kind(of: node)): it must be true or false")
        }
        guard valid, let index, let size, let is64Bit, let prefetchable else { return nil }
        return GPUModelBAR(index: index, size: size, is64Bit: is64Bit, isPrefetchable: prefetchable)
    }
}

// MARK: - Scalars

/// `text` as a 16-bit number when it is exactly four hex digits.
private func hexUInt16<S: StringProtocol>(_ text: S) -> UInt16? {
    guard text.count == 4, text.allSatisfy(\.isHexDigit) else { return nil }
    return UInt16(text, radix: 16)
}

/// The bytes of "N UNIT" (KiB, MiB, GiB or TiB), or nil when the text is not that or overflows.
private func byteSize(_ text: String) -> UInt64? {
    let parts = text.split(separator: " ", omittingEmptySubsequences: false)
    let shifts: [Substring: UInt64] = ["KiB": 10, "MiB": 20, "GiB": 30, "TiB": 40]
    guard parts.count == 2, parts[0].allSatisfy(\.isASCII), let count = UInt64(parts[0]), count > 0,
        let shift = shifts[parts[1]], count <= UInt64.max >> shift
    else { return nil }
    return count << shift
}

/// `value` as four lowercase hex digits.
private func hex4(_ value: UInt16) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 4 - digits.count) + digits
}

/// "line N: " for a node, or "" for none.
private func at(_ node: YAMLNode?) -> String { YAMLDocument.at(node) }

/// What a node is, in words, for messages.
private func kind(of node: YAMLNode) -> String { YAMLDocument.kind(of: node) }
