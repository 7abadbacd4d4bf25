@testable import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct DiagnosticOrderValidationTests {
    @Test func sortsByKeyOrderThenSeverityThenDiscovery() {
        let unsorted: [Diagnostic] = [
            .info(nil, "no key"),
            .warning("guestinfo.bitfusion.zzz", "unknown z"),
            .warning("guestinfo.bitfusion.aaa", "unknown a"),
            .info(PropertyKeys.hostname, "hostname info"),
            .error(PropertyKeys.profile, "profile error"),
            .warning(PropertyKeys.hostname, "hostname warning"),
            .error(PropertyKeys.hostname, "hostname error 1"),
            .error(nic(1, .dns), "dns error 1"),
            .error(PropertyKeys.hostname, "hostname error 2"),
            .error(nic(1, .dns), "dns error 2"),
        ]
        #expect(SpecValidator.sorted(unsorted).map(\.message) == [
            "hostname error 1", "hostname error 2", "hostname warning", "hostname info",
            "dns error 1", "dns error 2", "profile error", "unknown a", "unknown z", "no key",
        ])
    }

    @Test func editDistance() {
        func distance(_ a: String, _ b: String) -> Int { UnknownKeyRule.editDistance(Array(a.utf8), Array(b.utf8)) }
        #expect(distance("", "abc") == 3)
        #expect(distance("kitten", "sitting") == 3)
        #expect(distance("ipaddress", "ipv4address") == 2)
        #expect(distance("same", "same") == 0)
    }

    @Test func farKeysGetNoSuggestion() {
        #expect(UnknownKeyRule.closestKnownKey(to: "guestinfo.guestprep.gpu-firmware-mode") == nil)
        #expect(UnknownKeyRule.closestKnownKey(to: "guestinfo.guestprep.instanceid") == PropertyKeys.instanceID)
    }
}
