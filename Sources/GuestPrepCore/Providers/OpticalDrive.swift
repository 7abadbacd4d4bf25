/// What an optical drive says of its medium.
public enum OpticalMedium: Sendable, Equatable {
    /// A medium is in the drive and can be read.
    case ready
    /// No medium, or the tray is open: nothing to wait for.
    case absent
    /// The drive has not finished looking at its medium yet (it is spinning up, or the
    /// hypervisor is still attaching the image): worth a short wait.
    case notReady
}

/// Asks an optical drive about its medium. The real one (GuestPrepLinux's
/// `CDROMDriveProbe`) asks the kernel with the CDROM_DRIVE_STATUS ioctl; a test's answers from
/// a script. Under a fixture root there is none: a device file that exists counts as a ready
/// medium.
public protocol OpticalDriveProbe: Sendable {
    /// The medium's state in the drive at `device` (a guest path such as /dev/sr0).
    func medium(_ device: String) -> OpticalMedium
    /// Waits `seconds` before the drive is asked again.
    func pause(seconds: Double)
}
