import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

@Suite struct NetworkStepTests {
    /// Two vmxnet3 NICs; net2 static with MTU 9000.
    func guest(_ extra: (InMemoryFileSystem) -> Void = { _ in }) -> InMemoryFileSystem {
        let sys = SysfsBuilder()
        sys.pciNIC("ens192", pci: "0000:0b:00.0", mac: "00:50:56:00:00:01", driver: "vmxnet3")
        sys.pciNIC("ens224", pci: "0000:13:00.0", mac: "00:50:56:00:00:02", driver: "vmxnet3")
        extra(sys.fs)
        return sys.fs
    }

    static let spec: GuestSpec = {
        var spec = GuestSpec()
        spec.nics[1] = NICSpec(
            index: 2, configure: true,
            addressing: .staticIPv4(IPv4Interface(address: IPv4Address("10.2.0.5")!, prefixLength: 24)), mtu: 9000)
        return spec
    }()

    func plan(_ fs: InMemoryFileSystem, spec: GuestSpec = Self.spec, onHost: Bool = false) throws -> StepPlan {
        try NetworkStep().plan(StepContext(spec: spec, fs: fs, onHost: onHost))
    }

    func apply(_ plan: StepPlan, to fs: InMemoryFileSystem) throws {
        try PlanApplier(fs: fs, runner: nil).apply(plan.changes) { _, _ in }
    }

