import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct DriverSelectionTests {
    func models(_ names: String...) -> [GPUModel] {
        names.map { name in GPUCatalog.bundled.first { $0.name == name }! }
    }

    @Test func aV100CapsTheBranchAndNeedsTheProprietaryModules() throws {
        let choice = try DriverSelection.choose(
            models: models("Tesla V100 PCIe 32GB"), requestedBranch: nil, requestedFlavor: nil, defaultBranch: 590
        ).get()
        #expect(choice == DriverSelection.Choice(branch: 580, flavor: .proprietary))
    }

    @Test func turingToHopperDefaultToOpenModulesAndTheDefaultBranch() throws {
        let choice = try DriverSelection.choose(
            models: models("Tesla T4", "H100 PCIe"), requestedBranch: nil, requestedFlavor: nil, defaultBranch: 570
        ).get()
        #expect(choice == DriverSelection.Choice(branch: 570, flavor: .open))
        let proprietary = try DriverSelection.choose(
            models: models("A100 PCIe 80GB"), requestedBranch: 550, requestedFlavor: .proprietary, defaultBranch: 570
        ).get()
        #expect(proprietary == DriverSelection.Choice(branch: 550, flavor: .proprietary))
    }

    @Test func blackwellNeedsTheOpenModules() {
        let result = DriverSelection.choose(
            models: models("B200"), requestedBranch: nil, requestedFlavor: .proprietary, defaultBranch: 570)
        guard case .failure(let conflict) = result else {
            Issue.record("expected a conflict, got \(result)")
            return
        }
        #expect(conflict.description.hasPrefix("the proprietary kernel modules cannot drive these GPUs (B200 (blackwell) runs on the open modules only"))
        #expect(conflict.description.hasSuffix("use the open ones"))
    }

    @Test func aBranchPastAV100sLastIsRefusedNotChanged() {
        let result = DriverSelection.choose(
            models: models("Tesla V100S PCIe 32GB", "Tesla T4"), requestedBranch: 590, requestedFlavor: nil, defaultBranch: 570)
        #expect(result == .failure(.branchTooNew(
            requested: 590, maxBranch: 580,
            reasons: ["Tesla V100S PCIe 32GB (volta) runs on the proprietary modules only", "Tesla V100S PCIe 32GB is supported up to branch 580"])))
        if case .failure(let conflict) = result {
            #expect(conflict.description.hasSuffix("use branch 580 or older"))
        }
    }

    @Test func voltaAndBlackwellTogetherHaveNoDriver() {
        let result = DriverSelection.constraints(models: models("Tesla V100 SXM2 16GB", "B200", "Tesla V100 SXM2 16GB"))
        #expect(result == .failure(.flavors(proprietary: ["Tesla V100 SXM2 16GB"], open: ["B200"])))
    }

    @Test func noKnownGPUConstrainsNothing() throws {
        let constraints = try DriverSelection.constraints(models: []).get()
        #expect(constraints == DriverSelection.Constraints(requiredFlavor: nil, maxBranch: nil, reasons: []))
        let choice = try DriverSelection.choose(models: [], requestedBranch: nil, requestedFlavor: nil, defaultBranch: 570).get()
        #expect(choice == DriverSelection.Choice(branch: 570, flavor: .open))
    }
}

@Suite struct DriverSelectionFirstBranchTests {
    func models(_ names: String...) -> [GPUModel] {
        names.map { name in GPUCatalog.bundled.first { $0.name == name }! }
    }

    @Test func aBranchOlderThanTheNewestGPUIsRefused() {
        let result = DriverSelection.choose(
            models: models("B200"), requestedBranch: 550, requestedFlavor: nil, defaultBranch: 580)
        guard case .failure(let conflict) = result else {
            Issue.record("expected a conflict, got \(result)")
            return
        }
        #expect(conflict.description.contains("B200 needs branch 570 or newer"))
        #expect(conflict.description.hasSuffix("use branch 570 or newer"))
    }

    @Test func anOldBranchWithoutAFlavourTakesTheProprietaryModules() throws {
        let choice = try DriverSelection.choose(
            models: models("Tesla T4"), requestedBranch: 470, requestedFlavor: nil, defaultBranch: 580
        ).get()
        #expect(choice == DriverSelection.Choice(branch: 470, flavor: .proprietary))
    }

    @Test func theOpenModulesBeforeBranch515AreRefused() {
        let result = DriverSelection.choose(
            models: models("Tesla T4"), requestedBranch: 470, requestedFlavor: .open, defaultBranch: 580)
        guard case .failure(let conflict) = result else {
            Issue.record("expected a conflict, got \(result)")
            return
        }
        #expect(conflict.description.contains("the open kernel modules start at branch 515"))
    }
}
