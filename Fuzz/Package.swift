// swift-tools-version:6.0
// libFuzzer harnesses for every decoder of untrusted input: a package of its own, so that the
// main package's `swift build` and `swift test` never need the fuzzer runtime. Each folder of
// Harnesses/ is one harness (an executable target `fuzz-NAME`) with its seed corpus in
// Harnesses/NAME/corpus. Build and run them with scripts/fuzz.sh (README.md here says how).
import Foundation
import PackageDescription

let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let harnesses = ((try? FileManager.default.contentsOfDirectory(atPath: here.appendingPathComponent("Harnesses").path)) ?? [])
    .filter { !$0.hasPrefix(".") }
    .sorted()

let package = Package(
    name: "guestprep-fuzz",
    dependencies: [.package(name: "guestprep", path: "..")],
    targets: [
        .target(name: "CFuzzer", path: "CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer"], path: "Support"),
    ]
        + harnesses.map { name in
            .executableTarget(
                name: "fuzz-\(name)",
                dependencies: [
                    "FuzzSupport",
                    .product(name: "GuestPrepModel", package: "guestprep"),
                    .product(name: "GuestPrepConfig", package: "guestprep"),
                ],
                path: "Harnesses/\(name)",
                exclude: ["corpus"])
        }
)
