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
        existing: Set<String> = [], kernel: String = "6.8.0-45-generic"
    ) -> DriverInstallInput {
        DriverInstallInput(
            release: release, kernelRelease: kernel, choice: DriverSelection.Choice(branch: branch, flavor: flavor),
            secureBoot: secureBoot, request: request, packageAvailable: { available.contains($0) }, localPackages: local,
            existing: existing)
    }

    func argv(_ plan: DriverInstallPlan) -> [[String]] {
        plan.changes.compactMap { if case .run(let argv) = $0.action { argv } else { nil } }
    }

    let ubuntu = OSRelease(id: "ubuntu", idLike: ["debian"], versionID: "24.04")
    let debian = OSRelease(id: "debian", versionID: "12")
    let rocky = OSRelease(id: "rocky", idLike: ["rhel", "centos", "fedora"], versionID: "9.4")
    let sles = OSRelease(id: "sles", idLike: ["suse"], versionID: "15.6")

    @Test func ubuntuTakesCanonicalsPrecompiledSignedModulesWhenTheyExistForTheKernel() throws {
        let plan = try DriverInstallPlanner.plan(
            input(
                ubuntu, secureBoot: true,
                available: ["linux-modules-nvidia-580-server-open-6.8.0-45-generic", "linux-modules-nvidia-580-server-open-generic"]))
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
        #expect(argv(plan) == [aptInstall + ["nvidia-headless-580-server", "nvidia-utils-580-server"]])
    }

    @Test func secureBootRefusesDKMSWithTheMOKExplanation() {
        #expect {
            try DriverInstallPlanner.plan(input(ubuntu, secureBoot: true))
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("Secure Boot is on, and Ubuntu DKMS installs kernel modules that no key the firmware trusts has signed")
                && text.contains("mokutil --import") && text.contains("Canonical's precompiled signed modules")
                && text.contains("Set-VMFirmware -EnableSecureBoot Off")
        }
    }

    @Test func debianUsesNVIDIAsRepositoryWhenCudaKeyringIsInstalled() throws {
        let plan = try DriverInstallPlanner.plan(input(debian, existing: [DriverInstallPlanner.cudaKeyring]))
        #expect(argv(plan) == [aptInstall + ["nvidia-open-580"]])
        let pinned = try DriverInstallPlanner.plan(
            input(debian, branch: 590, flavor: .proprietary, existing: [DriverInstallPlanner.cudaKeyring]))
        #expect(argv(pinned) == [aptInstall + ["nvidia-driver-pinning-590", "cuda-drivers"]])
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
        } throws: { "\($0)".contains("Debian 12's non-free driver is branch 535, not the 580 asked for") }
        #expect {
            try DriverInstallPlanner.plan(input(debian, request: DriverRequest(route: .nvidiaRepo)))
        } throws: { "\($0)".contains("install cuda-keyring in the template") }
    }

    @Test func rockyUsesNVIDIAsModuleStreams() throws {
        let plan = try DriverInstallPlanner.plan(
            input(rocky, branch: 570, existing: ["/etc/yum.repos.d/epel.repo"], kernel: "5.14.0-427.el9.x86_64"))
        #expect(
            argv(plan) == [
                ["dnf", "install", "-y", "kernel-devel-5.14.0-427.el9.x86_64", "kernel-headers-5.14.0-427.el9.x86_64"],
                ["dnf", "module", "install", "-y", "nvidia-driver:570-open"],
            ])
        #expect(plan.changes.first?.path == "/etc/yum.repos.d/cuda-rhel9.repo")
        #expect {
            try DriverInstallPlanner.plan(input(rocky))
        } throws: { "\($0)".contains("need dkms from EPEL") }
    }

    @Test func suseTakesTheSignedOpenKMP() throws {
        let plan = try DriverInstallPlanner.plan(input(sles, secureBoot: true))
        #expect(plan.signed)
        #expect(argv(plan).last == [
            "zypper", "--non-interactive", "install", "--auto-agree-with-licenses", "nvidia-open-driver-G06-signed-kmp-default",
            "nvidia-compute-utils-G06",
        ])
        #expect(throws: DriverInstallRefusal.self) { try DriverInstallPlanner.plan(input(sles, flavor: .proprietary, secureBoot: true)) }
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
