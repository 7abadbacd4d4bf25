import GuestPrepLinux
import Testing

@Suite struct HostEnvironmentTests {
    @Test func readsVariables() {
        #expect(HostEnvironment.variable("PATH") != nil)
        #expect(HostEnvironment.variable("GUESTPREP_SURELY_UNSET_VARIABLE") == nil)
    }
}
