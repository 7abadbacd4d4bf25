import Foundation
import GuestPrepConfig
import GuestPrepModel
import Testing

/// The repository's driver routes file, found from this file's path.
private let routesFile = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("profiles/catalog/driver-routes.yaml")

/// The reason of the `malformed` error decoding `yaml` throws, or nil when it throws nothing.
private func failure(_ yaml: String) -> String? {
    do {
        _ = try DriverRouteCatalogDecoder.decode(yaml, source: "test.yaml")
        return nil
    } catch {
        guard case .malformed(let what, let reason) = error, what == "test.yaml" else { return "\(error)" }
        return reason
    }
}

/// A file of one valid dnf-versionlock entry with `extra` lines added to it (line 2 is `- name`,
/// line 17 the first extra line).
private func routes(_ extra: String = "", method: String = "dnf-versionlock") -> String {
    """
    routes:
      - name: test-10
        title: Test route
        distributions: [rhel]
        versions: ["10"]
        route: nvidia-repo
        method: \(method)
        repository: {path: rhel10, key: CDF6BA43.pub}
        lock: "*nvidia*{branch}*"
        headers: ["kernel-devel-{kernel}"]
        packages:
          open: [nvidia-open]
        source: a primary source
        checked: 2026-12
        confirmed: [one fact]
        unconfirmed: []
    \(extra)
    """
}

@Suite struct DriverRouteCatalogTests {
    @Test func theBundledRoutesDecodeAndAreTheFileByteForByte() throws {
        #expect(DriverRouteCatalog.bundled.count > 10)
        #expect(try String(contentsOf: routesFile, encoding: .utf8) == DriverRouteCatalog.text)
        for route in DriverRouteCatalog.bundled {
            #expect(route.checked == "2026-12", "\(route.name)")
            #expect(!route.source.isEmpty, "\(route.name)")
        }
    }

    @Test func theFilesHeaderDocumentsEveryField() {
        let header = DriverRouteCatalog.text.split(separator: "\n").prefix { $0.hasPrefix("#") }.joined(separator: "\n")
        for field in DriverRouteCatalogDecoder.fields {
            #expect(header.contains("\n#   \(field) "), "field \(field) is not described in the header")
        }
    }

    @Test func theBundledRoutesCarryTheCorrectedFacts() throws {
        let byName = Dictionary(uniqueKeysWithValues: DriverRouteCatalog.bundled.map { ($0.name, $0) })
        #expect(byName["rhel-10"]?.repository == .init(path: "rhel10", key: "CDF6BA43.pub"))
        #expect(byName["rhel-10"]?.prerequisites == ["python3-dnf-plugin-versionlock"])
        #expect(byName["fedora-43"]?.repository?.key == "1940C73E.pub")
        #expect(byName["fedora-44"]?.repository?.key == "73CD9B30.pub")
        #expect(byName["opensuse-leap-16"]?.repository == .init(path: "suse16", key: "3A8B5622.pub"))
        #expect(byName["debian-12"]?.component(of: "nvidia-persistenced") == "contrib")
        #expect(byName["debian-12"]?.component(of: "linux-headers-6.1.0-26-amd64") == "main")
        // No dnf route holds its branch by a pinning package: those exist for apt only.
        for route in DriverRouteCatalog.bundled where route.method.rawValue.hasPrefix("dnf") {
            #expect(!(route.lock ?? "").contains("pinning"), "\(route.name)")
            #expect(!route.packages.values.joined().contains { $0.contains("pinning") }, "\(route.name)")
        }
    }

