import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct DriverRulesTests {
    let sha = String(repeating: "ab", count: 32)

    @Test func everyKeyIsRead() throws {
        let spec = try expectValid(
            validate([
                PropertyKeys.driverBranch: " 570 ", PropertyKeys.driverModules: "Proprietary",
                PropertyKeys.driverRoute: "RUNFILE", PropertyKeys.driverRunfile: "https://mirror.example/NVIDIA-Linux-x86_64-570.172.08.run",
                PropertyKeys.driverRunfileSHA256: sha.uppercased(), PropertyKeys.driverCAFile: "/etc/ssl/mirror-ca.pem",
                PropertyKeys.driverPersistence: "off",
            ]))
        #expect(
            spec.driver
                == DriverRequest(
                    branch: 570, modules: .proprietary, route: .runfile,
                    runfile: "https://mirror.example/NVIDIA-Linux-x86_64-570.172.08.run", runfileSHA256: sha,
                    caFile: "/etc/ssl/mirror-ca.pem", persistence: false))
    }

    @Test func anAirGappedDirectory() throws {
        let spec = try expectValid(validate([PropertyKeys.driverPackageDirectory: "/opt/nvidia-debs"]))
        #expect(spec.driver.packageDirectory == "/opt/nvidia-debs")
    }

    @Test(arguments: [
        (PropertyKeys.driverBranch, "R580", "'R580' is not a driver branch: give the major version only, such as 580"),
        (PropertyKeys.driverBranch, "580.95.05", "is not a driver branch"),
        (PropertyKeys.driverBranch, "390", "(418 to 999)"),
        (PropertyKeys.driverModules, "closed", "'closed' is not a kernel module flavour: use one of 'open', 'proprietary'"),
        (PropertyKeys.driverRoute, "ppa", "is not a driver route: use one of 'auto', 'distro', 'nvidia-repo', 'runfile'"),
        (PropertyKeys.driverRunfile, "ftp://x/NVIDIA.run", "neither an absolute path nor an https://, http:// or file:// URL"),
        (PropertyKeys.driverRunfile, "NVIDIA.run", "neither an absolute path nor"),
        (PropertyKeys.driverRunfile, "https://x/a b.run", "contains a space or control character"),
        (PropertyKeys.driverPackageDirectory, "debs", "is not an absolute path"),
        (PropertyKeys.driverPackageDirectory, "/opt/../etc", "contains '..'"),
        (PropertyKeys.driverCAFile, "ca.pem", "is not an absolute path"),
        (PropertyKeys.driverPersistence, "always", "is not a toggle"),
    ])
    func badValuesNameTheirKey(_ key: String, _ value: String, _ fragment: String) {
        expectDiagnostic(validate([key: value]), .error, on: key, containing: fragment)
    }

    @Test func aRunfileNeedsItsChecksum() {
        expectDiagnostic(
            validate([PropertyKeys.driverRunfile: "/opt/NVIDIA-Linux-x86_64-580.95.05.run"]), .error,
            on: PropertyKeys.driverRunfileSHA256, containing: "required with guestinfo.guestprep.driver.runfile")
        expectDiagnostic(
            validate([PropertyKeys.driverRunfileSHA256: sha]), .error, on: PropertyKeys.driverRunfileSHA256,
            containing: "given without guestinfo.guestprep.driver.runfile")
        expectDiagnostic(
            validate([PropertyKeys.driverRunfile: "/opt/x.run", PropertyKeys.driverRunfileSHA256: "abc"]), .error,
            on: PropertyKeys.driverRunfileSHA256, containing: "'abc' is not a SHA-256: give 64 hexadecimal digits")
    }

    @Test func routesAndSourcesMustAgree() {
        expectDiagnostic(
            validate([PropertyKeys.driverRoute: "runfile"]), .error, on: PropertyKeys.driverRoute,
            containing: "'runfile' needs guestinfo.guestprep.driver.runfile")
        expectDiagnostic(
            validate([PropertyKeys.driverRoute: "distro", PropertyKeys.driverRunfile: "/opt/x.run", PropertyKeys.driverRunfileSHA256: sha]),
            .error, on: PropertyKeys.driverRunfile, containing: "given with guestinfo.guestprep.driver.route 'distro'")
        expectDiagnostic(
            validate([
                PropertyKeys.driverPackageDirectory: "/opt/debs", PropertyKeys.driverRunfile: "/opt/x.run",
                PropertyKeys.driverRunfileSHA256: sha,
            ]), .error, on: PropertyKeys.driverPackageDirectory, containing: "either from the runfile or from the packages")
    }
}

@Suite struct URLRedactionTests {
    @Test(arguments: [
        ("https://user:s3cret@mirror.example/x.run", "https://<redacted>@mirror.example/x.run"),
        ("https://mirror.example/a@b.run", "https://mirror.example/a@b.run"),
        ("http://token@host:8080?q=1", "http://<redacted>@host:8080?q=1"),
        ("/opt/x.run", "/opt/x.run"),
    ])
    func userInfoIsRedacted(_ url: String, _ shown: String) {
        #expect(URLRedaction.redacted(url) == shown)
    }
}

@Suite struct NvidiaSMIDecoderTests {
    @Test func decodesTheQueryOutput() throws {
        let text = "00000000:0B:00.0, Tesla V100-PCIE-32GB, Enabled, 580.95.05\n00000000:13:00.0, NVIDIA A100 80GB PCIe, Disabled, 580.95.05\n"
        let decoded = try #require(NvidiaSMIDecoder.decode(text))
        #expect(decoded.driverVersion == "580.95.05")
        #expect(decoded.gpus.map(\.address) == ["0000:0b:00.0", "0000:13:00.0"])
        #expect(decoded.gpus.map(\.name) == ["Tesla V100-PCIE-32GB", "NVIDIA A100 80GB PCIe"])
        #expect(decoded.gpus.map(\.persistence) == [true, false])
    }

    @Test func rejectsWhatItCannotRead() {
        #expect(NvidiaSMIDecoder.decode("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n") == nil)
        #expect(NvidiaSMIDecoder.decode("") == nil)
    }
}
