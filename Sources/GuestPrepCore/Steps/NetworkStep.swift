import GuestPrepModel
import GuestPrepRender

/// Writes the NIC configuration for net1…net4: finds the NICs in sysfs, maps netN to them
/// (`NICMapping`), renders the files for the configuration system the guest uses (or the one
/// `guestinfo.guestprep.network.renderer` names), removes guestprep's own stale files, turns
/// off cloud-init's network configuration where it would compete, and, on a running system
/// whose network manager is up, reloads it for the NICs that changed.
///
/// It runs in the early stage, before the network manager starts, and on every boot: a
/// changed property is applied at the next boot, and an unchanged machine plans nothing.
public struct NetworkStep: Step {
    public init() {}

    public let id = "network"
    public let stage = Stage.early
    public let frequency = StepFrequency.everyBoot
    public let summary = "NIC files for systemd-networkd, netplan or NetworkManager: net1–net4, MTU, static IPv4 or DHCP"

    public func plan(_ context: StepContext) throws -> StepPlan {
        let fs = context.fs
        let spec = context.spec
        var diagnostics: [Diagnostic] = []
        let physical = try NetworkDeviceScanner.scan(fs: fs)
        // Software links are looked at only for an OVF adapter no physical NIC answers.
        let unanswered = context.adapters.prefix(PropertyKeys.nicCount).contains { adapter in
            !physical.contains { $0.mac == adapter.mac.lowercased() }
        }
        let softwareLinks = unanswered ? NetworkDeviceScanner.softwareLinks(fs: fs) : []
        let mapping = NICMapping.map(adapters: context.adapters, devices: physical, softwareLinks: softwareLinks)
        let devices = physical + mapping.slots.compactMap { $0.device?.location == .software ? $0.device : nil }
        let mappingLines = Self.describe(mapping, fromAdapters: !context.adapters.isEmpty)
        diagnostics += mappingLines

        var bound: [BoundNIC] = []
        for nic in spec.nics where nic.configure {
            switch Self.bind(nic, mapping: mapping, devices: devices) {
            case .success(let nic): bound.append(nic)
            case .failure(let problem): diagnostics.append(problem.diagnostic)
            }
        }
        // Without any NIC found there is nothing to match files to, and nothing to tell a
        // stale file from one an unreadable sysfs merely hides: change nothing.
        guard !devices.isEmpty else { return StepPlan(diagnostics: diagnostics) }

        let environment = NetworkEnvironment.detect(fs: fs)
        let (kind, reason) = environment.choose(override: spec.networkRenderer)
        diagnostics.append(.info(nil, "network files are written for \(kind.displayName): \(reason)"))
        if kind == .networkd, !environment.networkdEnabled {
            diagnostics.append(
                .warning(
                    PropertyKeys.networkRenderer,
                    "systemd-networkd is not enabled in this guest, so its files take effect only once it is: run `systemctl enable systemd-networkd` in the template, or set this key to the system the guest uses (netplan, networkmanager)"
                ))
        }

        var changes: [Change] = []
        let files = NetworkRenderer.render(bound, kind: kind)
        for file in files where try Self.differs(file, fs: fs) {
            changes.append(.write(step: id, path: file.path, text: file.text, mode: file.mode))
        }
        let wanted = Set(files.map(\.path))
        for directory in NetworkRenderer.ownedDirectories {
            let names = (try fs.list(directory)) ?? []
            for path in NetworkRenderer.ownedPaths(in: names, directory: directory) where !wanted.contains(path) {
                changes.append(.delete(step: id, path: path))
            }
        }

        if environment.cloudInit == .active {
            let dropIn = CloudInitNetworkRenderer.render()
            if try Self.differs(dropIn, fs: fs) {
                changes.append(.write(step: id, path: dropIn.path, text: dropIn.text, mode: dropIn.mode))
            }
            diagnostics.append(
                .info(
                    nil,
                    "cloud-init is installed and would configure the network too: \(dropIn.path) turns its network configuration off, so guestprep's files are the only ones"
                ))
        }

        if context.onHost {
            changes += reload(kind, environment, bound: bound, changed: Set(changes.compactMap(\.path)))
        }
        let notes = mappingLines.map(\.message) + ["files for \(kind.displayName)"]
        return StepPlan(changes: changes, diagnostics: diagnostics, notes: notes)
    }

    /// The commands that make a running network manager apply changed files: nothing when
    /// no NIC file changed or the manager is not running (the early stage, before it starts).
    func reload(
        _ kind: NetworkRendererKind, _ environment: NetworkEnvironment, bound: [BoundNIC], changed: Set<String>
    ) -> [Change] {
        let nicFileChanged = changed.contains { path in
            NetworkRenderer.ownedDirectories.contains { path.hasPrefix($0 + "/") } && !path.hasPrefix(TimesyncRenderer.directory)
        }
        guard nicFileChanged else { return [] }
        switch kind {
        case .networkd:
            guard environment.networkdRunning else { return [] }
            let links = bound.filter { changed.contains(NetworkdRenderer.directory + "/" + NetworkdRenderer.fileName(index: $0.spec.index)) }
                .map(\.interfaceName)
            return [.run(step: id, ["networkctl", "reload"])]
                + (links.isEmpty ? [] : [.run(step: id, ["networkctl", "reconfigure"] + links)])
        case .netplan:
            guard environment.networkdRunning || environment.networkManagerRunning else { return [] }
            return [.run(step: id, ["netplan", "apply"])]
        case .networkManager:
            guard environment.networkManagerRunning else { return [] }
            let ups = bound.filter {
                changed.contains(NetworkManagerRenderer.directory + "/" + NetworkManagerRenderer.fileName(index: $0.spec.index))
            }.map { Change.run(step: id, ["nmcli", "connection", "up", NetworkManagerRenderer.connectionID(index: $0.spec.index)]) }
            return [.run(step: id, ["nmcli", "connection", "reload"])] + ups
        }
    }

