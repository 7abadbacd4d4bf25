#if canImport(Glibc)
import Glibc
#endif
import GuestPrepCore
import GuestPrepLinux
import Testing

/// What CDROM_DRIVE_STATUS's answers (include/uapi/linux/cdrom.h) mean to `auto`.
@Suite struct CDROMDriveProbeTests {
    @Test func theDrivesAnswers() {
        #expect(CDROMDriveProbe.medium(status: 4, errno: 0) == .ready)  // CDS_DISC_OK
        #expect(CDROMDriveProbe.medium(status: 0, errno: 0) == .ready)  // CDS_NO_INFO: read, the label decides
        #expect(CDROMDriveProbe.medium(status: 1, errno: 0) == .absent)  // CDS_NO_DISC
        #expect(CDROMDriveProbe.medium(status: 2, errno: 0) == .absent)  // CDS_TRAY_OPEN
        #expect(CDROMDriveProbe.medium(status: 3, errno: 0) == .notReady)  // CDS_DRIVE_NOT_READY
        #expect(CDROMDriveProbe.medium(status: -1, errno: ENOMEDIUM) == .absent)
        // Not a CD-ROM (ENOTTY, EINVAL): read, the label decides.
        #expect(CDROMDriveProbe.medium(status: -1, errno: ENOTTY) == .ready)
    }

    @Test func aMissingNodeIsNoMediumAndAFileIsRead() throws {
        let probe = CDROMDriveProbe()
        #expect(probe.medium("/dev/guestprep-no-such-sr0") == .absent)
        // /dev/null answers the ioctl with ENOTTY: nothing says "no medium", so it is read.
        #expect(probe.medium("/dev/null") == .ready)
    }
}
