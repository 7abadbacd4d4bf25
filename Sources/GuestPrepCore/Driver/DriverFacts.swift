import GuestPrepConfig
import GuestPrepModel

/// What the driver steps read from the guest, gathered in one place so that the choice of
/// driver is made from values (`DriverInstallPlanner`) and the three steps agree on it.
public struct DriverFacts: Sendable {
    /// The default branch when neither the profile nor a property names one: the newest
    /// branch that still drives every GPU in the catalog (580 is Volta's last).
    public static let defaultBranch = 580

    public var gpus: [NVIDIADevice]
    /// The catalog's model of each GPU, nil for one it does not know.
    public var models: [GPUModel?]
    public var release: OSRelease
    public var kernelRelease: String?
    public var secureBoot: Bool?
    /// The version of the loaded `nvidia` module (`580.95.05`), nil when none is loaded.
    public var loadedVersion: String?
    /// Whether the loaded module is NVIDIA's open one (/proc/driver/nvidia/version says so).
    public var loadedOpen: Bool
    /// Why nouveau counts as loaded, nil when it does not.
    public var nouveauLoaded: String?

    /// The paths `DriverInstallInput.existing` may ask about: every route's required files
    /// (a keyring, EPEL's repo file) and dkms, which the runfile registers with.
    static var watchedPaths: [String] {
        var paths = [DriverInstallPlanner.cudaKeyring, "/usr/sbin/dkms", "/usr/bin/dkms"]
        for route in DriverRouteCatalog.bundled { for path in route.requiresFile where !paths.contains(path) { paths.append(path) } }
        return paths
    }
    static let aptLists = "/var/lib/apt/lists"
    /// dpkg's database, for the installed kernel meta-package (Ubuntu).
    static let dpkgStatus = "/var/lib/dpkg/status"

    public static func read(fs: any FileSystem) throws -> DriverFacts {
        let gpus = try NVIDIADeviceScanner.scan(fs: fs).filter(\.isGPU)
        let catalog = GPUCatalog.models(deviceIDs: Set(gpus.map(\.deviceID)))
        let models = gpus.map {
            GPUCatalog.model(
                deviceID: $0.deviceID, subsystemVendor: $0.subsystemVendorID, subsystemDevice: $0.subsystemDeviceID,
                in: catalog)
        }
        var secureBoot: Bool?
        if fs.exists("/sys/firmware/efi"), let bytes = try? fs.read(GPUEnvironment.secureBootVariable) {
            secureBoot = GPUEnvironment.secureBoot(efivar: bytes)
        }
        let procVersion = (try? fs.readText("/proc/driver/nvidia/version")) ?? ""
        return DriverFacts(
            gpus: gpus, models: models, release: try NouveauStep.osRelease(fs: fs).value,
            kernelRelease: fs.attribute("/proc/sys/kernel/osrelease"), secureBoot: secureBoot,
            loadedVersion: fs.attribute("/sys/module/nvidia/version"),
            loadedOpen: TextSearch.firstRange(of: "Open Kernel Module", in: Substring(procVersion)) != nil,
            nouveauLoaded: NouveauStep.loadedEvidence(fs: fs))
    }

    /// The branch and flavour for these GPUs and `request`, or why there is none.
    public func choose(_ request: DriverRequest) throws -> (DriverSelection.Choice, DriverSelection.Constraints) {
        let known = models.compactMap { $0 }
        // A runfile's name says its branch; a branch property that disagrees is an error the
        // operator must settle.
        let runfileBranch = request.runfile.flatMap(DriverInstallPlanner.runfileBranch)
        if let runfileBranch, let asked = request.branch, asked != runfileBranch {
            throw DriverInstallRefusal(
                "\(PropertyKeys.driverBranch) is \(asked) but the runfile \(DriverInstallPlanner.runfileName(request.runfile!)) is branch \(runfileBranch): give one that matches")
        }
        let constraints: DriverSelection.Constraints
        switch DriverSelection.constraints(models: known) {
        case .success(let found): constraints = found
        case .failure(let conflict): throw DriverInstallRefusal(conflict.description)
        }
        switch DriverSelection.choose(
            models: known, requestedBranch: runfileBranch ?? request.branch, requestedFlavor: request.modules,
            defaultBranch: Self.defaultBranch)
        {
        case .success(let choice): return (choice, constraints)
        case .failure(let conflict): throw DriverInstallRefusal(conflict.description)
        }
    }

    /// The planner's input for `request`, reading what the chosen distribution's route checks.
    public func installInput(_ request: DriverRequest, fs: any FileSystem) throws -> DriverInstallInput {
        let (choice, constraints) = try choose(request)
        let existing = Set(Self.watchedPaths.filter { fs.exists($0) })
        var localPackages: [String] = []
        if let directory = request.packageDirectory {
            guard let names = try fs.list(directory) else {
                throw DriverInstallRefusal("\(PropertyKeys.driverPackageDirectory) \(directory) does not exist")
            }
            localPackages = names
        }
        let index = try AptPackageIndex.read(fs: fs, listsDirectory: Self.aptLists)
        var kernelImages: [InstalledPackage] = []
        if release.lineage.contains("ubuntu"), let status = try fs.read(Self.dpkgStatus) {
            kernelImages = DpkgStatusDecoder.installed(Substring(decoding: status, as: UTF8.self), prefix: "linux-image-")
        }
        return DriverInstallInput(
            release: release, kernelRelease: kernelRelease, choice: choice, constraints: constraints,
            secureBoot: secureBoot, request: request, packageAvailable: { index.contains($0) },
            packageIndexPopulated: !index.isEmpty, kernelImages: kernelImages, localPackages: localPackages,
            existing: existing)
    }

    /// GPUs the catalog does not know, in words, for a note.
    public var unknownGPUs: [String] {
        zip(gpus, models).filter { $0.1 == nil }.map { "\($0.0.address) (10de:\(hex4($0.0.deviceID)))" }
    }
}
