#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore

/// Asks the kernel's CD-ROM layer about a drive's medium, on the running system (paths are
/// host paths: used only when the root is `/`).
///
/// The drive is opened with O_NONBLOCK, which the CD-ROM layer allows without a medium
/// (drivers/cdrom/cdrom.c, cdrom_open: a non-blocking open skips the medium check that makes a
/// plain open fail with ENOMEDIUM), then asked with the CDROM_DRIVE_STATUS ioctl, whose answers
/// tell what a plain open cannot: no disc or an open tray (nothing to wait for) from a drive
/// that is not ready yet.
public struct CDROMDriveProbe: OpticalDriveProbe {
    // include/uapi/linux/cdrom.h: the request, its "current slot" argument, and its answers.
    static let driveStatus: UInt = 0x5326
    static let currentSlot = CInt(Int32.max)
    static let noInfo: CInt = 0, noDisc: CInt = 1, trayOpen: CInt = 2, notReady: CInt = 3, discOK: CInt = 4

    public init() {}

    public func medium(_ device: String) -> OpticalMedium {
        let fd = Posix.retrying { open(device, O_RDONLY | O_NONBLOCK | O_CLOEXEC) }
        // No node (devtmpfs makes it with the device, so none is coming: a container's /dev
        // under the host's sysfs), ENOMEDIUM from a driver that checks at open anyway: nothing
        // to read or wait for.
        if fd < 0 { return .absent }
        defer { Posix.closeQuietly(fd) }
        let status = ioctl(fd, Self.driveStatus, Self.currentSlot)
        return Self.medium(status: status, errno: status < 0 ? errno : 0)
    }

    /// The medium for an ioctl's result (`status`, or -1 and `errno`). A drive that cannot tell
    /// (CDS_NO_INFO, or no such ioctl) is read: its label decides.
    public static func medium(status: CInt, errno: CInt) -> OpticalMedium {
        if status < 0 { return errno == ENOMEDIUM ? .absent : .ready }
        switch status {
        case noDisc, trayOpen: return .absent
        case notReady: return .notReady
        case discOK, noInfo: return .ready
        default: return .ready
        }
    }

    public func pause(seconds: Double) {
        usleep(UInt32(max(0, seconds) * 1_000_000))
    }
}
