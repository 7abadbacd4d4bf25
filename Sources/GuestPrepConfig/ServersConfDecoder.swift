import GuestPrepModel

/// Decodes a Bitfusion client's servers.conf, in either of its formats:
///
/// - YAML (Bitfusion 3.5 and later), recognised by a top-level `servers:` key: a list of
///   servers, each a mapping whose `addresses` list gives its `IP:PORT` addresses. Keys other
///   than `servers` at the top are errors; other keys of a server are ignored, so a later
///   version's additions do not break the decoder.
/// - Lines (older clients): one server per line, `IP`, `IP:PORT` or `IP PORT`, the port
///   56001 when none is given. Blank lines and `#` comments are skipped.
///
/// Bitfusion supports IPv4 only: an IPv6 address or a host name is an error that says so.
/// Every problem is reported, each with its 1-based line. A file that lists no server decodes
/// to no servers; whether that is acceptable is the caller's decision.
public enum ServersConfDecoder {
    /// The servers `text` lists.
    ///
    /// - Throws: ``ServersConfError`` with every problem found, in line order.
    public static func decode(_ text: String) throws(ServersConfError) -> ServersConf {
        var problems: [ServersConfError.Problem] = []
        let conf = isYAML(text) ? yaml(text, &problems) : lines(text, &problems)
        guard problems.isEmpty else {
            throw ServersConfError(problems: problems.enumerated().sorted {
                ($0.element.line, $0.offset) < ($1.element.line, $1.offset)
            }.map(\.element))
        }
        return conf
    }

    /// Whether a line starts with the key `servers:` at the first column.
    static func isYAML(_ text: String) -> Bool {
        text.split(whereSeparator: isLineBreak).contains { line in
            guard line.hasPrefix("servers:") else { return false }
            let rest = line.dropFirst("servers:".count)
            return rest.first.map { $0 == " " || $0 == "\t" || $0 == "#" || $0 == "\r" } ?? true
        }
    }

    /// A line feed, or a CR LF, which Swift counts as one Character.
    private static func isLineBreak(_ character: Character) -> Bool {
        character == "\n" || character == "\r\n"
    }

    // MARK: Lines

