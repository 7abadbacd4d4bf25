import Foundation
import Testing

/// Black-box tests as data, Ignition-style: each folder under Cases/positive and
/// Cases/negative holds `case.json` (arguments, expected exit code and output checks), an
/// optional `root/` fixture tree (copied to a temporary root for the run), optional property
/// files, an optional `stdout.golden` and an optional `expected/` tree of files the root must
/// hold afterwards. Set GUESTPREP_UPDATE_GOLDEN=1 to rewrite the golden files and the files
/// already in `expected/` from what the run produced (review the diff; new files are added by
/// hand).
struct BlackBoxCase: CustomTestStringConvertible, Sendable {
    struct Spec: Decodable {
        var description: String
        var args: [String]
        var exit: Int32
        var stdoutGolden: String?
        var stdoutContains: [String]?
        var stderrContains: [String]?
        /// Strings that must appear nowhere: stdout, stderr, or any file under the root.
        var mustNotAppear: [String]?
        /// Whether the run must leave the root exactly as it was, but for the lock file
        /// /run/guestprep.lock that every command that may change the machine creates first.
        var rootUnchanged: Bool?
        /// Guest directories that must hold exactly the files `expected/` has under them.
        var exactDirectories: [String]?
        /// Guest paths and the permission bits (octal text, `0600`) they must have after the run.
        var modes: [String: String]?
        /// Guest paths and the owner (`UID:GID`) to give them before the run: the fixture is
        /// copied as the user the tests run as (a user's own ~/.bitfusion needs root to set up).
        var owners: [String: String]?
    }

    let kind: String
    let name: String
    let directory: URL

    var testDescription: String { "\(kind)/\(name)" }

    static let casesRoot: URL = GuestPrepBinary.packageRoot.appendingPathComponent("Tests/BlackBoxTests/Cases")

    static func all(_ kind: String) -> [BlackBoxCase] {
        let folder = casesRoot.appendingPathComponent(kind)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { BlackBoxCase(kind: kind, name: $0, directory: folder.appendingPathComponent($0)) }
    }

    /// The cases of `kind` that do (`needingRoot`) or do not give fixture files to other users
    /// (case.json's `owners`), which only root can set up.
    static func all(_ kind: String, needingRoot: Bool) -> [BlackBoxCase] {
        all(kind).filter { testCase in
            let data = try? Data(contentsOf: testCase.directory.appendingPathComponent("case.json"))
            let owners = data.flatMap { try? JSONDecoder().decode(Spec.self, from: $0) }?.owners ?? [:]
            return owners.isEmpty != needingRoot
        }
    }

