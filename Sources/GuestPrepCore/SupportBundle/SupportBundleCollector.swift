import GuestPrepConfig
import GuestPrepModel

/// Gathers what `SupportBundleCatalog` lists, scrubs every secret from each file's content (see
/// `SecretScrubber.scrub(text:secrets:)`) and describes it all in a manifest: the support
/// bundle's contents, before they are packed. Reads only; programs run only through `runner`
/// (nil off the running system), by argv.
public struct SupportBundleCollector {
    /// One file of the bundle.
    public struct File: Sendable, Equatable {
        /// Its path inside the bundle's top directory (`reports/status.json`).
        public var name: String
        /// What it was taken from: a guest path, or the command line.
        public var source: String
        public var content: [UInt8]
        /// The exit status of the program or report it is the output of.
        public var exitStatus: Int32?
        /// Whether it was cut to `SupportBundleCatalog.sizeLimit` (a program's output keeps its
        /// end, a file its start).
        public var truncated: Bool = false
    }

    /// The bundle's files and what it lacks.
    public struct Contents: Sendable {
        public var files: [File] = []
        public var absent: [SupportBundleAbsence] = []
        /// How many secret values were looked for.
        public var secretCount = 0
    }

    public let fs: any FileSystem
    public let runner: (any ProcessRunner)?
    /// Runs guestprep itself with the arguments of a report (and the session's --root); nil
    /// when it cannot be run.
    public let runReport: (([String]) throws -> ProcessResult)?
    public let reports: [SupportBundleCatalog.Report]

    public init(
        fs: any FileSystem, runner: (any ProcessRunner)?, runReport: (([String]) throws -> ProcessResult)?,
        reports: [SupportBundleCatalog.Report] = SupportBundleCatalog.reports
    ) {
        self.fs = fs
        self.runner = runner
        self.runReport = runReport
        self.reports = reports
    }

    /// Everything, scrubbed of `secrets`.
    public func collect(secrets: SupportBundleSecrets) -> Contents {
        var contents = Contents()
        contents.absent = secrets.unreadable
        contents.secretCount = secrets.values.count
        collectReports(into: &contents)
        collectPrograms(into: &contents)
        collectFiles(into: &contents)
        collectKernelLog(into: &contents)
        for index in contents.files.indices {
            let text = String(decoding: contents.files[index].content, as: UTF8.self)
            contents.files[index].content = Array(SecretScrubber.scrub(text: text, secrets: secrets.values).utf8)
        }
        return contents
    }

    private func collectReports(into contents: inout Contents) {
        for report in reports {
            let source = "guestprep " + report.arguments.joined(separator: " ")
            guard let runReport else {
                contents.absent.append(SupportBundleAbsence(item: source, reason: "guestprep's own executable could not be found to run it"))
                continue
            }
            do {
                let result = try runReport(report.arguments)
                if result.standardOutput.isEmpty {
                    contents.absent.append(
                        SupportBundleAbsence(item: source, reason: "no output, exit status \(result.status): \(Self.firstLine(result.errorText))"))
                } else {
                    add(&contents, name: "reports/" + report.name, source: source, result.standardOutput, exitStatus: result.status)
                }
            } catch {
                contents.absent.append(SupportBundleAbsence(item: source, reason: "\(error)"))
            }
        }
    }

    private func collectPrograms(into contents: inout Contents) {
        for program in SupportBundleCatalog.programs {
            let source = ([program.program] + program.arguments).joined(separator: " ")
            guard let runner else {
                contents.absent.append(SupportBundleAbsence(item: source, reason: "--root is not /: no program runs"))
                continue
            }
            guard let path = CommandTable.resolve(program.program, using: runner) else {
                let looked = (CommandTable.programs[program.program] ?? []).joined(separator: ", ")
                contents.absent.append(SupportBundleAbsence(item: source, reason: "not installed (looked for \(looked))"))
                continue
            }
            do {
                let result = try runner.run(executable: path, arguments: program.arguments, timeout: CommandTable.timeout(for: program.program))
                var output = result.standardOutput
                if output.isEmpty, !result.standardError.isEmpty { output = result.standardError }
                add(&contents, name: "programs/" + program.name, source: source, output, exitStatus: result.status)
            } catch {
                contents.absent.append(SupportBundleAbsence(item: source, reason: "\(error)"))
            }
        }
    }

    private func collectFiles(into contents: inout Contents) {
        var paths = SupportBundleCatalog.files
        for directory in SupportBundleCatalog.writtenDirectories {
            let names = (try? fs.list(directory)) ?? nil
            paths += (names ?? []).filter { $0.contains("guestprep") }.map { directory + "/" + $0 }
        }
        for directory in SupportBundleCatalog.wholeDirectories {
            guard let names = (try? fs.list(directory)) ?? nil else {
                contents.absent.append(SupportBundleAbsence(item: directory, reason: "does not exist"))
                continue
            }
            paths += names.map { directory + "/" + $0 }
        }
        var seen = Set<String>()
        for path in paths where seen.insert(path).inserted {
            do {
                guard let bytes = try fs.readRange(path, offset: 0, limit: SupportBundleCatalog.sizeLimit + 1) else {
                    contents.absent.append(SupportBundleAbsence(item: path, reason: "does not exist"))
                    continue
                }
                add(&contents, name: "files" + path, source: path, bytes, exitStatus: nil, keepEnd: false)
            } catch {
                contents.absent.append(SupportBundleAbsence(item: path, reason: "unreadable: \(error)"))
            }
        }
    }

    private func collectKernelLog(into contents: inout Contents) {
        let path = SupportBundleCatalog.kernelLog
        do {
            guard let bytes = try fs.readAvailable(path, limit: SupportBundleCatalog.sizeLimit) else {
                contents.absent.append(SupportBundleAbsence(item: path, reason: "does not exist"))
                return
            }
            let kept = Self.kernelLines(String(decoding: bytes, as: UTF8.self))
            add(&contents, name: SupportBundleCatalog.kernelLogName, source: path + " (NVRM, Xid and PCI lines)", Array(kept.utf8), exitStatus: nil)
        } catch {
            contents.absent.append(SupportBundleAbsence(item: path, reason: "unreadable (as root, or with kernel.dmesg_restrict=0): \(error)"))
        }
    }

    /// The lines of a kernel log that hold one of `SupportBundleCatalog.kernelLogWords`, with
    /// /dev/kmsg's continuation lines (` KEY=value`) left out.
    public static func kernelLines(_ log: String) -> String {
        let lines = log.split(separator: "\n").filter { line in
            !line.hasPrefix(" ") && SupportBundleCatalog.kernelLogWords.contains { line.contains($0) }
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    private func add(
        _ contents: inout Contents, name: String, source: String, _ bytes: [UInt8], exitStatus: Int32?, keepEnd: Bool = true
    ) {
        let limit = SupportBundleCatalog.sizeLimit
        var file = File(name: name, source: source, content: bytes, exitStatus: exitStatus)
        if bytes.count > limit {
            file.content = keepEnd ? Array(bytes.suffix(limit)) : Array(bytes.prefix(limit))
            file.truncated = true
        }
        contents.files.append(file)
    }

    private static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n").first ?? "")
    }
}
