import ArgumentParser
import GuestPrepModel

#if canImport(Glibc)
import Glibc
#endif

// Without /proc (a bare `chroot ROOT guestprep run`) the Swift runtime cannot find the command
// line: on Linux it locates argv by finding the initial stack in /proc/self/maps
// (swift/stdlib/public/CommandLineSupport/CommandLine.cpp, ArgvGrabber), and without it
// CommandLine.arguments is empty, so ArgumentParser would print the help and exit 0 as if
// nothing had been asked. Say so and refuse instead: nothing was done.
if CommandLine.arguments.count <= 1, access("/proc/self/maps", R_OK) != 0 {
    CommandOutput.error(
        "/proc is not mounted, so guestprep cannot read its command line and does nothing. Mount it first "
            + "(`mount -t proc proc ROOT/proc` before `chroot ROOT`), or run guestprep from outside the tree with `--root ROOT`.")
    exit(2)
}

// Parse, run, and map every way out to DESIGN.md's exit codes: usage errors are 2 (not
// ArgumentParser's 64), GuestPrepError carries its own code, ExitCode passes through.
do {
    var command = try GuestPrepCommand.parseAsRoot()
    try command.run()
} catch let error as GuestPrepError {
    CommandOutput.error("\(error)")
    exit(error.exitCode)
} catch let code as ExitCode {
    exit(code.rawValue)
} catch {
    let code = GuestPrepCommand.exitCode(for: error)
    let message = GuestPrepCommand.fullMessage(for: error)
    if code == .success {
        print(message)
        exit(0)
    }
    CommandOutput.error(message)
    exit(code == .validationFailure ? 2 : code.rawValue)
}
