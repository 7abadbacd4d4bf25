// swift-tools-version:6.0
import PackageDescription

// The import graph is the architecture: Model ← Config, Render ← Core ← Linux ← guestprep.
// Only GuestPrepLinux and the executable touch the operating system.
let package = Package(
    name: "guestprep",
    products: [
        .executable(name: "guestprep", targets: ["guestprep"]),
        // For the libFuzzer harnesses of Fuzz/, a package of their own.
        .library(name: "GuestPrepModel", targets: ["GuestPrepModel"]),
        .library(name: "GuestPrepConfig", targets: ["GuestPrepConfig"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        // libsystemd's headers only: GuestPrepLinux binds sd_notify and sd_journal_sendv with
        // dlopen on first use (LibSystemd.swift), so no pkgConfig here; its `-lsystemd` would
        // load the library and six others at every start (0.5 ms, bench/run.sh).
        .systemLibrary(
            name: "CSystemd", path: "Sources/CSystemd",
            providers: [.apt(["libsystemd-dev"])]),
        // libcurl bound with dlopen on first use (ccurl_loader.h): <curl/curl.h> for types and
        // constants only (libcurl4-openssl-dev), no `-lcurl`, which would load libcurl and about
        // twenty libraries at every start. The release binary has no libcurl in its DT_NEEDED:
        // `readelf -d $(scripts/build-release.sh | tail -1) | grep NEEDED`.
        .target(name: "CCurlLoader"),
        // libarchive bound the same way (carchive_loader.h): <archive.h> for types and constants
        // only (libarchive-dev), no `-larchive`, which would load libarchive and nine libraries
        // at every start; only a token archive or an OVF CD-ROM or ISO image needs it.
        .target(name: "CArchiveLoader"),
        // expat for the OVF environment and the vCenter SOAP answers (ExpatXMLReader), linked
        // directly: libexpat.so.1 needs only libc, where libxml2 would bring ICU into every start.
        .systemLibrary(
            name: "CExpat", path: "Sources/CExpat",
            providers: [.apt(["libexpat1-dev"])]),
        // libyaml (libyaml-dev; runtime libyaml-0-2, no further dependencies) parses the role
        // profiles, the GPU catalog, the driver routes and servers.conf; YAMLReader composes its
        // events into nodes.
        .systemLibrary(
            name: "CYAML", path: "Sources/CYAML",
            providers: [.apt(["libyaml-dev"])]),
        .target(name: "GuestPrepModel"),
        .target(
            name: "GuestPrepConfig",
            dependencies: ["GuestPrepModel", "CExpat", "CYAML", "CArchiveLoader"],
            // The bundled profiles, GPU catalog and driver routes, built into the binary as byte arrays
            // (PackageResources): `profiles` here is a link to the top-level profiles/, their
            // only copy.
            resources: [
                .embedInCode("profiles/bitfusion-client.yaml"),
                .embedInCode("profiles/bitfusion-server.yaml"),
                .embedInCode("profiles/gpu-passthrough.yaml"),
                .embedInCode("profiles/vgpu-guest.yaml"),
                .embedInCode("profiles/catalog/gpus.yaml"),
                .embedInCode("profiles/catalog/driver-routes.yaml"),
            ]),
        .target(name: "GuestPrepRender", dependencies: ["GuestPrepModel"]),
        .target(
            name: "GuestPrepCore",
            dependencies: [
                "GuestPrepModel", "GuestPrepConfig", "GuestPrepRender",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "GuestPrepLinux",
            dependencies: [
                "GuestPrepCore", "CSystemd", "CCurlLoader",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "GuestPrepTesting",
            dependencies: ["GuestPrepCore", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "guestprep",
            dependencies: [
                "GuestPrepModel", "GuestPrepConfig", "GuestPrepCore", "GuestPrepLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // `download-bench URL SHA256 DEST`: CurlDownloader for bench/download.sh only.
        .executableTarget(
            name: "download-bench", dependencies: ["GuestPrepLinux", "GuestPrepCore"], path: "bench/DownloadBench"),
        .testTarget(name: "GuestPrepModelTests", dependencies: ["GuestPrepModel"]),
        .testTarget(
            name: "GuestPrepConfigTests", dependencies: ["GuestPrepConfig", "GuestPrepModel"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "GuestPrepRenderTests", dependencies: ["GuestPrepRender"],
            // The golden files are read from the source tree, where they are updated.
            exclude: ["Golden"]),
        .testTarget(
            name: "GuestPrepCoreTests",
            dependencies: ["GuestPrepCore", "GuestPrepTesting", "GuestPrepConfig"],
            // The golden files are read from the source tree, where they are updated.
            exclude: ["Golden"]),
        .testTarget(
            name: "GuestPrepLinuxTests",
            dependencies: [
                "GuestPrepLinux", "GuestPrepCore", "GuestPrepModel", "GuestPrepTesting",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Runs systemd-networkd on .network files in network namespaces (root; skips otherwise).
        .testTarget(name: "NetworkLabTests", dependencies: ["GuestPrepRender", "GuestPrepModel"]),
        .testTarget(
            name: "BlackBoxTests", dependencies: ["guestprep"],
            // The cases are read from the source tree, where their golden files are updated.
            exclude: ["Cases"]),
    ]
)