    func check() throws {
        let spec = try JSONDecoder().decode(Spec.self, from: Data(contentsOf: directory.appendingPathComponent("case.json")))
        let scratch = try TemporaryDirectory()
        let fixture = directory.appendingPathComponent("root")
        let root: URL
        if FileManager.default.fileExists(atPath: fixture.path) {
            root = try scratch.copy(fixture, to: "root")
        } else {
            root = scratch.url.appendingPathComponent("root")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        }
        for (path, owner) in spec.owners ?? [:] {
            let ids = owner.split(separator: ":").compactMap { Int($0) }
            guard ids.count == 2 else { throw CaseError(message: "\(testDescription): owner \(owner) of \(path) is not UID:GID") }
            // lchown: the path itself, a link included.
            guard lchown(root.path + path, uid_t(ids[0]), gid_t(ids[1])) == 0 else {
                throw CaseError(message: "\(testDescription): cannot give \(path) to \(owner): errno \(errno) (the case needs root)")
            }
        }
        let before = TemporaryDirectory.snapshot(root)
        let arguments = spec.args.map {
            $0.replacingOccurrences(of: "@ROOT@", with: root.path).replacingOccurrences(of: "@CASE@", with: directory.path)
        }
        let result = try GuestPrepBinary.run(arguments)
        let context = "\(testDescription): \(spec.description)\nstdout:\n\(result.stdout)\nstderr:\n\(result.stderr)"
        #expect(result.status == spec.exit, "exit status; \(context)")

        let stdout = result.stdout.replacingOccurrences(of: root.path, with: "@ROOT@")
            .replacingOccurrences(of: directory.path, with: "@CASE@")
        if let golden = spec.stdoutGolden {
            let goldenURL = directory.appendingPathComponent(golden)
            if ProcessInfo.processInfo.environment["GUESTPREP_UPDATE_GOLDEN"] == "1" {
                try stdout.write(to: goldenURL, atomically: true, encoding: .utf8)
            }
            let expected = (try? String(contentsOf: goldenURL, encoding: .utf8)) ?? "(no \(golden): run with GUESTPREP_UPDATE_GOLDEN=1)"
            #expect(stdout == expected, "stdout differs from \(golden); \(context)")
        }
        for needle in spec.stdoutContains ?? [] {
            #expect(result.stdout.contains(needle), "stdout lacks '\(needle)'; \(context)")
        }
        for needle in spec.stderrContains ?? [] {
            #expect(result.stderr.contains(needle), "stderr lacks '\(needle)'; \(context)")
        }
        let after = TemporaryDirectory.snapshot(root)
        for secret in spec.mustNotAppear ?? [] {
            #expect(!result.stdout.contains(secret), "stdout leaks '\(secret)'")
            #expect(!result.stderr.contains(secret), "stderr leaks '\(secret)'")
            for (path, data) in after {
                #expect(!String(decoding: data, as: UTF8.self).contains(secret), "\(path) leaks '\(secret)'")
            }
        }
        if spec.rootUnchanged == true {
            var after = after
            after.removeValue(forKey: "/run/guestprep.lock")
            #expect(after == before, "the root changed: \(Set(after.keys).symmetricDifference(before.keys).sorted()); \(context)")
        }
        let expectedTree = directory.appendingPathComponent("expected")
        if FileManager.default.fileExists(atPath: expectedTree.path) {
            if ProcessInfo.processInfo.environment["GUESTPREP_UPDATE_GOLDEN"] == "1" {
                for (path, _) in TemporaryDirectory.snapshot(expectedTree) {
                    if let data = after[path] { try data.write(to: expectedTree.appendingPathComponent(path)) }
                }
            }
            let expected = TemporaryDirectory.snapshot(expectedTree)
            for (path, data) in expected {
                #expect(after[path] == data, "\(path) after the run: \(after[path].map { String(decoding: $0, as: UTF8.self) } ?? "missing"); \(context)")
            }
            for directory in spec.exactDirectories ?? [] {
                let prefix = directory.hasSuffix("/") ? directory : directory + "/"
                let found = Set(after.keys.filter { $0.hasPrefix(prefix) })
                let wanted = Set(expected.keys.filter { $0.hasPrefix(prefix) })
                #expect(found == wanted, "\(directory) holds \(found.sorted()), expected exactly \(wanted.sorted()); \(context)")
            }
        }
        for (path, octal) in spec.modes ?? [:] {
            let attributes = try? FileManager.default.attributesOfItem(atPath: root.path + path)
            let mode = (attributes?[.posixPermissions] as? NSNumber).map { String($0.intValue, radix: 8) }
            #expect(mode.map { "0" + $0 } == octal, "\(path) has mode \(mode ?? "none"), expected \(octal); \(context)")
        }
    }
}

/// A case that cannot be set up as its case.json says.
struct CaseError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

@Suite struct BlackBoxCaseTests {
    static let runningAsRoot = geteuid() == 0
    static let needsRoot: Comment = "these cases give fixture files to other users (case.json's owners): needs root"

    @Test(arguments: BlackBoxCase.all("positive", needingRoot: false))
    func positive(_ testCase: BlackBoxCase) throws { try testCase.check() }

    @Test(arguments: BlackBoxCase.all("negative", needingRoot: false))
    func negative(_ testCase: BlackBoxCase) throws { try testCase.check() }

    @Test(.enabled(if: runningAsRoot, needsRoot), arguments: BlackBoxCase.all("positive", needingRoot: true))
    func positiveAsRoot(_ testCase: BlackBoxCase) throws { try testCase.check() }

    @Test(.enabled(if: runningAsRoot, needsRoot), arguments: BlackBoxCase.all("negative", needingRoot: true))
    func negativeAsRoot(_ testCase: BlackBoxCase) throws { try testCase.check() }

    @Test func thereAreCasesOfBothKinds() {
        #expect(BlackBoxCase.all("positive").count >= 3)
        #expect(BlackBoxCase.all("negative").count >= 3)
    }
}