    @Test func aGoodFileDecodesEveryField() throws {
        let decoded = try DriverRouteCatalogDecoder.decode(routes(), source: "test.yaml")
        #expect(
            decoded == [
                DriverRouteEntry(
                    name: "test-10", title: "Test route", distributions: ["rhel"], versions: ["10"], route: .nvidiaRepo,
                    method: .dnfVersionlock, repository: .init(path: "rhel10", key: "CDF6BA43.pub"), lock: "*nvidia*{branch}*",
                    headers: ["kernel-devel-{kernel}"], packages: ["open": ["nvidia-open"]], source: "a primary source",
                    checked: "2026-12", confirmed: ["one fact"], unconfirmed: [])
            ])
        #expect(decoded[0].serves(versionID: "10.1"))
        #expect(!decoded[0].serves(versionID: "100"))
        #expect(!decoded[0].serves(versionID: nil))
    }

    @Test func anUnknownFieldNamesItsLineEntryAndField() {
        #expect(failure(routes("    gpgkey: D42D0685.pub")) == "line 17: entry 'test-10': unknown field 'gpgkey': the fields are " + DriverRouteCatalogDecoder.fields.joined(separator: ", "))
    }

    @Test func aMissingFieldIsNamedWithWhatTheMethodNeeds() throws {
        let text = routes().replacingOccurrences(of: "    lock: \"*nvidia*{branch}*\"\n", with: "")
        #expect(failure(text) == "line 2: entry 'test-10': missing field 'lock' (method dnf-versionlock needs packages, repository, lock, headers)")
        let noSource = routes().replacingOccurrences(of: "    source: a primary source\n", with: "")
        #expect(failure(noSource)?.hasPrefix("line 2: entry 'test-10': missing field 'source'") == true)
    }

    @Test func aValueOfTheWrongKindIsNamed() {
        let unquoted = routes().replacingOccurrences(of: "versions: [\"10\"]", with: "versions: [10.1]")
        #expect(failure(unquoted) == "line 5: entry 'test-10': field 'versions': the value '10.1' is not a VERSION_ID: quote it, such as \"22.04\"")
        let route = routes().replacingOccurrences(of: "route: nvidia-repo", with: "route: runfile")
        #expect(failure(route) == "line 6: entry 'test-10': field 'route' must be distro or nvidia-repo, not the string 'runfile'")
        let checked = routes().replacingOccurrences(of: "checked: 2026-12", with: "checked: December")
        #expect(failure(checked) == "line 14: entry 'test-10': field 'checked' must be the month the sources were read, YYYY-MM, not the string 'December'")
        let key = routes().replacingOccurrences(of: "key: CDF6BA43.pub", with: "key: https://x/CDF6BA43.gpg")
        #expect(failure(key)?.contains("entry 'test-10': field 'repository': key 'https://x/CDF6BA43.gpg' must be the gpgkey file name") == true)
    }

    @Test func aPlaceholderThePlannerDoesNotFillIsAnError() {
        let text = routes().replacingOccurrences(of: "kernel-devel-{kernel}", with: "kernel-devel-{uname}")
        #expect(failure(text)?.hasPrefix("line 10: entry 'test-10': field 'headers': 'kernel-devel-{uname}' uses {uname}, which the planner does not fill") == true)
        let unbalanced = routes().replacingOccurrences(of: "kernel-devel-{kernel}", with: "kernel-devel-{kernel")
        #expect(failure(unbalanced) == "line 10: entry 'test-10': field 'headers': 'kernel-devel-{kernel' has a brace without its pair")
    }

    @Test func aFieldTheMethodDoesNotUseIsAnError() {
        #expect(failure(routes("    branch: 535")) == "line 17: entry 'test-10': field 'branch' does not apply to method dnf-versionlock (only to debian)")
        #expect(failure(routes("    requires-file: [/etc/yum.repos.d/epel.repo]")) == "line 17: entry 'test-10': fields 'requires-file' and 'requires-message' go together")
    }

    @Test func aDebianComponentMustBeOneOfTheArchives() {
        let text = """
            routes:
              - name: debian-12
                title: Debian
                distributions: [debian]
                route: distro
                method: debian
                branch: 535
                headers: ["linux-headers-{kernel}"]
                packages: {proprietary: [nvidia-kernel-dkms]}
                components: {nvidia-kernel-dkms: nonfree}
                source: s
                checked: 2026-12
                confirmed: []
                unconfirmed: []
            """
        #expect(failure(text) == "line 10: entry 'debian-12': field 'components': the string 'nonfree' is not a Debian component: main, contrib, non-free or non-free-firmware")
    }

    @Test func twoEntriesWithOneNameAndBadDocumentsAreRefused() {
        let twice = routes() + "\n" + routes().replacingOccurrences(of: "routes:\n", with: "")
        #expect(failure(twice) == "line 18: entry 'test-10': name 'test-10' is used twice (first on line 2)")
        #expect(failure("routes: []") == "line 1: routes must be a list of route entries, not an empty list")
        #expect(failure("gpus: []") == "unknown field 'gpus': the file has only the field routes; missing field 'routes'".replacingOccurrences(of: "unknown", with: "line 1: unknown"))
        #expect(failure("routes: [")?.hasPrefix("invalid YAML") == true)
    }
}

@Suite struct DpkgStatusDecoderTests {
    @Test func installedKernelImagesWithTheirDependencies() {
        let status = """
            Package: linux-image-generic-hwe-22.04
            Status: install ok installed
            Priority: optional
            Depends: linux-image-6.8.0-45-generic (= 6.8.0-45.45~22.04.1),
             linux-firmware | linux-firmware-raspi:any
            Description: Generic Linux kernel image
             continued, with Depends: in it

            Package: linux-image-generic-hwe-24.04
            Status: deinstall ok config-files
            Depends: linux-image-6.11.0-9-generic

            Package: nginx
            Status: install ok installed

            Package: linux-image-6.8.0-45-generic
            Status: install ok installed
            """
        #expect(
            DpkgStatusDecoder.installed(Substring(status), prefix: "linux-image-") == [
                InstalledPackage(name: "linux-image-generic-hwe-22.04", depends: ["linux-image-6.8.0-45-generic", "linux-firmware", "linux-firmware-raspi"]),
                InstalledPackage(name: "linux-image-6.8.0-45-generic", depends: []),
            ])
    }
}
