/// Reads /etc/passwd and /etc/group as the guest has them (colon-separated lines; `#` comments
/// and malformed lines are skipped, as the C library skips them). Pure.
public enum AccountFileDecoder {
    /// One /etc/passwd entry.
    public struct User: Sendable, Equatable {
        public var name: String
        public var uid: Int
        public var gid: Int
        public var home: String

        public init(name: String, uid: Int, gid: Int, home: String) {
            self.name = name
            self.uid = uid
            self.gid = gid
            self.home = home
        }
    }

    /// One /etc/group entry.
    public struct Group: Sendable, Equatable {
        public var name: String
        public var gid: Int
        public var members: [String]
    }

    public static func users(_ text: String) -> [User] {
        fields(text, count: 7).compactMap { parts in
            guard let uid = Int(parts[2]), let gid = Int(parts[3]) else { return nil }
            return User(name: String(parts[0]), uid: uid, gid: gid, home: String(parts[5]))
        }
    }

    public static func groups(_ text: String) -> [Group] {
        fields(text, count: 4).compactMap { parts in
            guard let gid = Int(parts[2]) else { return nil }
            let members = parts[3].split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
            return Group(name: String(parts[0]), gid: gid, members: members)
        }
    }

    private static func fields(_ text: String, count: Int) -> [[Substring]] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let parts = line.split(separator: ":", omittingEmptySubsequences: false)
            return parts.count == count && !parts[0].isEmpty ? parts : nil
        }
    }
}
