import GuestPrepConfig
import Testing

@Suite struct ToggleParserTests {
    @Test(arguments: ["true", "TRUE", "True", "tRuE", "1", "yes", "YES", "Yes", "on", "ON", "On", " true ", "\tyes\n"])
    func on(_ text: String) {
        #expect(ToggleParser.parse(text) == true)
    }

    @Test(arguments: ["false", "FALSE", "False", "0", "no", "NO", "off", "OFF", "Off", "", "   "])
    func off(_ text: String) {
        #expect(ToggleParser.parse(text) == false)
    }

    @Test(arguments: ["2", "y", "n", "enabled", "disabled", "tru", "true1", "t rue", "oui", "-1", "01"])
    func notAToggle(_ text: String) {
        #expect(ToggleParser.parse(text) == nil)
    }
}
