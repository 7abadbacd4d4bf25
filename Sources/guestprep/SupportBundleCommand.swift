import ArgumentParser
import GuestPrepConfig
import GuestPrepCore
import GuestPrepLinux
import GuestPrepModel

#if canImport(Glibc)
import Glibc
#endif

/// `guestprep support-bundle`: logs, state and diagnostics in one tar.gz, scrubbed of secrets.
struct SupportBundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "support-bundle",
        abstract: "Write the logs, state and diagnostics an engineer needs into one tar.gz (0600), every secret scrubbed.",
        discussion: """
            The bundle holds: `status` (text and --json) and `doctor --json`; the journal of \
            guestprep's units for this boot (journalctl), `lspci -vvv` and `nvidia-smi -q` where \
            they are installed; state.json, /etc/default/guestprep, os-release, the kernel's \
            release and version, the files guestprep wrote (network configuration, the nouveau \
            blacklist, the Bitfusion limits and servers.conf, systemd drop-ins) and \
            /etc/modprobe.d; the kernel log's NVRM, Xid and PCI lines; and manifest.json, with \
            each file's SHA-256 and each item that is absent and why. With a root other than /, \
            no program runs (the manifest says so).

            Before anything is packed, every file is scrubbed of every secret guestprep knows \
            (the secret properties as read from --source, the Bitfusion token archive, each \
            Bitfusion user's ~/.bitfusion/client.yaml, read without following a link, and vGPU \
            client configuration tokens) and of the value of every key that names a password, \
            token or secret in key=value, YAML, JSON and XML text: each becomes <redacted>.

            Default file: /var/lib/guestprep/support-bundle-HOST-TIME.tar.gz under --root \
            (TIME in UTC, e.g. 20261205T101500Z). It is written under a temporary name and \
            renamed, mode 0600. Prints the path written.
            """)

    @OptionGroup var root: RootOption
    @OptionGroup var sources: SourceOptions
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Write the bundle to FILE, a path on this machine (relative to the working directory), not under --root. Default: /var/lib/guestprep/support-bundle-HOST-TIME.tar.gz under the root.",
            valueName: "FILE"))
    var output: String?

    func validate() throws {
        if let output, output.isEmpty || output.hasSuffix("/") {
            throw ValidationError("--output must name a file, not '\(output)'")
        }
    }

    func run() throws {
        let session = try Session(root: root.path)
        var properties: PropertySet?
        var unread: [SupportBundleAbsence] = []
        do {
            properties = try session.loadProperties(sources.specs()).properties
        } catch {
            unread.append(SupportBundleAbsence(item: "the properties", reason: "not read, so their secrets are scrubbed by key only: \(error)"))
        }
        var secrets = SupportBundleSecrets.gather(fs: session.fs, properties: properties)
        secrets.unreadable = unread + secrets.unreadable
        let collector = SupportBundleCollector(fs: session.fs, runner: session.runner, runReport: reportRunner(session))
        let contents = collector.collect(secrets: secrets)
        let now = SystemClock().now()
        let manifest = try SupportBundleManifest(
            contents: contents, guestprepVersion: GuestPrepCommand.configuration.version, created: now, root: session.root,
            sha256: { bytes in
                let hasher = try SHA256Hasher()
                hasher.update(bytes)
                return hasher.finish()
            })
        let source = "the support bundle"
        let archive = try ArchiveWriter(source: source).tarGz(manifest.archiveFiles(contents, secrets: secrets), time: Int64(time(nil)))
        let written: String
        if let output {
            written = output.hasPrefix("/") ? output : Session.workingDirectory() + "/" + output
            try RootedFileSystem(root: "/").writeAtomically(written, archive, mode: 0o600, owner: .root)
        } else {
            written = "/var/lib/guestprep/support-bundle-\(hostName(session))-\(Self.compact(now)).tar.gz"
            try session.fs.writeAtomically(written, archive, mode: 0o600, owner: .root)
        }
        CommandOutput.out(
            "\(written)\n  \(contents.files.count) files, \(contents.absent.count) absent (see \(SupportBundleCatalog.top)/\(SupportBundleCatalog.manifestName)), secrets scrubbed\n")
    }

    /// Runs guestprep itself (this executable, by /proc/self/exe) for a report, with this
    /// --root: a report's exit status (doctor's 1 for a critical finding) is kept with it.
    private func reportRunner(_ session: Session) -> (([String]) throws -> ProcessResult)? {
        guard let executable = try? RootedFileSystem(root: "/").readLink("/proc/self/exe"), executable.hasPrefix("/") else {
            return nil
        }
        let runner = PosixProcessRunner()
        let root = session.root
        return { arguments in try runner.run(executable: executable, arguments: arguments + ["--root", root], timeout: 120) }
    }

    /// The host name for the default file name: /etc/hostname's first word, in the characters
    /// a host name may have, else `localhost`.
    private func hostName(_ session: Session) -> String {
        let text = (try? session.fs.readText("/etc/hostname")) ?? nil
        let name = String((text ?? "").split(whereSeparator: \.isWhitespace).first ?? "")
            .filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        return name.isEmpty ? "localhost" : name
    }

    /// `2026-12-05T10:15:00Z` as `20261205T101500Z`.
    static func compact(_ time: String) -> String {
        time.filter { $0 != "-" && $0 != ":" }
    }
}
