#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
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

    @Test func sendsNothingOutsideSystemd() throws {
        let socket = try #require(DatagramSocket(path: directory.file("notify")))
        unsetenv("NOTIFY_SOCKET")
        let notifier = SystemdNotifier()
        notifier.status("configuring")
        notifier.ready(status: "done")
        #expect(socket.receive(within: 100) == nil)
    }
}
