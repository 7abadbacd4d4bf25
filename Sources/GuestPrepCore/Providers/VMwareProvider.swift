import Dispatch
import GuestPrepConfig
import GuestPrepModel
import Synchronization

/// `vmware`: VMware guestinfo through `vmware-rpctool 'info-get KEY'`, falling back to
/// `vmtoolsd --cmd 'info-get KEY'` when rpctool is missing or the VMX refuses it ("Permission
/// denied": secure RPC). `guestinfo.ovfEnv` is read once and decoded; then each known key is
/// asked for directly, and a direct key overrides the same key from the OVF environment. The
/// document is bounded by ``InputLimits/ovfEnvironment``, as from every other transport.
public struct VMwareProvider: PropertyProvider {
    let runner: (any ProcessRunner)?
    /// How many info-get processes run at once.
    let parallelism: Int

    public init(runner: (any ProcessRunner)?, parallelism: Int = 4) {
        self.runner = runner
        self.parallelism = max(1, parallelism)
    }

    public var name: String { "vmware" }

    /// The source of what the OVF environment in guestinfo gives, in provenance and errors.
    static let ovfEnvSource = "vmware (guestinfo.ovfEnv)"

    /// The answer to one info-get.
    enum Answer: Equatable {
        case value(String)
        case absent
        case permissionDenied
    }

    /// The channel in use: the program's table name and how it takes the command.
    struct Channel {
        let program: String
        let path: String

        func arguments(_ command: String) -> [String] {
            program == "vmtoolsd" ? ["--cmd", command] : [command]
        }
    }

    public func load() throws -> ProviderOutput {
        guard let runner else {
            throw GuestPrepError.source(
                name: name,
                reason: "reading guestinfo runs vmware-rpctool, and no external program runs when --root is not /; use ovf:PATH or file:PATH with a fixture root")
        }
        var channel = try firstChannel(runner)
        var envAnswer = try ask(PropertyKeys.ovfEnv, channel, runner)
        if envAnswer == .permissionDenied, channel.program == "vmware-rpctool" {
            guard let fallback = Self.channel("vmtoolsd", runner) else {
                throw GuestPrepError.source(
                    name: name, reason: "vmware-rpctool answered 'Permission denied' (VMX secure RPC) and vmtoolsd is not installed")
            }
            channel = fallback
            envAnswer = try ask(PropertyKeys.ovfEnv, channel, runner)
        }
        var properties: [Property] = []
        var adapters: [EthernetAdapter] = []
        var secrets = GuestinfoSecrets(channel: [channel.program] + channel.arguments("").dropLast())
        switch envAnswer {
        case .value(let document) where !document.isEmpty:
            let bytes = try InputLimits.checkOVFEnvironment(Array(document.utf8), source: Self.ovfEnvSource)
            let environment = try OVFEnvironmentDecoder.decode(bytes)
            properties = environment.properties.map {
                Property(key: $0.key, value: $0.value, source: Self.ovfEnvSource)
            }
            adapters = environment.adapters
            secrets.inOVFEnvironment = environment.properties.filter { PropertyKeys.isSecret($0.key) && !$0.value.isEmpty }
                .map(\.key)
            if !secrets.inOVFEnvironment.isEmpty { secrets.ovfEnvironment = document }
        case .permissionDenied:
            throw GuestPrepError.source(name: name, reason: "\(channel.program) answered 'Permission denied' for info-get")
        default:
            break
        }
        let direct = try askAll(PropertyKeys.all, channel, runner)
        secrets.direct = direct.filter { PropertyKeys.isSecret($0.key) && !$0.value.isEmpty }.map(\.key)
        properties += direct
        return ProviderOutput(properties: properties, adapters: adapters, guestinfo: secrets)
    }

    private func firstChannel(_ runner: any ProcessRunner) throws -> Channel {
        if let channel = Self.channel("vmware-rpctool", runner) ?? Self.channel("vmtoolsd", runner) {
            return channel
        }
        throw GuestPrepError.source(
            name: name, reason: "neither vmware-rpctool nor vmtoolsd is installed (install open-vm-tools)")
    }

    static func channel(_ program: String, _ runner: any ProcessRunner) -> Channel? {
        CommandTable.resolve(program, using: runner).map { Channel(program: program, path: $0) }
    }

    /// Asks for `keys` a few at a time; returns the ones that have a value, in `keys` order.
    private func askAll(_ keys: [String], _ channel: Channel, _ runner: any ProcessRunner) throws -> [Property] {
        let answers = Mutex<[Int: Result<Answer, GuestPrepError>]>([:])
        let batches = stride(from: 0, to: keys.count, by: parallelism).map { Array($0..<min($0 + parallelism, keys.count)) }
        for batch in batches {
            DispatchQueue.concurrentPerform(iterations: batch.count) { slot in
                let index = batch[slot]
                let result: Result<Answer, GuestPrepError>
                do { result = .success(try ask(keys[index], channel, runner)) } catch let error as GuestPrepError {
                    result = .failure(error)
                } catch { result = .failure(.source(name: name, reason: "\(error)")) }
                answers.withLock { $0[index] = result }
            }
        }
        let collected = answers.withLock { $0 }
        var properties: [Property] = []
        for index in keys.indices {
            switch collected[index] {
            case .success(.value(let value)): properties.append(Property(key: keys[index], value: value, source: name))
            case .success(.permissionDenied):
                throw GuestPrepError.source(name: name, reason: "\(channel.program) answered 'Permission denied' for \(keys[index])")
            case .failure(let error): throw error
            case .success(.absent), .none: break
            }
        }
        return properties
    }

    private func ask(_ key: String, _ channel: Channel, _ runner: any ProcessRunner) throws -> Answer {
        let result = try runner.run(
            executable: channel.path, arguments: channel.arguments("info-get \(key)"),
            timeout: CommandTable.timeout(for: channel.program))
        return try Self.interpret(result, key: key, program: channel.program)
    }

    /// Reads an info-get answer: exit 0 is the value (one trailing newline dropped); "No value
    /// found" is an absent key; "Permission denied" asks for the fallback; anything else means
    /// the channel does not work here (not on VMware, tools broken) and is an error.
    static func interpret(_ result: ProcessResult, key: String, program: String) throws -> Answer {
        let said = (result.errorText + " " + result.outputText)
        if result.status == 0 {
            var value = result.outputText
            if value.hasSuffix("\n") { value.removeLast() }
            return .value(value)
        }
        if said.contains("No value found") { return .absent }
        if said.contains("Permission denied") { return .permissionDenied }
        let detail = said.trimmingCharacters(in: " \n\t")
        throw GuestPrepError.source(
            name: "vmware",
            reason: "\(program) info-get \(key) failed with status \(result.status)\(detail.isEmpty ? "" : ": \(detail)") (is this a VMware VM with VMware Tools running?)")
    }
}
