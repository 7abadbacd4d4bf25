import GuestPrepConfig
import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

@Suite struct VMwareProviderTests {
    static let rpctool = "/usr/bin/vmware-rpctool"
    static let vmtoolsd = "/usr/bin/vmtoolsd"

    static let ovfEnv = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Environment xmlns="http://schemas.dmtf.org/ovf/environment/1"
            xmlns:oe="http://schemas.dmtf.org/ovf/environment/1" xmlns:ve="http://www.vmware.com/schema/ovfenv"
            oe:id="">
          <PropertySection>
            <Property oe:key="guestinfo.bitfusion.host.hostname" oe:value="from-ovf"/>
            <Property oe:key="guestinfo.bitfusion.host.net1.mtu" oe:value="9000"/>
          </PropertySection>
          <ve:EthernetAdapterSection>
            <ve:Adapter ve:mac="00:50:56:AA:00:01" ve:network="VM Network" ve:unitNumber="7"/>
          </ve:EthernetAdapterSection>
        </Environment>
        """

    /// Answers info-get from a table; keys not in it are "No value found".
    static func guestinfo(_ values: [String: String]) -> @Sendable (String, [String]) -> ProcessResult {
        { _, arguments in
            let command = arguments.last ?? ""
            let key = String(command.dropFirst("info-get ".count))
            if let value = values[key] { return ProcessResult(status: 0, standardOutput: Array((value + "\n").utf8)) }
            return ProcessResult(status: 1, standardOutput: Array("No value found\n".utf8))
        }
    }

    @Test func readsOvfEnvOnceThenEachKnownKeyAndDirectKeysWin() throws {
        let runner = ScriptedProcessRunner(
            installed: [Self.rpctool],
            answer: Self.guestinfo([
                "guestinfo.ovfEnv": Self.ovfEnv, "guestinfo.bitfusion.host.hostname": "direct-name",
            ]))
        let output = try VMwareProvider(runner: runner).load()
        let set = PropertySet(output.properties)
        #expect(set[PropertyKeys.hostname] == "direct-name")
        #expect(set.property(PropertyKeys.hostname)?.source == "vmware")
        #expect(set[PropertyKeys.nic(1, .mtu)] == "9000")
        #expect(set.property(PropertyKeys.nic(1, .mtu))?.source == "vmware (guestinfo.ovfEnv)")
        #expect(output.adapters == [EthernetAdapter(mac: "00:50:56:aa:00:01", network: "VM Network", unitNumber: 7)])
        let commands = runner.calls.map { $0.arguments.joined(separator: " ") }
        #expect(commands.filter { $0 == "info-get guestinfo.ovfEnv" }.count == 1)
        #expect(runner.processesStarted == 1 + PropertyKeys.all.count)
        #expect(runner.calls.allSatisfy { $0.executable == Self.rpctool && $0.arguments.count == 1 })
        #expect(output.guestinfo?.channel == ["vmware-rpctool"])
    }

    @Test func fallsBackToVmtoolsdOnPermissionDenied() throws {
        let runner = ScriptedProcessRunner(installed: [Self.rpctool, Self.vmtoolsd]) { executable, arguments in
            if executable == Self.rpctool {
                return ProcessResult(status: 1, standardError: Array("Permission denied\n".utf8))
            }
            return Self.guestinfo(["guestinfo.bitfusion.host.hostname": "via-vmtoolsd"])(executable, arguments)
        }
        let output = try VMwareProvider(runner: runner).load()
        let set = PropertySet(output.properties)
        #expect(set[PropertyKeys.hostname] == "via-vmtoolsd")
        #expect(runner.calls.filter { $0.executable == Self.rpctool }.count == 1)
        #expect(runner.calls.last?.arguments.first == "--cmd")
        // Clearing a used secret later goes the same way.
        #expect(output.guestinfo?.channel == ["vmtoolsd", "--cmd"])
    }

    @Test func usesVmtoolsdWhenRpctoolIsMissing() throws {
        let runner = ScriptedProcessRunner(installed: [Self.vmtoolsd], answer: Self.guestinfo([:]))
        let output = try VMwareProvider(runner: runner).load()
        #expect(output.properties.isEmpty)
        #expect(runner.calls.first?.arguments == ["--cmd", "info-get guestinfo.ovfEnv"])
        #expect(output.guestinfo?.channel == ["vmtoolsd", "--cmd"])
    }

    @Test func notOnVMwareIsAClearErrorNotAHang() {
        let runner = ScriptedProcessRunner(installed: [Self.rpctool]) { _, _ in
            ProcessResult(status: 1, standardError: Array("Failed sending message to VMware.\n".utf8))
        }
        #expect { try VMwareProvider(runner: runner).load() } throws: { error in
            let text = "\(error)"
            return text.contains("Failed sending message to VMware") && text.contains("is this a VMware VM")
        }
    }

    @Test func noToolsInstalled() {
        #expect { try VMwareProvider(runner: ScriptedProcessRunner(installed: [])).load() } throws: {
            "\($0)".contains("install open-vm-tools")
        }
    }

    @Test func aThreeMiBOvfEnvGetsTheAnswerEveryTransportGives() throws {
        let document = String(decoding: OVFProviderTests.document(size: 3 << 20), as: UTF8.self)
        let runner = ScriptedProcessRunner(installed: [Self.rpctool], answer: Self.guestinfo(["guestinfo.ovfEnv": document]))
        do {
            _ = try VMwareProvider(runner: runner).load()
            Issue.record("expected an error")
        } catch let error as GuestPrepError {
            #expect(error == InputLimits.ovfEnvironmentTooLarge(source: "vmware (guestinfo.ovfEnv)"))
            #expect(
                error.description
                    == "source vmware (guestinfo.ovfEnv): the OVF environment document is larger than 1 MiB, the most guestprep reads of one (a real one is a few kilobytes)"
            )
        }
        // At the limit it is read.
        let fits = String(decoding: OVFProviderTests.document(size: InputLimits.ovfEnvironment), as: UTF8.self)
        let accepted = ScriptedProcessRunner(installed: [Self.rpctool], answer: Self.guestinfo(["guestinfo.ovfEnv": fits]))
        #expect(PropertySet(try VMwareProvider(runner: accepted).load().properties)[PropertyKeys.hostname] == "bf-limits")
    }

    @Test func refusesUnderAFixtureRoot() {
        #expect { try VMwareProvider(runner: nil).load() } throws: { "\($0)".contains("--root is not /") }
    }
}
