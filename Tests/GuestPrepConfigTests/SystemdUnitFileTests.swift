import GuestPrepConfig
import Testing

@Suite struct SystemdUnitFileTests {
    @Test func sectionsCommentsAndContinuationsAreReadAsSystemdReadsThem() {
        let unit = SystemdUnitFile(
            """
            # a comment
            ExecStart=/outside/any/section
            [Service]
            ; another comment
              ExecStart = /usr/bin/a \\
            # a comment inside a continued line is skipped
                --flag
            Type=forking
            no equals sign here
            [Install]
            WantedBy=multi-user.target graphical.target
            """)
        #expect(unit.values("ExecStart", in: "Service") == ["/usr/bin/a  --flag"])
        #expect(unit.values("Type", in: "Service") == ["forking"])
        #expect(unit.values("ExecStart", in: "Install").isEmpty)
        #expect(unit.assignments.count == 3)
    }

    @Test func anEmptyValueResetsTheList() {
        let unit = SystemdUnitFile("[Service]\nExecStart=/a\nExecStart=\nExecStart=/b\n[Install]\nWantedBy=a.target\nWantedBy=\n")
        #expect(unit.values("ExecStart", in: "Service") == ["/b"])
        #expect(unit.enableLinks(unit: "x.service").isEmpty)
    }

    @Test func enableLinksFollowTheInstallSection() {
        let unit = SystemdUnitFile(
            "[Install]\nWantedBy=multi-user.target graphical.target\nRequiredBy=b.target\nUpheldBy=c.target\nAlias=y.service\n")
        #expect(
            unit.enableLinks(unit: "x.service") == [
                "/etc/systemd/system/multi-user.target.wants/x.service",
                "/etc/systemd/system/graphical.target.wants/x.service",
                "/etc/systemd/system/b.target.requires/x.service",
                "/etc/systemd/system/c.target.upholds/x.service",
                "/etc/systemd/system/y.service",
            ])
    }

    @Test func aUnitWithoutInstallSectionHasNoLinks() {
        #expect(SystemdUnitFile("[Unit]\nDescription=x\n[Service]\nExecStart=/x\n").enableLinks(unit: "x.service").isEmpty)
    }
}
