import GuestPrepModel

/// Which NVIDIA kernel modules a VM's GPUs need, and the driver branch and module flavour to
/// install: pure rules over the GPU catalog's `open-kernel-modules` and `last-driver-branch`.
///
/// - Volta and older run only on the proprietary modules, Blackwell and later only on the open
///   ones; Turing to Hopper on either, where the open ones are the default (NVIDIA's own
///   default since branch 560).
/// - The branch must still support every GPU present: at most the lowest
///   `last-driver-branch` among them (a V100 caps it at 580).
/// - A GPU the catalog does not know constrains nothing, and is named, so the caller can say
///   the choice was made without it.
///
/// The driver step chooses with this.
public enum DriverSelection {
    /// The kernel module flavour (`nvidia-open` / `--kernel-module-type=open`, or the
    /// proprietary one).
    public typealias ModuleFlavor = DriverModuleFlavor

    /// What the GPUs present allow.
    public struct Constraints: Sendable, Equatable {
        /// The only flavour that drives every GPU, nil when either does.
        public var requiredFlavor: ModuleFlavor?
        /// The highest branch that supports every GPU, nil when none caps it.
        public var maxBranch: Int?
        /// The lowest branch that supports every GPU (`firstBranch` of the newest architecture).
        public var minBranch: Int = DriverSelection.firstBranch[.volta]!
        /// Why: one line per GPU model that constrains, as evidence for messages.
        public var reasons: [String]

        public init(requiredFlavor: ModuleFlavor?, maxBranch: Int?, reasons: [String], minBranch: Int? = nil) {
            self.requiredFlavor = requiredFlavor
            self.maxBranch = maxBranch
            self.reasons = reasons
            if let minBranch { self.minBranch = minBranch }
        }
    }

    /// The choice made.
    public struct Choice: Sendable, Equatable {
        public var branch: Int
        public var flavor: ModuleFlavor

        public init(branch: Int, flavor: ModuleFlavor) {
            self.branch = branch
            self.flavor = flavor
        }
    }

    /// Why no driver fits.
    public enum Conflict: Error, Sendable, Equatable, CustomStringConvertible {
        /// Some GPUs need the proprietary modules and others the open ones.
        case flavors(proprietary: [String], open: [String])
        /// The branch asked for is past the last one a GPU present supports.
        case branchTooNew(requested: Int, maxBranch: Int, reasons: [String])
        /// The branch asked for predates a GPU present.
        case branchTooOld(requested: Int, minBranch: Int, reasons: [String])
        /// The flavour asked for cannot drive a GPU present.
        case flavorUnsupported(requested: ModuleFlavor, required: ModuleFlavor, reasons: [String])

        public var description: String {
            switch self {
            case .flavors(let proprietary, let open):
                return "no driver drives these GPUs together: \(proprietary.joined(separator: ", ")) need the proprietary kernel modules and \(open.joined(separator: ", ")) the open ones; put them in separate VMs"
            case .branchTooNew(let requested, let maxBranch, let reasons):
                return "driver branch \(requested) does not support every GPU here (\(reasons.joined(separator: "; "))): use branch \(maxBranch) or older"
            case .branchTooOld(let requested, let minBranch, let reasons):
                return "driver branch \(requested) is older than the GPUs here (\(reasons.joined(separator: "; "))): use branch \(minBranch) or newer"
            case .flavorUnsupported(let requested, let required, let reasons):
                return "the \(requested.rawValue) kernel modules cannot drive these GPUs (\(reasons.joined(separator: "; "))): use the \(required.rawValue) ones"
            }
        }
    }

    /// The first branch that drives each architecture, from NVIDIA's data-centre release notes
    /// (R418 is the oldest branch guestprep accepts at all; the A100 came with R450, the L4, L40
    /// and H100 with R525, the B200 with R570). The open kernel modules start at R515.
    public static let firstBranch: [GPUArchitecture: Int] = [
        .volta: 418, .turing: 418, .ampere: 450, .ada: 525, .hopper: 525, .blackwell: 570,
    ]
    /// The first branch with NVIDIA's open kernel modules.
    public static let firstOpenBranch = 515

    /// The constraints `models` put on the driver (each model counted once).
    public static func constraints(models: [GPUModel]) -> Result<Constraints, Conflict> {
        var proprietary: [String] = []
        var open: [String] = []
        var reasons: [String] = []
        var maxBranch: Int?
        var minBranch = firstBranch[.volta]!
        var seen: Set<String> = []
        for model in models where seen.insert(model.name).inserted {

            switch model.openKernelModules {
            case .unsupported:
                proprietary.append(model.name)
                reasons.append("\(model.name) (\(model.architecture.rawValue)) runs on the proprietary modules only")
            case .required:
                open.append(model.name)
                reasons.append("\(model.name) (\(model.architecture.rawValue)) runs on the open modules only")
            case .supported:
                break
            }
            if let last = model.lastDriverBranch {
                maxBranch = min(maxBranch ?? last, last)
                reasons.append("\(model.name) is supported up to branch \(last)")
            }
            if let first = firstBranch[model.architecture], first > firstBranch[.volta]! {
                minBranch = max(minBranch, first)
                reasons.append("\(model.name) needs branch \(first) or newer")
            }
        }
        if !proprietary.isEmpty && !open.isEmpty { return .failure(.flavors(proprietary: proprietary, open: open)) }
        let required: ModuleFlavor? = proprietary.isEmpty ? (open.isEmpty ? nil : .open) : .proprietary
        return .success(Constraints(requiredFlavor: required, maxBranch: maxBranch, reasons: reasons, minBranch: minBranch))
    }

    /// The branch and flavour to install for `models`: what was asked for when the GPUs allow
    /// it (a conflict otherwise, never a silent change), else the default branch capped at the
    /// last one every GPU supports, and the flavour the GPUs require or, where either works,
    /// the open modules.
    public static func choose(
        models: [GPUModel], requestedBranch: Int?, requestedFlavor: ModuleFlavor?, defaultBranch: Int
    ) -> Result<Choice, Conflict> {
        let constraints: Constraints
        switch self.constraints(models: models) {
        case .success(let found): constraints = found
        case .failure(let conflict): return .failure(conflict)
        }
        if let requested = requestedBranch, let maxBranch = constraints.maxBranch, requested > maxBranch {
            return .failure(.branchTooNew(requested: requested, maxBranch: maxBranch, reasons: constraints.reasons))
        }
        if let requested = requestedBranch, requested < constraints.minBranch {
            return .failure(.branchTooOld(requested: requested, minBranch: constraints.minBranch, reasons: constraints.reasons))
        }
        if let requested = requestedFlavor, let required = constraints.requiredFlavor, requested != required {
            return .failure(.flavorUnsupported(requested: requested, required: required, reasons: constraints.reasons))
        }
        let branch = requestedBranch ?? min(defaultBranch, constraints.maxBranch ?? defaultBranch)
        let flavor = requestedFlavor ?? constraints.requiredFlavor ?? (branch >= firstOpenBranch ? .open : .proprietary)
        if flavor == .open && branch < firstOpenBranch {
            return .failure(
                .branchTooOld(
                    requested: branch, minBranch: firstOpenBranch,
                    reasons: constraints.reasons + ["the open kernel modules start at branch \(firstOpenBranch)"]))
        }
        return .success(Choice(branch: branch, flavor: flavor))
    }
}
