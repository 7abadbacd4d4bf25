/// Every step guestprep has, in the order they run.
public enum StepCatalog {
    public static let all: [any Step] = [
        CloneIdentityStep(), HostnameStep(), NetworkStep(), NouveauStep(), DriverSourcesStep(), DriverStep(),
        PersistenceStep(), DriverVerifyStep(), VGPULicenseStep(), VGPULicenseVerifyStep(), BitfusionServerCheckStep(), VCenterVerifyStep(), BitfusionPackageStep(),
        BitfusionGroupStep(), BitfusionLimitsStep(), BitfusionClientStep(), BitfusionClientCheckStep(), SecretsClearStep(),
        HealthTimerStep(),
    ]

    public static var ids: Set<String> { Set(all.map(\.id)) }

    public static func step(_ id: String) -> (any Step)? { all.first { $0.id == id } }
}
