import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel
import Testing

/// The exact commands each distribution's route runs.
@Suite struct DriverInstallPlannerTests {
    let sha = String(repeating: "0f", count: 32)
    let aptInstall = ["apt-get", "install", "-y", "--no-install-recommends", "-o", "Dpkg::Options::=--force-confold"]

    func input(
        _ release: OSRelease, branch: Int = 580, flavor: DriverModuleFlavor = .open, secureBoot: Bool? = false,
        request: DriverRequest = DriverRequest(), available: Set<String> = [], local: [String] = [],
        existing: Set<String> = [], kernel: String = "6.8.0-45-generic", images: [InstalledPackage] = [],
        populated: Bool = false
    ) -> DriverInstallInput {
        DriverInstallInput(
            release: release, kernelRelease: kernel, choice: DriverSelection.Choice(branch: branch, flavor: flavor),
            secureBoot: secureBoot, request: request, packageAvailable: { available.contains($0) },
            packageIndexPopulated: populated, kernelImages: images, localPackages: local, existing: existing)
    }

    func writes(_ plan: DriverInstallPlan) -> [String: String] {
        var files: [String: String] = [:]
        for change in plan.changes {
            if case .write(let path, let content, _, _) = change.action { files[path] = String(decoding: content, as: UTF8.self) }
        }
        return files
    }

    /// The refusal `input` gets, as text ("" when it plans).
    func refusal(_ input: DriverInstallInput) -> String {
        do {
            _ = try DriverInstallPlanner.plan(input)
            return ""
        } catch {
            return "\(error)"
        }
    }

    /// linux-image-generic installed, depending on the running kernel's image.
    let gaImages = [InstalledPackage(name: "linux-image-generic", depends: ["linux-image-6.8.0-45-generic"])]

    func argv(_ plan: DriverInstallPlan) -> [[String]] {
        plan.changes.compactMap { if case .run(let argv) = $0.action { argv } else { nil } }
    }

    let ubuntu = OSRelease(id: "ubuntu", idLike: ["debian"], versionID: "24.04")
    let debian = OSRelease(id: "debian", versionID: "12")
    let rocky = OSRelease(id: "rocky", idLike: ["rhel", "centos", "fedora"], versionID: "9.4")
    let sles = OSRelease(id: "sles", idLike: ["suse"], versionID: "15.6")
    let suseKernel = "6.4.0-150600.23.25-default"

