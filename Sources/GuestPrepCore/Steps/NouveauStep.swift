import GuestPrepConfig
import GuestPrepModel
import GuestPrepRender

/// Keeps the kernel's nouveau driver off the NVIDIA GPUs, so that NVIDIA's driver can take
/// them: writes /etc/modprobe.d/blacklist-nouveau.conf (`blacklist nouveau`, `options nouveau
/// modeset=0`), rebuilds the initramfs with the distribution's tool (`InitramfsTool`, chosen
/// from os-release) so that no later boot loads nouveau either, and, when nouveau is loaded
/// now, takes it off the running system: each GPU it drives is unbound from it and the module
/// is unloaded (`modprobe -r`), so the main stage installs and loads the NVIDIA driver in the
/// same boot. Only when that cannot work (`NouveauRelease`: nouveau built in, a module that
/// depends on it, a GPU that drives the VM's only console) or fails (the kernel refuses the
/// unbind, a console or DRM client keeps the module in use, something of it is left) does the
/// machine reboot, and the reason is said and recorded.
///
/// Nothing half-done: on a distribution whose tool guestprep does not know the step fails
/// before it writes anything, since a blacklist the initramfs does not hold leaves nouveau in
/// early boot. The file is written with `NouveauBlacklistRenderer.pendingLine` before the
/// rebuild and without it after, so a rebuild that failed or was cut off is done again by the
/// next run. A blacklist already in force (both directives, in any modprobe.d file) is left as
/// it is; nouveau still loaded then is unloaded live all the same. The unload is always the
/// plan's last change, so the blacklist and the initramfs are in place whether it works or not.
///
/// It runs in the early stage, before the NVIDIA driver is installed, and on every boot: an
/// unchanged machine plans nothing.
public struct NouveauStep: Step {
    public init() {}

    public let id = "nouveau"
    public let stage = Stage.early
    public let frequency = StepFrequency.everyBoot
    public let summary = "nouveau blacklisted in /etc/modprobe.d and the initramfs rebuilt; when loaded, unloaded live, else a reboot"

    /// Why the step cannot go on; the message says what to do.
    public struct Unsupported: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public func plan(_ context: StepContext) throws -> StepPlan {
        let fs = context.fs
        let ours = try fs.readText(NouveauBlacklistRenderer.path)
        let pending = ours.map(NouveauBlacklistRenderer.isPending) ?? false
        let configuration = try ModprobeConfiguration.read(module: "nouveau", fs: fs)
        let inForce = !configuration.blacklistedIn.isEmpty && configuration.value(of: "modeset") == "0"
        let module = KernelModuleState.read("nouveau", fs: fs)
        let loaded = module.evidence
        var diagnostics: [Diagnostic] = []

        if inForce && !pending {
            let files = Set(configuration.blacklistedIn + [configuration.file(setting: "modeset")].compactMap { $0 })
            diagnostics.append(
                .info(nil, "nouveau is already blacklisted with modeset=0 (\(files.sorted().joined(separator: ", ")))"))
            guard let loaded else { return StepPlan(diagnostics: diagnostics) }
            switch NouveauRelease.decide(module, consoles: SystemConsoles.read(fs: fs)) {
            case .live(let unbind):
                diagnostics.append(
                    .info(nil, "nouveau is blacklisted but still loaded (\(loaded)): it is unloaded live; if that fails the machine reboots"))
                return StepPlan(changes: [.unloadModule(step: id, "nouveau", unbind: unbind)], diagnostics: diagnostics)
            case .reboot(let reason):
                // Nothing to change, so nothing to reboot for: a reboot with the blacklist in
                // force is the fix, unless the initramfs does not hold it.
                diagnostics.append(
                    .warning(
                        nil,
                        "nouveau is blacklisted but still loaded (\(loaded)), and \(reason): reboot before the NVIDIA "
                            + "driver is installed; if it is still loaded after a reboot, the initramfs does not hold the "
                            + "blacklist: rebuild it"
                    ))
                return StepPlan(diagnostics: diagnostics)
            }
        }

