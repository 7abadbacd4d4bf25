import GuestPrepModel

/// The program that rebuilds a distribution's initramfs, chosen from os-release: `ID` first,
/// then each `ID_LIKE` entry, so a derivative (Linux Mint, AlmaLinux, openSUSE Leap) gets its
/// parent's tool. Every choice rebuilds the images of all installed kernels, not only the
/// running one: a kernel installed but not booted yet (unattended upgrades, a template
/// updated before sealing) must not boot with nouveau still in its initramfs.
public struct InitramfsTool: Sendable, Equatable {
    /// The family, in words (`Debian/Ubuntu`).
    public var family: String
    /// The command, by argv; `argv[0]` is its name in `CommandTable`.
    public var argv: [String]

    public init(family: String, argv: [String]) {
        self.family = family
        self.argv = argv
    }

    /// Debian, Ubuntu and derivatives: initramfs-tools, for every kernel (`-k all`).
    public static let initramfsTools = InitramfsTool(
        family: "Debian/Ubuntu", argv: ["update-initramfs", "-u", "-k", "all"])
    /// RHEL 8 and later, its rebuilds, Fedora, Amazon Linux 2023: dracut for every kernel
    /// under /lib/modules (`--regenerate-all`, dracut 044 and later).
    public static let dracutAll = InitramfsTool(family: "RHEL/Fedora", argv: ["dracut", "--force", "--regenerate-all"])
    /// RHEL, CentOS and Oracle Linux 7: dracut 033, which has no `--regenerate-all`, so only
    /// the running kernel's image is rebuilt.
    public static let dracutRunning = InitramfsTool(family: "RHEL/CentOS 7", argv: ["dracut", "--force"])
    /// SLES and openSUSE: dracut, as SUSE documents it (its `mkinitrd` is a dracut wrapper on
    /// SLES 12/15 and is gone from Tumbleweed), for every kernel.
    public static let dracutSUSE = InitramfsTool(family: "SUSE", argv: ["dracut", "--force", "--regenerate-all"])
    /// Photon OS: its dracut package's `mkinitrd`, patched for Photon, rebuilds
    /// /boot/initrd.img-VERSION (the name Photon's boot loader entries use) for every kernel
    /// registered in /var/lib/initramfs/kernel, with that kernel's dracut arguments. Plain
    /// dracut would write /boot/initramfs-VERSION.img, which Photon never boots.
    public static let photonMkinitrd = InitramfsTool(family: "Photon OS", argv: ["mkinitrd"])

    /// The IDs each tool is chosen for.
    static let families: [(ids: Set<String>, tool: InitramfsTool)] = [
        (["debian", "ubuntu"], initramfsTools),
        (["rhel", "centos", "fedora", "rocky", "almalinux", "ol", "amzn", "scientific"], dracutAll),
        (["sles", "sled", "suse", "opensuse", "opensuse-leap", "opensuse-tumbleweed"], dracutSUSE),
        (["photon"], photonMkinitrd),
    ]

    /// The IDs of the older RHEL family whose dracut lacks `--regenerate-all` at version 7.
    static let dracut033IDs: Set<String> = ["rhel", "centos", "ol", "scientific"]

    /// The tool for `release`, or nil when neither its ID nor any ID_LIKE entry is known.
    public static func choose(for release: OSRelease) -> InitramfsTool? {
        for id in release.lineage {
            guard let family = families.first(where: { $0.ids.contains(id) }) else { continue }
            if family.tool == dracutAll, dracut033IDs.contains(release.id), let version = release.versionID,
                let major = Int(version.prefix { $0.isNumber }), major <= 7
            {
                return dracutRunning
            }
            return family.tool
        }
        return nil
    }

    /// Every ID `choose` knows, for messages.
    public static var knownIDs: [String] { families.flatMap { $0.ids.sorted() } }
}
