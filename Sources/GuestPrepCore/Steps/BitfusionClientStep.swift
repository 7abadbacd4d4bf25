import GuestPrepConfig
import GuestPrepModel

/// Enrolls the VM as a vSphere Bitfusion client for each Bitfusion user.
///
/// With a token archive: /etc/bitfusion/tls/ca.crt (0644), and in each user's ~/.bitfusion
/// (0700, the user's) client.yaml (0600: it holds the client's credential) and servers.conf
/// (0644), both the user's, since the client rewrites them itself. What lies below a home is
/// the user's: the changes there follow no link and refuse a ~/.bitfusion that is a link or
/// not the user's (`FileSystem.writeUnderHome`). With the access token
/// alone the client enrolls itself from guestinfo when it first runs, and this step only
/// keeps the record.
///
/// It runs on every boot but acts only when what it enrolls from changes: a new instance (a
/// clone or a move), a new token or archive, other users. Then, as the user guide's re-enable
/// procedure says, the old client.yaml and servers.conf go first. A record of what it enrolled
/// from (a fingerprint, never the secret) is kept in /var/lib/guestprep (0600).
public struct BitfusionClientStep: Step {
    /// Enroll again even when the record says nothing changed (`reenable-client`).
    public let force: Bool

    public init(force: Bool = false) { self.force = force }

    public let id = "bitfusion-client"
    public let stage = Stage.main
    public let frequency = StepFrequency.everyBoot
    public let summary = "ca.crt, client.yaml and servers.conf installed for each Bitfusion user; re-enabled after a clone"

    public static let caPath = "/etc/bitfusion/tls/ca.crt"
    public static let recordPath = "/var/lib/guestprep/bitfusion-client"

    /// Why the step cannot go on.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public func plan(_ context: StepContext) throws -> StepPlan {
        let fs = context.fs
        guard let client = context.spec.client else {
            if force {
                throw Failure(
                    description: "nothing to enroll from: no \(PropertyKeys.clientAccessToken) and no token archive; re-enable the client in the vSphere Bitfusion plugin first (VM powered off), then run this again")
            }
            return StepPlan(diagnostics: [
                .warning(
                    nil,
                    "no \(PropertyKeys.clientAccessToken) and no token archive (\(PropertyKeys.bitfusionTokenArchive) or \(PropertyKeys.bitfusionTokenArchiveURL)): the client is not enrolled; enable it in the vSphere Bitfusion plugin (VM powered off)")
            ])
        }
        let accounts = try BitfusionAccounts.read(fs: fs)
        let users = try accounts.resolve(context.spec.bitfusion.users)
        let archive: TokenArchive?
        switch client.archive {
        case .decoded(let decoded)?: archive = decoded
        case .location?:
            throw Failure(description: "the token archive (\(PropertyKeys.bitfusionTokenArchiveURL)) was not fetched before planning")
        case nil: archive = nil
        }
        let record = Self.record(instance: context.instance, client: client, archive: archive, users: users.map(\.name))
        let recorded = try fs.readText(Self.recordPath)
        if !force, recorded == record { return StepPlan() }

        var changes: [Change] = []
        var diagnostics: [Diagnostic] = []
        let reenabling = force || recorded != nil || context.previousInstance != nil
        if let archive {
            changes += try writes(archive, users, accounts, fs)
            diagnostics.append(
                .info(nil, "Bitfusion client enrolled from the token archive for \(users.map(\.name).joined(separator: ", ")): \(archive.servers.count) server address\(archive.servers.count == 1 ? "" : "es")"))
        } else {
            // The guide's re-enable: remove client.yaml and servers.conf so that the client
            // enrolls again from the token guestinfo holds now.
            if reenabling {
                for user in users {
                    try accounts.checkDirectory(of: user, fs: fs, operation: "delete")
                    let directory = BitfusionAccounts.directory(of: user)
                    for name in ["client.yaml", "servers.conf"] where fs.linkOrEntryExists(directory + "/" + name) {
                        changes.append(.delete(step: id, path: directory + "/" + name, home: accounts.home(of: user)))
                    }
                }
            }
            diagnostics.append(
                .info(nil, "the vSphere Bitfusion client enrolls itself from \(PropertyKeys.clientAccessToken) when it first runs\(changes.isEmpty ? "" : " (old client.yaml and servers.conf removed)")"))
        }
        changes.append(.write(step: id, path: Self.recordPath, text: record, mode: 0o600))
        return StepPlan(changes: changes, diagnostics: diagnostics, notes: ["enrolled for \(users.map(\.name).joined(separator: ", "))"])
    }

    private func writes(
        _ archive: TokenArchive, _ users: [AccountFileDecoder.User], _ accounts: BitfusionAccounts, _ fs: any FileSystem
    ) throws -> [Change] {
        var changes: [Change] = []
        if try fs.read(Self.caPath) != archive.caCertificate {
            changes.append(Change(step: id, action: .write(path: Self.caPath, content: archive.caCertificate, mode: 0o644, owner: .root)))
        }
        for user in users {
            try accounts.checkDirectory(of: user, fs: fs, operation: "write")
            let owner = accounts.owner(of: user)
            let home = accounts.home(of: user)
            let directory = BitfusionAccounts.directory(of: user)
            // The file system creates a missing ~/.bitfusion (0700, the user's) below the home.
            changes.append(
                Change(
                    step: id,
                    action: .write(path: directory + "/client.yaml", content: archive.clientYAML.reveal(), mode: 0o600, owner: owner),
                    sensitive: true, home: home))
            changes.append(
                Change(
                    step: id, action: .write(path: directory + "/servers.conf", content: archive.serversConf, mode: 0o644, owner: owner),
                    home: home))
        }
        return changes
    }

    /// What the step enrolled from, as kept in the record: the instance, the users, and an
    /// FNV-1a fingerprint of the token and the archive — enough to see a change, never the
    /// secret itself.
    static func record(instance: String, client: ClientEnrollment, archive: TokenArchive?, users: [String]) -> String {
        var hash = FNV1a64()
        // Each part ends with a byte no text has, so two parts cannot run into each other.
        func mix(_ bytes: some Sequence<UInt8>) {
            hash.mix(bytes)
            hash.mix([0xff])
        }
        mix(client.accessToken?.reveal().utf8 ?? "".utf8)
        if let archive {
            mix(archive.caCertificate)
            mix(archive.clientYAML.reveal())
            mix(archive.serversConf)
        }
        return "instance \(instance)\nusers \(users.joined(separator: ","))\ninput \(hash.hex)\n"
    }
}