        let release = try Self.osRelease(fs: fs)
        guard let tool = InitramfsTool.choose(for: release.value) else {
            throw Unsupported(description: Self.unsupportedMessage(release.value, source: release.path))
        }
        var changes: [Change] = []
        // A pending file edited so that it no longer blacklists nouveau is written anew first:
        // the rebuild must take the blacklist in.
        if !pending || !inForce {
            let first = NouveauBlacklistRenderer.render(pending: true)
            changes.append(.write(step: id, path: first.path, text: first.text, mode: first.mode))
        }
        changes.append(.run(step: id, tool.argv))
        let done = NouveauBlacklistRenderer.render(pending: false)
        changes.append(.write(step: id, path: done.path, text: done.text, mode: done.mode))

        diagnostics.append(
            .info(
                nil,
                pending
                    ? "\(done.path) is written but the initramfs was not rebuilt with it (the last rebuild "
                        + "failed or was cut off): it is rebuilt now"
                    : "nouveau is blacklisted in \(done.path) and the initramfs rebuilt"))
        diagnostics.append(
            .info(
                nil,
                "the initramfs tool for \(release.value.displayName), a \(tool.family) system: "
                    + tool.argv.joined(separator: " ")
            ))
        var reboot: String?
        if let loaded {
            switch NouveauRelease.decide(module, consoles: SystemConsoles.read(fs: fs)) {
            case .live(let unbind):
                changes.append(.unloadModule(step: id, "nouveau", unbind: unbind))
                diagnostics.append(
                    .info(
                        nil,
                        context.onHost
                            ? "nouveau is loaded (\(loaded)): it is unloaded live after the rebuild; if that fails the machine reboots"
                            : "nouveau is loaded (\(loaded)): nothing is unloaded under a root other than /, so the machine reboots after this step"))
            case .reboot(let reason):
                reboot = reason
                diagnostics.append(.info(nil, "nouveau is loaded (\(loaded)) and \(reason): the machine reboots after this step"))
            }
        }
        return StepPlan(
            changes: changes, diagnostics: diagnostics, rebootAfter: reboot != nil, rebootReason: reboot,
            notes: ["initramfs tool: \(tool.argv.joined(separator: " "))"])
    }

    /// The distribution, from the first os-release file that exists, and that file's path.
    /// With neither, os-release(5)'s default: `ID=linux`.
    static func osRelease(fs: any FileSystem) throws -> (value: OSRelease, path: String?) {
        for path in OSRelease.paths {
            if let text = try fs.readText(path) { return (OSReleaseDecoder.decode(text), path) }
        }
        return (OSRelease(), nil)
    }

    /// The message for a distribution without a known initramfs tool: what was found, what
    /// is known, and what to do.
    static func unsupportedMessage(_ release: OSRelease, source: String?) -> String {
        let like = release.idLike.isEmpty ? "" : " ID_LIKE=\(release.idLike.joined(separator: " "))"
        let found =
            source.map { "\($0) says ID=\(release.id)\(like)" }
            ?? "there is no /etc/os-release or /usr/lib/os-release, so ID=linux"
        return "cannot rebuild the initramfs: \(found), and guestprep knows the tool only for Debian/Ubuntu, "
            + "RHEL/Fedora, SUSE and Photon OS and their derivatives (ID or ID_LIKE "
            + "\(InitramfsTool.knownIDs.joined(separator: ", "))); this step changed nothing. Blacklist nouveau and "
            + "rebuild the initramfs by hand, then run guestprep again, or leave the nouveau step out of the profile"
    }

    /// Why nouveau counts as loaded, or nil when it does not: the module in sysfs or in
    /// /proc/modules, or a device bound to its PCI driver (`KernelModuleState.evidence`).
    static func loadedEvidence(fs: any FileSystem) -> String? {
        KernelModuleState.read("nouveau", fs: fs).evidence
    }
}
