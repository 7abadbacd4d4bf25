import GuestPrepCore
import GuestPrepLinux
import GuestPrepModel

/// The check groups `guestprep health` runs, in order: the one list to extend (one line per
/// source). The real probes run only on the running system; under another --root the checks
/// that need them are `unknown`.
enum HealthSources {
    static func all(session: Session, adapters: [EthernetAdapter]) -> [any HealthSource] {
        [
            DoctorHealthSource(),
            GPUHealthSource(probe: NVMLHealthProbe()),
            HostHealthSource(
                adapters: adapters, disk: session.onHost ? StatvfsDiskSpace() : nil, clock: session.onHost ? AdjtimexClock() : nil),
            RoleHealthSource(
                vcenter: session.onHost ? CurlVCenterVerifier() : nil, tlsProbe: session.onHost ? CurlTLSEndpointProbe() : nil),
        ]
    }
}
