/// Reads the kernel's table of file locks, /proc/locks, to name the process that holds
/// guestprep's lock. Pure: the text is read by `CommandLock`.
///
/// The format is the kernel's `lock_get_status()` (fs/locks.c; proc(5), "/proc/locks"): one
/// lock per line, `ID: [-> ]CLASS MODE TYPE PID MAJOR:MINOR:INODE START END`, with MAJOR and
/// MINOR in hexadecimal (`%02x`) and INODE in decimal, for example
/// `3: FLOCK  ADVISORY  WRITE 20324 fe:00:16220973 0 EOF`. A line with `->` is a request
/// still waiting for the lock, not a holder.
enum ProcLocks {
    /// The pid holding a flock(2) lock on the inode `inode` of `device`, or nil
    /// when the table names none (or names it with pid 0 or less: a holder outside this pid
    /// namespace).
    /// A device number split as the kernel prints it.
    struct Device: Equatable {
        var major: UInt32
        var minor: UInt32

        init(major: UInt32, minor: UInt32) {
            self.major = major
            self.minor = minor
        }

        /// From a `stat` `st_dev`, split as glibc's gnu_dev_major/gnu_dev_minor do
        /// (<bits/sysmacros.h>: the major in bits 8–19 and 44–63, the minor in bits 0–7 and
        /// 20–43); Swift does not import those macros.
        init(_ dev: UInt64) {
            major = UInt32(truncatingIfNeeded: ((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0x0000_0fff))
            minor = UInt32(truncatingIfNeeded: ((dev >> 12) & 0xffff_ff00) | (dev & 0x0000_00ff))
        }
    }

    static func holder(in table: String, device: Device, inode: UInt64) -> Int32? {
        for line in table.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 6, fields[1] != "->", fields[1] == "FLOCK" else { continue }
            // FLOCK ADVISORY TYPE PID DEVICE:INODE
            let pidField = fields[4]
            let location = fields[5].split(separator: ":", omittingEmptySubsequences: false)
            guard location.count == 3,
                UInt32(location[0], radix: 16) == device.major, UInt32(location[1], radix: 16) == device.minor,
                UInt64(location[2]) == inode,
                let pid = Int32(pidField), pid > 0
            else { continue }
            return pid
        }
        return nil
    }

    /// A /proc/PID/cmdline (arguments separated and ended by NUL) as one line of at most 200
    /// characters, arguments separated by spaces and control characters shown as `?`.
    static func commandLine(_ raw: String) -> String {
        var text = raw.split(separator: "\0").joined(separator: " ")
        text = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
        return text.count > 200 ? String(text.prefix(199)) + "…" : text
    }
}
