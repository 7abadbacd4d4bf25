import GuestPrepConfig
import GuestPrepModel
import Testing

@Suite struct OSReleaseDecoderTests {
    @Test func decodesRealFiles() {
        let rocky = OSReleaseDecoder.decode(
            """
            NAME="Rocky Linux"
            VERSION="9.4 (Blue Onyx)"
            ID="rocky"
            ID_LIKE="rhel centos fedora"
            VERSION_ID="9.4"
            PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"

            """)
        #expect(
            rocky
                == OSRelease(
                    id: "rocky", idLike: ["rhel", "centos", "fedora"], versionID: "9.4",
                    prettyName: "Rocky Linux 9.4 (Blue Onyx)"))
        #expect(rocky.lineage == ["rocky", "rhel", "centos", "fedora"])

        let photon = OSReleaseDecoder.decode(
            "NAME=\"VMware Photon OS\"\nVERSION=\"5.0\"\nID=photon\nVERSION_ID=5.0\n"
                + "PRETTY_NAME=\"VMware Photon OS/Linux\"\n"
        )
        #expect(photon == OSRelease(id: "photon", versionID: "5.0", prettyName: "VMware Photon OS/Linux"))
    }

    @Test func commentsBlankLinesAndJunkAreIgnored() {
        let text =
            "# a comment\n\n   # indented comment\nnot an assignment\n1ID=x\nID-X=y\n"
            + "  ID = debian  \nVERSION_ID=\"12\"\r\n"
        let release = OSReleaseDecoder.decode(text)
        #expect(release.id == "debian")
        #expect(release.versionID == "12", "a CRLF line end is a line end")
        #expect(OSReleaseDecoder.assignments(text).keys.sorted() == ["ID", "VERSION_ID"])
    }

    @Test func doubleQuotesKeepSpacesAndTakeBackslashEscapes() {
        let fields = OSReleaseDecoder.assignments(
            #"""
            A="two  words"
            B="say \"hi\" \\ \$HOME \`x\`"
            C="keep \n as is"
            D=""
            """#)
        #expect(fields["A"] == "two  words")
        #expect(fields["B"] == #"say "hi" \ $HOME `x`"#)
        #expect(fields["C"] == #"keep \n as is"#, "a backslash before another character stays, as in the shell")
        #expect(fields["D"] == "")
    }

    @Test func singleQuotesAreLiteral() {
        let fields = OSReleaseDecoder.assignments(#"A='a \"b\" $c'"#)
        #expect(fields["A"] == #"a \"b\" $c"#)
    }

    @Test func unquotedValuesTakeEscapesAndLoseTrailingBlanks() {
        let fields = OSReleaseDecoder.assignments("A=plain\\ value  \nB=  lead\nC=\"x\"'y'z\n")
        #expect(fields["A"] == "plain value")
        #expect(fields["B"] == "lead")
        #expect(fields["C"] == "xyz", "adjacent quoted pieces concatenate")
    }

    @Test func anUnclosedQuoteIgnoresTheLine() {
        let fields = OSReleaseDecoder.assignments("ID=debian\nID=\"ubuntu\nPRETTY_NAME='x\n")
        #expect(fields == ["ID": "debian"])
    }

    @Test func laterAssignmentsWin() {
        #expect(OSReleaseDecoder.decode("ID=a\nID=b\n").id == "b")
    }

    @Test func idDefaultsToLinuxAndIsLowerCased() {
        #expect(OSReleaseDecoder.decode("").id == "linux")
        #expect(OSReleaseDecoder.decode("ID=\"\"\n").id == "linux")
        let release = OSReleaseDecoder.decode("ID=SLES\nID_LIKE=\"SUSE  openSUSE\"\n")
        #expect(release.id == "sles")
        #expect(release.idLike == ["suse", "opensuse"])
        #expect(release.displayName == "sles")
        #expect(OSRelease(id: "debian", versionID: "12").displayName == "debian 12")
    }
}
