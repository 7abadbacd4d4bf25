#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import GuestPrepLinux
import Testing

// NOTIFY_SOCKET is process-wide state: these tests run one at a time.
@Suite(.serialized) struct SystemdNotifierTests {
    let directory = TemporaryDirectory()

    @Test func sendsStatusAndReadyWhenSystemdAsks() throws {
        let socket = try #require(DatagramSocket(path: directory.file("notify")))
        setenv("NOTIFY_SOCKET", socket.path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        let notifier = SystemdNotifier()

        notifier.status("configuring net1")
        #expect(socket.receive(within: 1000) == "STATUS=configuring net1")
        notifier.ready(status: "provisioned")
        #expect(socket.receive(within: 1000) == "READY=1\nSTATUS=provisioned")
        #expect(socket.receive(within: 50) == nil)
    }

    @Test func aStatusCannotAddAssignmentsOfItsOwn() throws {
        let socket = try #require(DatagramSocket(path: directory.file("notify")))
        setenv("NOTIFY_SOCKET", socket.path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }

        SystemdNotifier().status("step failed\nREADY=1")
        #expect(socket.receive(within: 1000) == "STATUS=step failed READY=1")
    }

    @Test func anExtensionCarriesMicroseconds() throws {
        let socket = try #require(DatagramSocket(path: directory.file("notify")))
        setenv("NOTIFY_SOCKET", socket.path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        SystemdNotifier().extendTimeout(seconds: 630)
        #expect(socket.receive(within: 1000) == "EXTEND_TIMEOUT_USEC=630000000")
        SystemdNotifier().extendTimeout(seconds: 0.0000015)
        #expect(socket.receive(within: 1000) == "EXTEND_TIMEOUT_USEC=2")
    }

    /// The runner, as `run` makes it under systemd, extends the unit's start timeout through
    /// the socket before a command with a long timeout starts.
    @Test func theRunnerExtendsTheUnitsTimeoutThroughTheSocket() throws {
        let socket = try #require(DatagramSocket(path: directory.file("notify")))
        setenv("NOTIFY_SOCKET", socket.path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        let runner = PosixProcessRunner(notifier: SystemdNotifier())
        #expect(try runner.run(executable: "/bin/true", arguments: [], timeout: 1800).status == 0)
        #expect(socket.receive(within: 1000) == "EXTEND_TIMEOUT_USEC=1830000000")
        #expect(socket.receive(within: 50) == nil)
    }

    @Test func sendsNothingOutsideSystemd() throws {
        let socket = try #require(DatagramSocket(path: directory.file("notify")))
        unsetenv("NOTIFY_SOCKET")
        let notifier = SystemdNotifier()
        notifier.status("configuring")
        notifier.ready(status: "done")
        notifier.extendTimeout(seconds: 630)
        #expect(socket.receive(within: 100) == nil)
    }
}
