import GuestPrepModel

/// Installs the vSphere Bitfusion client package given by `client-package` (a .deb or .rpm, by
/// URL or guest path) after checking its SHA-256: apt-get for a .deb, dnf or zypper for an
/// .rpm. Once per instance; without the property it does nothing (the image has the client).
public struct BitfusionPackageStep: Step {
    public init() {}

    public let id = "bitfusion-package"
    public let stage = Stage.main
    public let frequency = StepFrequency.perInstance
    public let summary = "the Bitfusion client package installed from the given URL or path, SHA-256 checked"

    public static let downloads = "/var/lib/guestprep/downloads"

    /// Why the package cannot be installed here.
    public struct Unsupported: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public func plan(_ context: StepContext) throws -> StepPlan {
        let options = context.spec.bitfusion
        guard let location = options.clientPackage, let sha256 = options.clientPackageSHA256 else { return StepPlan() }
        let name = String(location.split(separator: "/").last ?? "bitfusion-client")
        var changes: [Change] = []
        let path: String
        if location.hasPrefix("/") {
            path = location
            guard context.fs.exists(path) else {
                throw Unsupported(description: "\(path) (\(PropertyKeys.bitfusionClientPackage)) does not exist")
            }
            // A local package is checked like a downloaded one: copied through the downloader.
            let copy = Self.downloads + "/" + name
            changes.append(
                Change(step: id, action: .download(url: "file://" + path, path: copy, sha256: sha256, caFile: nil, mode: 0o600)))
            return StepPlan(changes: changes + [try install(copy, context)])
        }
        path = Self.downloads + "/" + name
        changes.append(
            Change(step: id, action: .download(url: location, path: path, sha256: sha256, caFile: options.caFile, mode: 0o600)))
        changes.append(try install(path, context))
        return StepPlan(changes: changes)
    }

    private func install(_ path: String, _ context: StepContext) throws -> Change {
        if path.hasSuffix(".deb") {
            return .run(step: id, ["apt-get", "install", "--yes", "--no-install-recommends", path])
        }
        if context.fs.exists("/usr/bin/dnf") { return .run(step: id, ["dnf", "install", "--assumeyes", path]) }
        if context.fs.exists("/usr/bin/zypper") {
            return .run(step: id, ["zypper", "--non-interactive", "install", "--allow-unsigned-rpm", path])
        }
        throw Unsupported(
            description: "\(PropertyKeys.bitfusionClientPackage) is an .rpm, and neither dnf nor zypper is installed: give the .deb on Debian and Ubuntu")
    }
}
