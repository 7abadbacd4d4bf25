import GuestPrepModel

/// The driver routes shipped with guestprep. SwiftPM builds `profiles/catalog/driver-routes.yaml`
/// of the source tree, its only copy, into the binary (the GuestPrepConfig target's resources in
/// Package.swift); the file's header comment describes every field.
public enum DriverRouteCatalog {
    /// The YAML text of the bundled routes.
    public static var text: String { String(decoding: PackageResources.driver_routes_yaml, as: UTF8.self) }

    /// The bundled routes, decoded once. The text is part of the program, so a decoding failure
    /// is a programmer error, which the tests catch before it ships.
    public static let bundled: [DriverRouteEntry] = {
        do {
            return try DriverRouteCatalogDecoder.decode(text, source: "profiles/catalog/driver-routes.yaml")
        } catch {
            preconditionFailure("the bundled driver routes do not decode: \(error)")
        }
    }()
}