    private static func lines(_ text: String, _ problems: inout [ServersConfError.Problem]) -> ServersConf {
        var servers: [[BitfusionServerAddress]] = []
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: isLineBreak).enumerated() {
            let number = index + 1
            let content = rawLine.prefix { $0 != "#" }
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            func problem(_ message: String) { problems.append(.init(line: number, message: message)) }
            switch fields.count {
            case 0:
                continue
            case 1:
                if fields[0].hasSuffix(":"), fields[0].contains(where: \.isLetter) {
                    problem("\(Quoting.quote(fields[0])) is not a server address; a YAML servers.conf starts with the key 'servers:' at the first column")
                    continue
                }
                switch address(fields[0]) {
                case .success(let address): servers.append([address])
                case .failure(let message): problem(message.text)
                }
            case 2:
                if fields[0].contains(":"), !isIPv6(fields[0]) {
                    problem(
                        "\(Quoting.quote(Trimming.trim(String(content)))) has a field after IP:PORT: a line gives one server as IP, IP:PORT or IP PORT")
                    continue
                }
                switch address(host: fields[0], port: fields[1]) {
                case .success(let address): servers.append([address])
                case .failure(let message): problem(message.text)
                }
            default:
                problem(
                    "\(Quoting.quote(Trimming.trim(String(content)))) has \(fields.count) fields: a line gives one server as IP, IP:PORT or IP PORT")
            }
        }
        return ServersConf(format: .lines, servers: servers)
    }

    // MARK: YAML

    private static func yaml(_ text: String, _ problems: inout [ServersConfError.Problem]) -> ServersConf {
        let conf = ServersConf(format: .yaml, servers: [])
        let document: YAMLNode?
        do {
            document = try YAMLReader.read(text)
        } catch {
            problems.append(.init(line: error.line, message: "invalid YAML at column \(error.column): \(error.message)"))
            return conf
        }
        guard let entries = document?.entries else {
            // A `servers:` line at the first column makes the root a mapping or a syntax error;
            // this is for safety only.
            problems.append(.init(line: document?.line ?? 1, message: "servers.conf must be a mapping with the key 'servers'"))
            return conf
        }
        var servers: [[BitfusionServerAddress]] = []
        for entry in entries {
            guard entry.key.string == "servers" else {
                problems.append(
                    .init(line: entry.key.line, message: "unknown key \(Quoting.quote(entry.key.text)): servers.conf has only the key 'servers'"))
                continue
            }
            let list = entry.value
            if list.isNull { continue }
            guard let items = list.items else {
                problems.append(
                    .init(line: list.line, message: "servers must be a list of servers, each with its addresses, not \(YAMLDocument.kind(of: list))"))
                continue
            }
            for (index, item) in items.enumerated() {
                if let addresses = serverAddresses(item, number: index + 1, &problems) { servers.append(addresses) }
            }
        }
        return ServersConf(format: .yaml, servers: servers)
    }

    /// The addresses of server `number` (1-based), or nil with its problems noted.
    private static func serverAddresses(
        _ item: YAMLNode, number: Int, _ problems: inout [ServersConfError.Problem]
    ) -> [BitfusionServerAddress]? {
        guard item.entries != nil else {
            problems.append(
                .init(line: item.line, message: "server \(number) must be a mapping with the key 'addresses', not \(YAMLDocument.kind(of: item))"))
            return nil
        }
        guard let list = item["addresses"] else {
            problems.append(.init(line: item.line, message: "server \(number) has no addresses: give its 'addresses' list"))
            return nil
        }
        guard let items = list.items ?? (list.isNull ? [] : nil) else {
            problems.append(
                .init(line: list.line, message: "the addresses of server \(number) must be a list of IP:PORT, not \(YAMLDocument.kind(of: list))"))
            return nil
        }
        guard !items.isEmpty else {
            problems.append(.init(line: list.line, message: "server \(number) has an empty addresses list: give at least one IP:PORT"))
            return nil
        }
        var addresses: [BitfusionServerAddress] = []
        var valid = true
        for node in items {
            guard let text = node.string else {
                problems.append(
                    .init(line: node.line, message: "an address must be IP:PORT (such as 172.31.51.20:56001), not \(YAMLDocument.kind(of: node))"))
                valid = false
                continue
            }
            let trimmed = Trimming.trim(text)
            if trimmed.contains(where: { $0 == " " || $0 == "\t" }) {
                problems.append(
                    .init(line: node.line, message: "\(Quoting.quote(trimmed)) is not IP:PORT: write an address as IP:PORT, such as 172.31.51.20:56001"))
                valid = false
                continue
            }
            switch address(trimmed) {
            case .success(let address): addresses.append(address)
            case .failure(let message):
                problems.append(.init(line: node.line, message: message.text))
                valid = false
            }
        }
        return valid ? addresses : nil
    }

    // MARK: Addresses

    /// `IP` or `IP:PORT`.
    private static func address(_ text: String) -> Result<BitfusionServerAddress, Message> {
        if isIPv6(text) { return .failure(ipv6(text)) }
        guard let colon = text.firstIndex(of: ":") else { return address(host: text, port: nil) }
        return address(host: String(text[..<colon]), port: String(text[text.index(after: colon)...]))
    }

    private static func address(host: String, port: String?) -> Result<BitfusionServerAddress, Message> {
        guard let ip = IPv4Address(host) else {
            if isIPv6(host) { return .failure(ipv6(host)) }
            if host.contains(where: { $0.isLetter }) {
                return .failure(Message(
                    "\(Quoting.quote(host)) is a host name: Bitfusion supports IPv4 addresses only; give the server's IPv4 address"))
            }
            return .failure(Message(
                "\(Quoting.quote(host)) is not an IPv4 address: use four decimal numbers 0–255 separated by dots, such as 172.31.51.20"))
        }
        guard let port else { return .success(BitfusionServerAddress(address: ip)) }
        guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .failure(Message("the port \(Quoting.quote(port)) of \(ip) is not a number: a port is 1 to 65535"))
        }
        // More than five digits cannot be a port (and might not fit in an Int).
        guard port.count <= 5, let number = Int(port), BitfusionServerAddress.portRange.contains(number) else {
            return .failure(Message("the port \(port) of \(ip) is out of range: a port is 1 to 65535"))
        }
        return .success(BitfusionServerAddress(address: ip, port: number))
    }

    /// Two colons or a bracket: an IPv6 address, bare or `[…]:PORT`.
    private static func isIPv6(_ text: String) -> Bool {
        text.hasPrefix("[") || text.filter { $0 == ":" }.count >= 2
    }

    private static func ipv6(_ text: String) -> Message {
        Message("\(Quoting.quote(text)) is an IPv6 address: Bitfusion supports IPv4 addresses only")
    }
}

/// Why a servers.conf could not be decoded: every problem, each with its line.
public struct ServersConfError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem and where it is.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The 1-based line of the problem.
        public let line: Int
        /// What is wrong, without the line.
        public let message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }

        /// "line L: message".
        public var description: String { "line \(line): \(message)" }
    }

    /// The problems, in line order.
    public let problems: [Problem]

    public init(problems: [Problem]) { self.problems = problems }

    /// The problems joined by "; ".
    public var description: String { problems.map(\.description).joined(separator: "; ") }
}
