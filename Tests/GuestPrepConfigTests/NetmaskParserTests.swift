import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct NetmaskParserTests {
    @Test(arguments: [
        ("24", 24), ("/24", 24), ("255.255.255.0", 24), ("24 (255.255.255.0)", 24), ("1", 1), ("/32", 32),
        ("255.255.255.255", 32), ("128.0.0.0", 1), ("255.255.240.0", 20), ("  16  ", 16),
        ("16(255.255.0.0)", 16), ("8 ( 255.0.0.0 )", 8), ("/30 (255.255.255.252)", 30), ("08", 8),
    ])
    func acceptsEveryForm(_ text: String, _ prefix: Int) {
        #expect(NetmaskParser.parse(text) == .success(prefix))
    }

    @Test(arguments: [
        ("0", NetmaskParser.Failure.prefixOutOfRange(0)),
        ("/0", .prefixOutOfRange(0)),
        ("33", .prefixOutOfRange(33)),
        ("0.0.0.0", .prefixOutOfRange(0)),
        ("255.0.255.0", .nonContiguous(IPv4Address(0xff00_ff00))),
        ("0.255.255.255", .nonContiguous(IPv4Address(0x00ff_ffff))),
        ("24 (255.255.0.0)", .halvesDisagree(prefix: 24, mask: IPv4Address(0xffff_0000))),
        ("16 (255.255.255.0)", .halvesDisagree(prefix: 16, mask: IPv4Address(0xffff_ff00))),
        ("24 (255.0.255.0)", .nonContiguous(IPv4Address(0xff00_ff00))),
        ("0 (0.0.0.0)", .prefixOutOfRange(0)),
        ("", .notANetmask), ("abc", .notANetmask), ("24/", .notANetmask), ("//24", .notANetmask),
        ("255.255.255", .notANetmask), ("255.255.255.00", .notANetmask), ("124", .notANetmask),
        ("24 (255.255.255.0", .notANetmask), ("(255.255.255.0)", .notANetmask), ("2 4", .notANetmask),
        ("-24", .notANetmask), ("/64", .prefixOutOfRange(64)), ("ffff:ffff::", .ipv6),
    ])
    func rejects(_ text: String, _ failure: NetmaskParser.Failure) {
        #expect(NetmaskParser.parse(text) == .failure(failure))
    }

    @Test func failuresSayWhatIsAllowed() {
        #expect(NetmaskParser.Failure.notANetmask.description.contains("24 (255.255.255.0)"))
        #expect(NetmaskParser.Failure.prefixOutOfRange(0).description.contains("from 1 to 32"))
        #expect(NetmaskParser.Failure.ipv6.description.contains("IPv6 is not supported"))
        let disagree = NetmaskParser.Failure.halvesDisagree(prefix: 24, mask: IPv4Address(0xffff_0000))
        #expect(disagree.description.contains("/24 is 255.255.255.0, not 255.255.0.0"))
    }

    @Test func dottedForm() {
        #expect(NetmaskParser.dotted(0).description == "0.0.0.0")
        #expect(NetmaskParser.dotted(20).description == "255.255.240.0")
        #expect(NetmaskParser.dotted(32).description == "255.255.255.255")
    }
}
