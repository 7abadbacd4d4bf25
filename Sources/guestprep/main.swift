import ArgumentParser
import GuestPrepModel

#if canImport(Glibc)
import Glibc
#endif

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
