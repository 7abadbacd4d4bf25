import GuestPrepConfig
import GuestPrepModel

/// Every secret value guestprep knows of on this machine, for the support bundle to scrub:
/// the secret properties as read from the sources (guestinfo, the OVF environment, KVP, ...),
/// the token archive (given as a property or left at its scratch path) with the credentials
/// its client.yaml holds, each Bitfusion user's ~/.bitfusion/client.yaml (read without
/// following a link the user made) and the vGPU client configuration tokens. What could not
/// be read is said in `unreadable`, for the manifest.
public struct SupportBundleSecrets: Sendable {
    public var values: Set<String> = []
    /// What could not be read, each with the reason.
    public var unreadable: [SupportBundleAbsence] = []

    public init() {}

    /// The largest client.yaml or token file read.
    static let fileLimit = 1 << 20

    public static func gather(fs: any FileSystem, properties: PropertySet?) -> SupportBundleSecrets {
        var secrets = SupportBundleSecrets()
        if let properties {
            secrets.values.formUnion(SecretScrubber.secrets(in: properties))
            if let archive = properties[PropertyKeys.bitfusionTokenArchive], !Self.trimmed(archive).isEmpty,
                let decoded = try? TokenArchiveDecoder.decode(base64: archive)
            {
                secrets.add(clientYAML: decoded.clientYAML.reveal())
            }
        }
        if let bytes = try? fs.readRange(TokenArchiveResolver.scratchPath, offset: 0, limit: InputLimits.tokenArchive),
            let decoded = try? TokenArchiveDecoder.decode(bytes)
        {
            secrets.add(clientYAML: decoded.clientYAML.reveal())
        }
        do {
            let accounts = try BitfusionAccounts.read(fs: fs)
            for user in accounts.users where user.home.hasPrefix("/") && user.home != "/" {
                let path = BitfusionAccounts.directory(of: user) + "/client.yaml"
                do {
                    if let bytes = try fs.readUnderHome(path, home: accounts.home(of: user), limit: fileLimit) {
                        secrets.add(clientYAML: bytes)
                    }
                } catch {
                    secrets.unreadable.append(SupportBundleAbsence(item: path, reason: "not read for its secrets: \(error)"))
                }
            }
        } catch {
            secrets.unreadable.append(SupportBundleAbsence(item: "/etc/passwd", reason: "unreadable, so no user's client.yaml was read: \(error)"))
        }
        let tokens = "/etc/nvidia/ClientConfigToken"
        for name in ((try? fs.list(tokens)) ?? nil) ?? [] {
            if let bytes = try? fs.readRange(tokens + "/" + name, offset: 0, limit: fileLimit) {
                let token = Self.trimmed(String(decoding: bytes, as: UTF8.self))
                if token.count >= SecretScrubber.minimumLength { secrets.values.insert(token) }
            }
        }
        return secrets
    }

    /// A client.yaml's secret values, and the file whole when it names no key (a bare token).
    mutating func add(clientYAML bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let found = SecretScrubber.secretValues(in: text)
        values.formUnion(found)
        let whole = Self.trimmed(text)
        if found.isEmpty, whole.count >= SecretScrubber.minimumLength, !whole.contains("\n") {
            values.insert(whole)
        }
    }

    private static func trimmed(_ text: String) -> String {
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

/// An item the bundle does not hold, and why.
public struct SupportBundleAbsence: Sendable, Equatable, Codable {
    /// The file, program or report.
    public var item: String
    public var reason: String

    public init(item: String, reason: String) {
        self.item = item
        self.reason = reason
    }
}
