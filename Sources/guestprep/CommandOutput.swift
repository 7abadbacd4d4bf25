#if canImport(Glibc)
import Glibc
#endif

/// Writes to stdout and stderr with write(2), unbuffered, so output order is exactly call
/// order. Everything a subcommand prints goes through here.
enum CommandOutput {
    static func out(_ text: String) { writeAll(1, text) }

    static func error(_ message: String) {
        let text = message.hasPrefix("guestprep:") || message.hasPrefix("Error:") || message.hasPrefix("Usage:")
            ? message : "guestprep: \(message)"
        writeAll(2, text.hasSuffix("\n") ? text : text + "\n")
    }

    private static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
