/// The network configuration system guestprep writes for, as
/// `guestinfo.guestprep.network.renderer` names it.
public enum NetworkRendererKind: String, Sendable, CaseIterable {
    case networkd
    case netplan
    case networkManager = "networkmanager"
}
