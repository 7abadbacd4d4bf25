import GuestPrepConfig
import Testing

@Suite struct ModprobeConfigDecoderTests {
    @Test func readsBlacklistAndOptions() {
        let text = """
            # nvidia-installer
            blacklist nouveau
              options   nouveau\tmodeset=0  debug=1
            alias nouveau off
            install nouveau /bin/false
            #blacklist commented
            blacklist
            """
        #expect(
            ModprobeConfigDecoder.directives(text) == [
                .blacklist(module: "nouveau"), .options(module: "nouveau", parameters: ["modeset=0", "debug=1"]),
            ])
    }

    @Test func joinsContinuationLinesAndNormalisesDashes() {
        let text = "options snd-hda-intel \\\n  model=auto\r\nblacklist some-module\n"
        #expect(
            ModprobeConfigDecoder.directives(text) == [
                .options(module: "snd_hda_intel", parameters: ["model=auto"]), .blacklist(module: "some_module"),
            ])
    }
}