    @Test func ubuntuTakesCanonicalsPrecompiledSignedModulesWhenTheyExistForTheKernel() throws {
        let plan = try DriverInstallPlanner.plan(
            input(
                ubuntu, secureBoot: true,
                available: ["linux-modules-nvidia-580-server-open-6.8.0-45-generic", "linux-modules-nvidia-580-server-open-generic"],
                images: gaImages))
        #expect(plan.route == "Ubuntu precompiled signed modules")
        #expect(plan.signed)
        #expect(
            argv(plan) == [
                aptInstall + [
                    "linux-modules-nvidia-580-server-open-6.8.0-45-generic", "linux-modules-nvidia-580-server-open-generic",
                    "nvidia-headless-no-dkms-580-server-open", "nvidia-utils-580-server",
                ]
            ])
        #expect(plan.notes.contains("Secure Boot is on: the modules of this route are signed"))
    }

    @Test func ubuntuFallsBackToDKMSWithoutPrecompiledModules() throws {
        let plan = try DriverInstallPlanner.plan(input(ubuntu, flavor: .proprietary))
        #expect(plan.route == "Ubuntu DKMS")
        // DKMS builds against the running kernel's headers, which --no-install-recommends would
        // not pull in.
        #expect(argv(plan) == [aptInstall + ["nvidia-headless-580-server", "linux-headers-6.8.0-45-generic", "nvidia-utils-580-server"]])
    }

    @Test func secureBootRefusesDKMSWithTheMOKExplanation() {
        #expect {
            try DriverInstallPlanner.plan(input(ubuntu, secureBoot: true))
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("Secure Boot is on, and Ubuntu DKMS installs kernel modules that no key the firmware trusts has signed")
                && text.contains("mokutil --import") && text.contains("Ubuntu precompiled signed modules (route distro)")
                && text.contains("Set-VMFirmware -EnableSecureBoot Off")
        }
    }

    @Test func debianUsesNVIDIAsRepositoryWhenCudaKeyringIsInstalled() throws {
        // Below 590 too the branch's pinning package comes first, in its own apt-get, or
        // cuda-drivers-580 pulls in 590 (which has no Volta).
        let plan = try DriverInstallPlanner.plan(
            input(debian, flavor: .proprietary, existing: [DriverInstallPlanner.cudaKeyring], kernel: "6.1.0-26-amd64"))
        #expect(
            argv(plan) == [
                aptInstall + ["nvidia-driver-pinning-580"], aptInstall + ["linux-headers-6.1.0-26-amd64", "cuda-drivers-580"],
            ])
        #expect(plan.branch == 580)
        let pinned = try DriverInstallPlanner.plan(
            input(debian, branch: 590, flavor: .open, existing: [DriverInstallPlanner.cudaKeyring], kernel: "6.1.0-26-amd64"))
        #expect(argv(pinned) == [aptInstall + ["nvidia-driver-pinning-590"], aptInstall + ["linux-headers-6.1.0-26-amd64", "nvidia-open"]])
    }

    @Test func debianOtherwiseUsesItsOwnNonFreeBranch() throws {
        let plan = try DriverInstallPlanner.plan(input(debian, flavor: .proprietary, kernel: "6.1.0-26-amd64"))
        #expect(plan.branch == 535)
        #expect(
            argv(plan) == [
                aptInstall + ["nvidia-kernel-dkms", "nvidia-smi", "nvidia-persistenced", "libcuda1", "linux-headers-6.1.0-26-amd64"]
            ])
        #expect {
            try DriverInstallPlanner.plan(input(debian, request: DriverRequest(branch: 580)))
        } throws: { "\($0)".contains("Debian 12's own driver is branch 535, not the 580 asked for") }
        #expect {
            try DriverInstallPlanner.plan(input(debian, request: DriverRequest(route: .nvidiaRepo)))
        } throws: { "\($0)".contains("install cuda-keyring in the template") }
    }

    @Test func rockyUsesNVIDIAsModuleStreams() throws {
        let plan = try DriverInstallPlanner.plan(
            input(rocky, branch: 570, existing: ["/etc/yum.repos.d/epel.repo"], kernel: "5.14.0-427.el9.x86_64"))
        // NVIDIA Driver Installation Guide 620/kernel-modules.html: enable the stream, install nvidia-open.
        #expect(
            argv(plan) == [
                ["dnf", "install", "-y", "kernel-devel-5.14.0-427.el9.x86_64", "kernel-headers-5.14.0-427.el9.x86_64"],
                ["dnf", "module", "enable", "-y", "nvidia-driver:570-open"],
                ["dnf", "install", "-y", "nvidia-open"],
            ])
        #expect(plan.changes.first?.path == "/etc/yum.repos.d/cuda-rhel9.repo")
        #expect {
            try DriverInstallPlanner.plan(input(rocky))
        } throws: { "\($0)".contains("need dkms from EPEL") }
    }

    @Test func suseTakesTheSignedOpenKMP() throws {
        // The -cuda KMP flavour pairs with the CUDA repository's userspace (software.opensuse.org).
        let plan = try DriverInstallPlanner.plan(input(sles, secureBoot: true, kernel: suseKernel))
        #expect(plan.signed)
        #expect(argv(plan).last == [
            "zypper", "--non-interactive", "install", "--auto-agree-with-licenses", "nvidia-open-driver-G06-signed-cuda-kmp-default",
            "nvidia-compute-utils-G06",
        ])
        #expect(writes(plan)["/etc/zypp/repos.d/guestprep-cuda.repo"]?.contains("repos/sles15/x86_64/D42D0685.pub") == true)
        #expect(throws: DriverInstallRefusal.self) {
            try DriverInstallPlanner.plan(input(sles, flavor: .proprietary, secureBoot: true, kernel: suseKernel))
        }
    }

    @Test func theRunfileIsDownloadedVerifiedAndRunSilently() throws {
        let request = DriverRequest(runfile: "https://mirror.example/drivers/NVIDIA-Linux-x86_64-580.95.05.run?x=1", runfileSHA256: sha)
        let plan = try DriverInstallPlanner.plan(input(debian, request: request, existing: ["/usr/sbin/dkms"]))
        let path = "/var/lib/guestprep/downloads/NVIDIA-Linux-x86_64-580.95.05.run"
        #expect(
            plan.changes.first?.action
                == .download(url: request.runfile!, path: path, sha256: sha, caFile: nil, mode: 0o700))
        #expect(argv(plan) == [[path, "--silent", "--no-questions", "--kernel-module-type=open", "--dkms"]])
        #expect(plan.branch == 580)
        let old = try DriverInstallPlanner.plan(input(debian, branch: 535, request: DriverRequest(runfile: "/opt/NVIDIA-Linux-x86_64-535.261.03.run", runfileSHA256: sha)))
        #expect(argv(old) == [["/var/lib/guestprep/downloads/NVIDIA-Linux-x86_64-535.261.03.run", "--silent", "--no-questions", "-m=kernel-open"]])
        #expect(old.changes.first?.action == .download(url: "file:///opt/NVIDIA-Linux-x86_64-535.261.03.run", path: "/var/lib/guestprep/downloads/NVIDIA-Linux-x86_64-535.261.03.run", sha256: sha, caFile: nil, mode: 0o700))
        #expect(throws: DriverInstallRefusal.self) { try DriverInstallPlanner.plan(input(debian, secureBoot: true, request: request)) }
    }

    @Test func airGappedInstallsTheLocalPackagesAndDownloadsNothing() throws {
        let request = DriverRequest(packageDirectory: "/opt/nvidia")
        let plan = try DriverInstallPlanner.plan(
            input(ubuntu, request: request, local: ["README", "b.deb", "a.deb"]))
        #expect(argv(plan) == [["apt-get", "install", "-y", "--no-download", "--no-install-recommends", "-o", "Dpkg::Options::=--force-confold", "/opt/nvidia/b.deb", "/opt/nvidia/a.deb"]])
        let rpm = try DriverInstallPlanner.plan(
            input(rocky, request: request, local: ["kmod-nvidia.rpm"], existing: []))
        #expect(argv(rpm) == [["dnf", "install", "-y", "--disablerepo=*", "/opt/nvidia/kmod-nvidia.rpm"]])
        #expect {
            try DriverInstallPlanner.plan(input(ubuntu, request: request, local: ["x.rpm"]))
        } throws: { "\($0)".contains("holds no .deb packages (found: x.rpm)") }
    }

    @Test func anUnknownDistributionNeedsARunfile() {
        #expect {
            try DriverInstallPlanner.plan(input(OSRelease(id: "arch")))
        } throws: { "\($0)".contains("give NVIDIA's .run installer with guestinfo.guestprep.driver.runfile") }
    }

    // MARK: - Ubuntu

    @Test func ubuntuHWEKernelTakesTheHWEModulesMetaOfTheInstalledKernelMeta() throws {
        // Jammy on its 6.8 HWE kernel: the GA meta linux-image-generic is installed too, but for
        // the GA kernel; ubuntu-drivers picks the meta of the installed kernel meta that depends
        // on this kernel (kerneldetection.py), not "generic" from uname -r.
        let jammy = OSRelease(id: "ubuntu", idLike: ["debian"], versionID: "22.04")
        let images = [
            InstalledPackage(name: "linux-image-generic", depends: ["linux-image-5.15.0-100-generic"]),
            InstalledPackage(name: "linux-image-generic-hwe-22.04", depends: ["linux-image-6.8.0-45-generic"]),
            InstalledPackage(name: "linux-image-6.8.0-45-generic", depends: ["linux-modules-6.8.0-45-generic"]),
        ]
        let available: Set<String> = [
            "linux-modules-nvidia-580-server-open-6.8.0-45-generic", "linux-modules-nvidia-580-server-open-generic",
            "linux-modules-nvidia-580-server-open-generic-hwe-22.04",
        ]
        let plan = try DriverInstallPlanner.plan(input(jammy, available: available, images: images))
        #expect(argv(plan).first?.contains("linux-modules-nvidia-580-server-open-generic-hwe-22.04") == true)
        #expect(argv(plan).first?.contains("linux-modules-nvidia-580-server-open-generic") == false)
        // linux-image-virtual reads as generic, as ubuntu-drivers has it.
        let virtual = [InstalledPackage(name: "linux-image-virtual", depends: ["linux-image-6.8.0-45-generic"])]
        let onVirtual = try DriverInstallPlanner.plan(input(ubuntu, available: available, images: virtual))
        #expect(argv(onVirtual).first?.contains("linux-modules-nvidia-580-server-open-generic") == true)
        // No kernel meta installed: no modules meta, and the note says what that means.
        let bare = try DriverInstallPlanner.plan(input(ubuntu, available: available))
        #expect(argv(bare) == [aptInstall + ["linux-modules-nvidia-580-server-open-6.8.0-45-generic", "nvidia-headless-no-dkms-580-server-open", "nvidia-utils-580-server"]])
        #expect(bare.notes.contains { $0.contains("no installed linux-image-* meta-package depends on this kernel's image") })
    }

    @Test(arguments: [(570, 580), (575, 580), (565, 580), (550, 580), (590, 595)])
    func ubuntuTransitionalBranchesAreRefusedNamingWhatTheyWouldInstall(_ asked: Int, _ becomes: Int) {
        let text = refusal(input(ubuntu, branch: asked, available: ["linux-modules-nvidia-\(asked)-server-open-6.8.0-45-generic"]))
        #expect(text.contains("the \(asked)-server packages are transitional: they install branch \(becomes), not \(asked)"))
        #expect(text.contains("Ask for branch \(becomes) (guestinfo.guestprep.driver.branch)"))
        #expect(text.contains("470, 535, 580, 595"))
    }

    @Test func ubuntuRefusesABranchCanonicalDoesNotBuild() {
        let jammy = OSRelease(id: "ubuntu", idLike: ["debian"], versionID: "22.04")
        #expect(refusal(input(jammy, branch: 560, flavor: .proprietary)).contains("has no 560-server driver packages: the live -server branches are 470, 535, 580, 595"))
    }

    @Test func ubuntuHasNoNVIDIARepositoryRoute() {
        #expect(
            refusal(input(ubuntu, request: DriverRequest(route: .nvidiaRepo)))
                .contains("guestinfo.guestprep.driver.route 'nvidia-repo' does not apply to ubuntu 24.04: guestprep's routes there are distro"))
    }

    // MARK: - Debian

    @Test func debianOwnDriverNamesEveryComponentItsPackagesComeFrom() throws {
        let plan = try DriverInstallPlanner.plan(input(debian, flavor: .open, kernel: "6.1.0-26-amd64"))
        #expect(
            argv(plan) == [
                aptInstall + [
                    "nvidia-open-kernel-dkms", "firmware-nvidia-gsp", "nvidia-smi", "nvidia-persistenced", "libcuda1",
                    "linux-headers-6.1.0-26-amd64",
                ]
            ])
        let note = plan.notes.first ?? ""
        #expect(note.contains("nvidia-open-kernel-dkms (contrib)"))
        #expect(note.contains("nvidia-persistenced (contrib)"))
        #expect(note.contains("firmware-nvidia-gsp (non-free-firmware)"))
        #expect(note.contains("the APT sources need the components main contrib non-free non-free-firmware"))
        // The proprietary modules need contrib as well (nvidia-persistenced, nvidia-installer-cleanup).
        let proprietary = try DriverInstallPlanner.plan(input(debian, flavor: .proprietary, kernel: "6.1.0-26-amd64"))
        #expect(proprietary.notes.first?.contains("main contrib non-free non-free-firmware") == true)
    }

    @Test func debianRefusesNamingContribWhenThePopulatedIndexLacksIt() {
        // apt's lists have non-free but not contrib: the sources lack contrib.
        let text = refusal(
            input(debian, flavor: .proprietary, available: ["nvidia-kernel-dkms", "nvidia-smi", "libcuda1"], kernel: "6.1.0-26-amd64", populated: true))
        #expect(text.contains("the package index does not have: nvidia-persistenced (contrib)"))
        #expect(text.contains("Add the component contrib to the APT sources"))
        // An index not yet downloaded says nothing about the sources.
        #expect(refusal(input(debian, flavor: .proprietary, kernel: "6.1.0-26-amd64")) == "")
    }

    @Test func aRouteThatNeedsTheRunningKernelsHeadersRefusesWithoutTheKernel() {
        var unknownKernel = input(debian, flavor: .proprietary)
        unknownKernel.kernelRelease = nil
        #expect(refusal(unknownKernel) == "cannot tell the running kernel (/proc/sys/kernel/osrelease is missing), so not which linux-headers-KERNEL to install")
    }

    @Test func debian12IsBranch535Only() {
        #expect(refusal(input(debian, request: DriverRequest(branch: 580))).contains("Debian 12's own driver is branch 535"))
        let trixie = OSRelease(id: "debian", versionID: "13")
        #expect(refusal(input(trixie, request: DriverRequest(branch: 580))).contains("Debian 13's own driver is branch 550"))
    }

    // MARK: - RHEL family, Fedora, Amazon Linux

    let epel: Set<String> = ["/etc/yum.repos.d/epel.repo"]

    @Test func rhel10UsesKeyCDF6BA43AndDnfVersionlockNeverAPinningPackage() throws {
        let rocky10 = OSRelease(id: "rocky", idLike: ["rhel", "centos", "fedora"], versionID: "10.0")
        let kernel = "6.12.0-55.el10.x86_64"
        let plan = try DriverInstallPlanner.plan(input(rocky10, existing: epel, kernel: kernel))
        #expect(writes(plan)["/etc/yum.repos.d/cuda-rhel10.repo"]?.contains("gpgkey=https://developer.download.nvidia.com/compute/cuda/repos/rhel10/x86_64/CDF6BA43.pub") == true)
        #expect(
            argv(plan) == [
                ["dnf", "install", "-y", "python3-dnf-plugin-versionlock", "kernel-devel-\(kernel)", "kernel-headers-\(kernel)"],
                ["dnf", "versionlock", "add", "*nvidia*580*"],
                ["dnf", "install", "-y", "nvidia-open"],
            ])
        #expect(!argv(plan).joined().contains { $0.hasPrefix("nvidia-driver-pinning") })
    }

    @Test func rhel101AndAlma10UnderSecureBootTakeTheDistributionsSignedKmod() throws {
        let rhel101 = OSRelease(id: "rhel", idLike: ["centos", "fedora"], versionID: "10.1")
        let plan = try DriverInstallPlanner.plan(input(rhel101, secureBoot: true, existing: epel, kernel: "6.12.0-124.20.1.el10_1.x86_64"))
        #expect(plan.route == "Red Hat's signed kmod-nvidia-open")
        #expect(plan.signed)
        #expect(argv(plan).last == ["dnf", "install", "-y", "kmod-nvidia-open", "nvidia-driver", "nvidia-driver-cuda"])
        // Without Secure Boot NVIDIA's repository stays the default.
        #expect(try DriverInstallPlanner.plan(input(rhel101, existing: epel)).route == "NVIDIA's dnf repository (DKMS)")
        let alma10 = OSRelease(id: "almalinux", idLike: ["rhel", "centos", "fedora"], versionID: "10.0")
        let alma = try DriverInstallPlanner.plan(input(alma10, secureBoot: true, kernel: "6.12.0-55.el10.x86_64"))
        #expect(alma.signed)
        #expect(argv(alma) == [["dnf", "install", "-y", "almalinux-release-nvidia-driver"], ["dnf", "install", "-y", "nvidia-open-kmod", "nvidia-driver"]])
        // The distribution kmods are open only: the proprietary modules under Secure Boot are refused.
        #expect(refusal(input(rhel101, flavor: .proprietary, secureBoot: true, existing: epel)).hasPrefix("Secure Boot is on"))
    }

    @Test func secureBootOnARHELRebuildWithoutASignedKmodSaysNVIDIAsKeyMustBeEnrolled() {
        let rocky101 = OSRelease(id: "rocky", idLike: ["rhel", "centos", "fedora"], versionID: "10.1")
        let text = refusal(input(rocky101, secureBoot: true, existing: epel))
        #expect(text.hasPrefix("Secure Boot is on, and NVIDIA's dnf repository (DKMS) installs kernel modules"))
        #expect(text.contains("NVIDIA's precompiled kmod streams for RHEL are signed with NVIDIA's own key"))
        #expect(text.contains("enrolled as a Machine Owner Key (mokutil --import NVIDIA2019-public_key.der"))
        // On RHEL 10.1 itself the message names the signed route.
        let rhel101 = OSRelease(id: "rhel", versionID: "10.1")
        #expect(
            DriverInstallPlanner.secureBootMessage(route: "X", release: rhel101)
                .contains("Either use Red Hat's signed kmod-nvidia-open (route distro, open modules)"))
    }

    @Test(arguments: [("42", "D42D0685"), ("43", "1940C73E"), ("44", "73CD9B30")])
    func fedoraTakesItsReleasesKeyHeadersAndVersionlock(_ version: String, _ key: String) throws {
        let fedora = OSRelease(id: "fedora", versionID: version)
        let plan = try DriverInstallPlanner.plan(input(fedora, flavor: .proprietary, kernel: "6.17.1-300.fc\(version).x86_64"))
        #expect(writes(plan)["/etc/yum.repos.d/cuda-fedora\(version).repo"]?.contains("repos/fedora\(version)/x86_64/\(key).pub") == true)
        #expect(
            argv(plan) == [
                ["dnf", "install", "-y", "kernel-devel-matched", "kernel-headers"], ["dnf", "versionlock", "add", "*nvidia*580*"],
                ["dnf", "install", "-y", "cuda-drivers"],
            ])
    }

    @Test func aFedoraReleaseNVIDIAHasNoRepositoryForIsRefused() {
        #expect(refusal(input(OSRelease(id: "fedora", versionID: "41"))).contains("NVIDIA publishes dnf repositories for Fedora 42, 43 and 44 only"))
    }

    @Test func oracleLinuxUEKTakesKernelUEKDevelAndOraclesEPELFile() throws {
        let ol9 = OSRelease(id: "ol", idLike: ["fedora"], versionID: "9.4")
        let kernel = "5.15.0-200.131.27.el9uek.x86_64"
        let plan = try DriverInstallPlanner.plan(input(ol9, existing: ["/etc/yum.repos.d/oracle-epel-ol9.repo"], kernel: kernel))
        #expect(argv(plan).first == ["dnf", "install", "-y", "kernel-uek-devel-\(kernel)"])
        #expect(refusal(input(ol9, kernel: kernel)).contains("oracle-epel-olN.repo on Oracle Linux"))
    }

    @Test func amazonLinux2023UsesNVIDIAsAmzn2023ModuleStreams() throws {
        let amzn = OSRelease(id: "amzn", idLike: ["fedora"], versionID: "2023")
        let kernel = "6.1.119-129.201.amzn2023.x86_64"
        let plan = try DriverInstallPlanner.plan(input(amzn, kernel: kernel))
        #expect(writes(plan)["/etc/yum.repos.d/cuda-amzn2023.repo"]?.contains("repos/amzn2023/x86_64/D42D0685.pub") == true)
        #expect(
            argv(plan) == [
                ["dnf", "install", "-y", "kernel-devel-\(kernel)", "kernel-headers-\(kernel)"],
                ["dnf", "module", "enable", "-y", "nvidia-driver:580-open"], ["dnf", "install", "-y", "nvidia-open"],
            ])
    }

    // MARK: - SUSE

    @Test func suseTakesTheRunningKernelsFlavourTheProductsRepositoryAndG07From590() throws {
        let azure = try DriverInstallPlanner.plan(input(sles, kernel: "6.4.0-150600.8.20-azure"))
        #expect(argv(azure).last?.contains("nvidia-open-driver-G06-signed-cuda-kmp-azure") == true)
        let g07 = try DriverInstallPlanner.plan(input(sles, branch: 595, kernel: suseKernel))
        #expect(argv(g07).last?.suffix(2) == ["nvidia-open-driver-G07-signed-cuda-kmp-default", "nvidia-compute-utils-G07"])
        let leap15 = try DriverInstallPlanner.plan(input(OSRelease(id: "opensuse-leap", idLike: ["suse", "opensuse"], versionID: "15.6"), kernel: suseKernel))
        #expect(writes(leap15)["/etc/zypp/repos.d/guestprep-cuda.repo"]?.contains("repos/opensuse15/x86_64/") == true)
        let leap16 = try DriverInstallPlanner.plan(input(OSRelease(id: "opensuse-leap", idLike: ["suse", "opensuse"], versionID: "16.0"), kernel: suseKernel))
        #expect(writes(leap16)["/etc/zypp/repos.d/guestprep-cuda.repo"]?.contains("repos/suse16/x86_64/3A8B5622.pub") == true)
        let sles16 = try DriverInstallPlanner.plan(input(OSRelease(id: "sles", versionID: "16.0"), kernel: suseKernel))
        #expect(writes(sles16)["/etc/zypp/repos.d/guestprep-cuda.repo"]?.contains("repos/sles16/x86_64/") == true)
        #expect(refusal(input(OSRelease(id: "opensuse-tumbleweed", idLike: ["opensuse", "suse"], versionID: "20261201"), kernel: suseKernel)).contains("does not serve openSUSE Tumbleweed"))
        #expect(refusal(input(sles, kernel: "6.4.0-150600.23.25-rt")).contains("of flavour 'rt'"))
    }

    // MARK: - Air-gapped

    @Test(arguments: [
        ("linux-modules-nvidia-580-server-open-6.8.0-45-generic_6.8.0-45.45_amd64.deb", true),
        ("nvidia-open-driver-G07-signed-cuda-kmp-default-595.58.03_k6.4.0_150600.23.25-1.1.x86_64.rpm", true),
        ("nvidia-open-driver-G06-signed-kmp-default-580.105.08-1.x86_64.rpm", true),
        ("kmod-nvidia-open-580.105.08-6.12.0-124.20.1-580.105.08-3.el10_1.x86_64.rpm", true),
        ("nvidia-open-kmod-580.105.08-2.el10_1.x86_64.rpm", true),
        ("kmod-nvidia-open-dkms-580.105.08-1.el10.x86_64.rpm", false),
        ("nvidia-dkms-580-server-open_580.95.05-0ubuntu1_amd64.deb", false),
    ] as [(String, Bool)])
    func airGappedSignedCheckKnowsEverySignedRoutesPackages(_ file: String, _ signed: Bool) {
        #expect(DriverInstallPlanner.isSignedPackageFile("/opt/nvidia/" + file) == signed)
    }

    @Test(arguments: [
        ("https://x/NVIDIA-Linux-x86_64-580.95.05.run", "NVIDIA-Linux-x86_64-580.95.05.run", 580),
        ("/opt/../evil;rm.run", "NVIDIA-driver.run", nil),
        ("https://x/", "NVIDIA-driver.run", nil),
    ] as [(String, String, Int?)])
    func runfileNames(_ location: String, _ name: String, _ branch: Int?) {
        #expect(DriverInstallPlanner.runfileName(location) == name)
        #expect(DriverInstallPlanner.runfileBranch(location) == branch)
    }
}