    @Test func writesOneFilePerNICAndASecondPlanIsEmpty() throws {
        let fs = guest()
        let first = try plan(fs)
        #expect(first.changes.map(\.path) == ["/etc/systemd/network/10-guestprep-net1.network", "/etc/systemd/network/10-guestprep-net2.network"])
        try apply(first, to: fs)
        #expect(fs["/etc/systemd/network/10-guestprep-net2.network"]?.contains("MTUBytes=9000") == true)
        #expect(try plan(fs).changes.isEmpty)
        #expect(first.notes == [
            "net1 → ens192 00:50:56:00:00:01 0000:0b:00.0 vmxnet3 (by PCI order)",
            "net2 → ens224 00:50:56:00:00:02 0000:13:00.0 vmxnet3 (by PCI order)",
            "files for systemd-networkd",
        ])
    }

    @Test func hyperVSyntheticNICsAreMatchedByMACAndDriverAndTheirVFIsLeftAlone() throws {
        let sys = SysfsBuilder()
        sys.vmbusNIC("eth1", instance: "0a1b2c3d-0000-4000-8000-000000000002", channel: "15", mac: "00:15:5d:00:00:02")
        sys.vmbusNIC("eth0", instance: "ff1b2c3d-0000-4000-8000-000000000001", channel: "14", mac: "00:15:5d:00:00:01")
        sys.pciNIC("enP30832s1", pci: "7870:00:02.0", mac: "00:15:5d:00:00:01", driver: "mlx5_core")
        let first = try plan(sys.fs)
        #expect(first.notes == [
            "net1 → eth0 00:15:5d:00:00:01 VMBus ff1b2c3d-0000-4000-8000-000000000001 channel 14 hv_netvsc + SR-IOV VF enP30832s1 mlx5_core at 7870:00:02.0 (by VMBus channel order)",
            "net2 → eth1 00:15:5d:00:00:02 VMBus 0a1b2c3d-0000-4000-8000-000000000002 channel 15 hv_netvsc (by VMBus channel order)",
            "files for systemd-networkd",
        ])
        #expect(first.changes.map(\.path) == ["/etc/systemd/network/10-guestprep-net1.network", "/etc/systemd/network/10-guestprep-net2.network"])
        for change in first.changes {
            guard case .write(_, let content, _, _) = change.action else { Issue.record("expected a write"); continue }
            let text = String(decoding: content, as: UTF8.self)
            #expect(text.contains("[Match]\nMACAddress=00:15:5d:00:00:0"))
            #expect(text.contains("\nDriver=hv_netvsc\n"), "the VF has the same MAC: the file must not match it")
        }
    }

    @Test func aContainersVethsAreConfiguredWhenTheOVFAdaptersNameTheirMACs() throws {
        let sys = SysfsBuilder()
        sys.virtualNIC("eth0", mac: "02:00:00:00:00:01")
        sys.virtualNIC("eth1", mac: "02:00:00:00:00:02")
        sys.virtualNIC("veth-other", mac: "02:00:00:00:00:99")
        let adapters = ["02:00:00:00:00:01", "02:00:00:00:00:02"].map { EthernetAdapter(mac: $0) }
        let planned = try NetworkStep().plan(StepContext(spec: Self.spec, fs: sys.fs, onHost: false, adapters: adapters))
        #expect(planned.changes.map(\.path) == ["/etc/systemd/network/10-guestprep-net1.network", "/etc/systemd/network/10-guestprep-net2.network"])
        #expect(planned.notes.prefix(2) == [
            "net1 → eth0 02:00:00:00:00:01 software link (no device) no driver (by OVF adapter 1)",
            "net2 → eth1 02:00:00:00:00:02 software link (no device) no driver (by OVF adapter 2)",
        ])
        // Without adapters a veth is nobody's NIC: nothing to match files to.
        #expect(try plan(sys.fs).changes.isEmpty)
    }

    @Test func aDriverNameThatIsNotPlainIsNotMatchedOn() {
        #expect(NetworkStep.isPlainDriverName("hv_netvsc"))
        #expect(NetworkStep.isPlainDriverName("virtio-pci"))
        #expect(NetworkStep.isPlainDriverName("E1000E"))
        for bad in ["", "hv netvsc", "hv_netvsc\nDNS=1.2.3.4", "a*", "ä"] {
            #expect(!NetworkStep.isPlainDriverName(bad), "\(bad)")
        }
    }

    @Test func aChangedModeIsRewritten() throws {
        let fs = guest()
        try apply(try plan(fs), to: fs)
        let path = "/etc/systemd/network/10-guestprep-net1.network"
        fs.setText(path, fs[path]!, mode: 0o666)
        #expect(try plan(fs).changes.map(\.path) == [path])
    }

    @Test func reloadsARunningNetworkdOnlyForChangedNICs() throws {
        let fs = guest { $0.setText("/run/systemd/netif/state", "OPER_STATE=routable\n") }
        try apply(try plan(fs), to: fs)
        var spec = Self.spec
        spec.nics[1].mtu = 4096
        let changes = try plan(fs, spec: spec, onHost: true).changes
        #expect(changes.map(\.actionName) == ["write", "run", "run"])
        #expect(changes[0].path == "/etc/systemd/network/10-guestprep-net2.network")
        #expect(changes[1].action == .run(argv: ["networkctl", "reload"]))
        #expect(changes[2].action == .run(argv: ["networkctl", "reconfigure", "ens224"]))
        #expect(try plan(fs, spec: Self.spec, onHost: true).changes.isEmpty, "nothing changed: no reload")
    }

    @Test func noReloadBeforeTheManagerRunsOrUnderAFixtureRoot() throws {
        #expect(try plan(guest(), onHost: true).changes.allSatisfy { $0.actionName == "write" })
        let running = guest { $0.setText("/run/systemd/netif/state", "x\n") }
        #expect(try plan(running, onHost: false).changes.allSatisfy { $0.actionName == "write" })
    }

    @Test func networkManagerReloadsAndBringsUpChangedConnections() throws {
        var spec = Self.spec
        spec.networkRenderer = .networkManager
        let fs = guest { $0.setText("/run/NetworkManager/placeholder", "") }
        let changes = try plan(fs, spec: spec, onHost: true).changes
        #expect(changes.filter { $0.actionName == "run" }.map(\.action) == [
            .run(argv: ["nmcli", "connection", "reload"]),
            .run(argv: ["nmcli", "connection", "up", "guestprep-net1"]),
            .run(argv: ["nmcli", "connection", "up", "guestprep-net2"]),
        ])
        #expect(changes.compactMap(\.path).allSatisfy { $0.hasPrefix("/etc/NetworkManager/system-connections/") })
    }

    @Test func choosesNetplanThenNetworkManagerThenNetworkd() {
        let netplan = guest { $0.setText("/usr/sbin/netplan", "") }
        #expect(NetworkEnvironment.detect(fs: netplan).choose(override: nil).kind == .netplan)
        let nm = guest { $0.setLink("/etc/systemd/system/multi-user.target.wants/NetworkManager.service", to: "/lib/systemd/system/NetworkManager.service") }
        #expect(NetworkEnvironment.detect(fs: nm).choose(override: nil).kind == .networkManager)
        #expect(NetworkEnvironment.detect(fs: guest()).choose(override: nil).kind == .networkd)
        #expect(NetworkEnvironment.detect(fs: netplan).choose(override: .networkd).kind == .networkd)
    }

    @Test func cloudInitDropInOnlyWhenCloudInitWouldConfigureTheNetwork() throws {
        let dropIn = "/etc/cloud/cloud.cfg.d/99-guestprep-network.cfg"
        let active = guest { $0.setText("/usr/bin/cloud-init", "") }
        let planned = try plan(active)
        #expect(planned.changes.contains { $0.path == dropIn })
        #expect(planned.diagnostics.contains { $0.message.hasPrefix("cloud-init is installed and would configure the network too") })
        let disabled = guest {
            $0.setText("/usr/bin/cloud-init", "")
            $0.setText("/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg", "network:\n  config: disabled\n")
        }
        #expect(try !plan(disabled).changes.contains { $0.path == dropIn })
        #expect(NetworkEnvironment.disablesNetwork("# x\nnetwork: {config: disabled}\n"))
        #expect(NetworkEnvironment.disablesNetwork("network: {config: 'disabled'}\n"))
        #expect(!NetworkEnvironment.disablesNetwork("#network: {config: disabled}\n"))
        #expect(!NetworkEnvironment.disablesNetwork("network:\nconfig: disabled\n"))
        #expect(try !plan(guest()).changes.contains { $0.path == dropIn }, "no cloud-init: no drop-in")
    }

    @Test func staleOwnedFilesGoAndForeignFilesStay() throws {
        let fs = guest {
            $0.setText("/etc/systemd/network/10-guestprep-net3.network", "stale\n")
            $0.setText("/etc/netplan/90-guestprep.yaml", "stale\n")
            $0.setText("/etc/systemd/network/10-guestprep-net3.network.bak", "keep\n")
            $0.setText("/etc/netplan/50-cloud-init.yaml", "keep\n")
        }
        let deletes = try plan(fs).changes.filter { $0.actionName == "delete" }.compactMap(\.path)
        #expect(deletes.sorted() == ["/etc/netplan/90-guestprep.yaml", "/etc/systemd/network/10-guestprep-net3.network"])
    }

    @Test func aConfiguredNICWithoutADeviceNamesTheKeyAndTheMAC() throws {
        var spec = Self.spec
        spec.nics[2] = NICSpec(index: 3, configure: true)
        let result = try NetworkStep().plan(
            StepContext(
                spec: spec, fs: guest(), onHost: false,
                adapters: [EthernetAdapter(mac: "00:50:56:00:00:01"), EthernetAdapter(mac: "00:50:56:00:00:02"), EthernetAdapter(mac: "00:50:56:00:00:99")]))
        let errors = result.diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.key) == [PropertyKeys.nic(3, .configure)])
        #expect(errors.first?.message.contains("00:50:56:00:00:99") == true)
        #expect(result.changes.count == 2, "net1 and net2 are still written")

        let noThird = try plan(guest(), spec: spec)
        #expect(noThird.diagnostics.filter { $0.severity == .error }.first?.message.contains("no Ethernet NIC 3") == true)
    }

    @Test func withoutAnyNICNothingChanges() throws {
        let fs = InMemoryFileSystem(["/sys/class/net/lo/address": "00:00:00:00:00:00\n", "/etc/systemd/network/10-guestprep-net1.network": "x\n"])
        let result = try plan(fs, spec: GuestSpec())
        #expect(result.changes.isEmpty)
        #expect(result.diagnostics.map(\.severity) == [.warning])
    }
}