    /// Why a configured netN has no NIC.
    struct Unbound: Error {
        var diagnostic: Diagnostic
    }

    /// The NIC a configured netN applies to.
    static func bind(_ nic: NICSpec, mapping: NICMapping, devices: [NetworkDevice]) -> Result<BoundNIC, Unbound> {
        let name = "net\(nic.index)"
        // The key that asks for the NIC: net2–4's `configure`; net1 is always configured.
        let key = nic.index == 1 ? PropertyKeys.nic(1, .ipv4address) : PropertyKeys.nic(nic.index, .configure)
        // Only an error message needs the list: built on failure, not for every bound NIC.
        var found: String {
            devices.isEmpty ? "none was found" : "found: " + devices.map { "\($0.name) \($0.mac)" }.joined(separator: ", ")
        }
        guard let slot = mapping.slot(nic.index) else {
            if devices.isEmpty && nic == NICSpec(index: 1) {
                return .failure(
                    Unbound(diagnostic: .warning(nil, "no physical Ethernet NIC was found under /sys/class/net: the network is left as it is")))
            }
            return .failure(
                Unbound(
                    diagnostic: .error(
                        key,
                        "\(name) is configured, but the guest has no Ethernet NIC \(nic.index) for it (\(found)): add a network adapter to the VM, or turn \(name) off"
                    )))
        }
        switch slot.outcome {
        case .matched(let device):
            // A synthetic NIC's VF has its MAC and may be hot-added at any time: match the
            // driver too, so the files never apply to the VF.
            return .success(
                BoundNIC(
                    spec: nic, mac: device.mac, interfaceName: device.name,
                    matchDriver: device.isSynthetic ? device.driver.flatMap { Self.isPlainDriverName($0) ? $0 : nil } : nil))
        case .missing(let mac):
            return .failure(
                Unbound(
                    diagnostic: .error(
                        key,
                        "\(name) is configured, but no Ethernet NIC has the MAC \(mac) that the OVF environment gives its adapter \(nic.index) (\(found)): check the VM's network adapters"
                    )))
        }
    }

    /// Whether a driver name from sysfs can go into a match line as it is: letters, digits,
    /// `_` and `-` (every kernel driver name; anything else is left out).
    public static func isPlainDriverName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            }
    }

    /// One info line per netN and per NIC left over: what `plan` shows of the mapping, and what
    /// `status` shows from the last run.
    static func describe(_ mapping: NICMapping, fromAdapters: Bool) -> [Diagnostic] {
        var lines: [Diagnostic] = []
        for slot in mapping.slots {
            switch slot.outcome {
            case .matched(let device):
                let origin = fromAdapters ? "OVF adapter \(slot.index)" : device.location.orderName
                lines.append(.info(nil, "net\(slot.index) → \(device.summary) (by \(origin))"))
            case .missing(let mac):
                lines.append(.info(nil, "net\(slot.index) → no NIC with MAC \(mac) (by OVF adapter \(slot.index))"))
            }
        }
        for device in mapping.unmapped {
            lines.append(.info(nil, "not mapped to any netN: \(device.summary)"))
        }
        return lines
    }

    /// Whether the file is missing, or differs from what is rendered in content or mode.
    static func differs(_ file: RenderedFile, fs: any FileSystem) throws -> Bool {
        guard let current = try fs.read(file.path) else { return true }
        if current != Array(file.text.utf8) { return true }
        return try fs.mode(file.path) != file.mode
    }
}

extension NetworkDevice {
    /// `ens192 00:50:56:aa:00:01 0000:03:00.0 vmxnet3 + RDMA vmw_pvrdma0 at 0000:03:00.1`, or
    /// `eth0 00:15:5d:… VMBus 6e2f…  channel 14 hv_netvsc + SR-IOV VF enP1s2 mlx5_core at 0001:00:02.0`.
    var summary: String {
        var text = "\(name) \(mac) \(location) \(driver ?? "no driver")"
        if let rdma { text += " + RDMA \(rdma.deviceName ?? "function") at \(rdma.pciAddress)" }
        if let accelerated {
            text += " + SR-IOV VF \(accelerated.name) \(accelerated.driver ?? "no driver") at \(accelerated.pciAddress)"
        }
        return text
    }
}

extension NetworkRendererKind {
    /// The name people know the system by.
    var displayName: String {
        switch self {
        case .networkd: "systemd-networkd"
        case .netplan: "netplan"
        case .networkManager: "NetworkManager"
        }
    }
}
