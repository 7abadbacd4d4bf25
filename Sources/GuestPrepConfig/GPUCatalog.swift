import GuestPrepModel

/// The GPU catalog shipped with guestprep: the NVIDIA GPUs it knows by PCI ID, with their BAR
/// layout, memory and driver support. SwiftPM builds `profiles/catalog/gpus.yaml` of the source
/// tree, its only copy, into the binary (the GuestPrepConfig target's resources in
/// Package.swift), so the binary needs no data files at run time; the file's header comment
/// describes every field.
public enum GPUCatalog {
    /// The YAML text of the bundled catalog.
    public static var text: String { String(decoding: PackageResources.gpus_yaml, as: UTF8.self) }

    /// The bundled catalog's models, decoded once. The text is part of the program, so a
    /// decoding failure is a programmer error, which the tests catch before it ships.
    public static let bundled: [GPUModel] = {
        do {
            return try GPUCatalogDecoder.decode(text, source: "profiles/catalog/gpus.yaml")
        } catch {
            preconditionFailure("the bundled GPU catalog does not decode: \(error)")
        }
    }()

    /// The bundled models with one of `deviceIDs` among theirs, in catalog order: only those
    /// entries are decoded (a third of `doctor`'s instructions went into decoding all 62).
    public static func models(deviceIDs: Set<UInt16>) -> [GPUModel] {
        do {
            return try GPUCatalogDecoder.decode(text, source: "profiles/catalog/gpus.yaml", deviceIDs: deviceIDs)
        } catch {
            preconditionFailure("the bundled GPU catalog does not decode: \(error)")
        }
    }

    /// The model of a GPU with PCI device ID `deviceID` (any of a model's `deviceIDs`) and, when known, the subsystem IDs of
    /// its config space, or nil when `models` has none.
    ///
    /// An entry that lists the function's subsystem wins over one that lists no subsystems for
    /// the same device ID; an entry that lists only other subsystems never matches, since they
    /// name a different product (A2 is not A16).
    public static func model(
        deviceID: UInt16, subsystemVendor: UInt16?, subsystemDevice: UInt16?, in models: [GPUModel] = bundled
    ) -> GPUModel? {
        let candidates = models.filter { $0.deviceIDs.contains(deviceID) }
        if let vendor = subsystemVendor, let device = subsystemDevice {
            let subsystem = PCISubsystem(vendor: vendor, device: device)
            if let match = candidates.first(where: { $0.subsystems.contains(subsystem) }) { return match }
        }
        return candidates.first { $0.subsystems.isEmpty }
    }
}
