import GuestPrepModel

/// Sets VMware guestinfo keys with `vmware-rpctool 'info-set KEY VALUE'`, and with `vmtoolsd
/// --cmd 'info-set KEY VALUE'` when rpctool is not installed or fails (a VMX with secure RPC
/// refuses it: "Permission denied"), as `VMwareProvider` reads. Once rpctool has failed, the
/// remaining keys go straight to vmtoolsd. Both send one RPC text as it is given
/// (open-vm-tools: rpctool/rpctool.c sends `argv[1]`, services/vmtoolsd/cmdLine.c's `--cmd`
/// option sends its value, each with `RpcOut_sendOne(&result, NULL, "%s", …)`), exit 0 on
/// success and print the VMX's reply.
public struct GuestinfoWriter: Sendable {
    let runner: any ProcessRunner

    public init(runner: any ProcessRunner) { self.runner = runner }

    /// The RPC text that sets `key` to `value` (`info-set KEY VALUE`), one argv element; an
    /// empty value is `info-set KEY`, as the Bitfusion guide clears a key.
    public static func command(_ key: String, _ value: String) -> String {
        value.isEmpty ? "info-set \(key)" : "info-set \(key) \(value)"
    }

    /// Sets each pair in order.
    ///
    /// - Throws: `GuestPrepError.program` naming the key and what both programs answered.
    public func set(_ pairs: [(key: String, value: String)]) throws {
        let rpctool = VMwareProvider.channel("vmware-rpctool", runner)
        let vmtoolsd = VMwareProvider.channel("vmtoolsd", runner)
        guard rpctool != nil || vmtoolsd != nil else {
            throw GuestPrepError.program(argv0: "vmware-rpctool", reason: "neither vmware-rpctool nor vmtoolsd is installed (install open-vm-tools)")
        }
        var useRpctool = rpctool != nil
        for pair in pairs {
            let command = Self.command(pair.key, pair.value)
            var said = ""
            if useRpctool, let rpctool {
                let result = try runner.run(
                    executable: rpctool.path, arguments: rpctool.arguments(command),
                    timeout: CommandTable.timeout(for: rpctool.program))
                if result.status == 0 { continue }
                said = "vmware-rpctool exited with status \(result.status): \(Self.detail(result))"
                useRpctool = false
            }
            guard let vmtoolsd else {
                throw GuestPrepError.program(argv0: "vmware-rpctool", reason: "info-set \(pair.key): \(said); vmtoolsd is not installed")
            }
            let result = try runner.run(
                executable: vmtoolsd.path, arguments: vmtoolsd.arguments(command),
                timeout: CommandTable.timeout(for: vmtoolsd.program))
            guard result.status == 0 else {
                throw GuestPrepError.program(
                    argv0: "vmtoolsd",
                    reason: "info-set \(pair.key): \(said.isEmpty ? "" : said + "; ")vmtoolsd --cmd exited with status \(result.status): \(Self.detail(result))")
            }
        }
    }

    /// What a program said, on one line (it echoes the VMX's reply, never the value sent).
    static func detail(_ result: ProcessResult) -> String {
        let said = (result.errorText + " " + result.outputText).trimmingCharacters(in: " \n\t")
        return said.isEmpty ? "no message" : said.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
