import GuestPrepModel

/// The VM's consoles as the kernel shows them: its framebuffers with the PCI function behind
/// each (`/sys/class/graphics/fbN`), and the consoles that are not on a framebuffer (a serial
/// port, a hypervisor console: /proc/consoles). Read so that the nouveau step never unbinds the
/// GPU that drives the VM's only console.
public struct SystemConsoles: Sendable, Equatable {
    /// One framebuffer device.
    public struct Framebuffer: Sendable, Equatable {
        /// `fb0`.
        public var name: String
        /// What its driver calls it (`fbN/name`): `nouveaudrmfb`, `vmwgfxdrmfb`, `EFI VGA`.
        public var id: String?
        /// The PCI function behind it (the `device` link's last component), when it is one.
        public var device: String?

        public init(name: String, id: String? = nil, device: String? = nil) {
            self.name = name
            self.id = id
            self.device = device
        }

        /// `fb1 (nouveaudrmfb)`.
        public var described: String { id.map { "\(name) (\($0))" } ?? name }
    }

    public var framebuffers: [Framebuffer]
    /// The consoles in /proc/consoles that someone can use besides the framebuffers (`ttyS0`,
    /// `hvc0`): not a virtual terminal (`tty0`, `tty1`…, which shows on a framebuffer), not an
    /// output-only one (`netcon0`, `ttyprintk`), and not a serial port the machine lacks.
    public var otherConsoles: [String]

    public init(framebuffers: [Framebuffer] = [], otherConsoles: [String] = []) {
        self.framebuffers = framebuffers
        self.otherConsoles = otherConsoles
    }

    public static func read(fs: any FileSystem) -> SystemConsoles {
        var consoles = SystemConsoles()
        // fb0, fb1…: /sys/class/graphics also holds fbcon, which is no framebuffer.
        for name in ((try? fs.list("/sys/class/graphics")) ?? []) ?? []
        where name.hasPrefix("fb") && name.count > 2 && name.dropFirst(2).allSatisfy(\.isNumber) {
            let target = (try? fs.readLink("/sys/class/graphics/\(name)/device")) ?? nil
            let last = target.map { String($0.split(separator: "/").last ?? "") }
            consoles.framebuffers.append(
                Framebuffer(
                    name: name, id: fs.attribute("/sys/class/graphics/\(name)/name"),
                    device: last.flatMap { PCIAddress($0) != nil ? $0 : nil }))
        }
        if let text = try? fs.readText("/proc/consoles") {
            consoles.otherConsoles = consoleNames(text).filter { name in
                !isVirtualTerminal(name) && !name.hasPrefix("netcon") && name != "ttyprintk"
                    && !(name.hasPrefix("ttyS") && fs.attribute("/sys/class/tty/\(name)/type") == "0")
            }
        }
        return consoles
    }

    /// The first word of each /proc/consoles line (fs/proc/consoles.c: the name and index).
    static func consoleNames(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in line.split(separator: " ").first.map(String.init) }
    }

    // A serial console on the kernel command line (console=ttyS0, as many cloud images have)
    // is listed even when the VM has no such port: serial_core then gives the port type 0,
    // PORT_UNKNOWN (include/uapi/linux/serial_core.h), in /sys/class/tty/ttySN/type.

    /// `tty0`…`tty63`: the kernel's virtual terminals, which show on a framebuffer.
    static func isVirtualTerminal(_ name: String) -> Bool {
        name.hasPrefix("tty") && name.count > 3 && name.dropFirst(3).allSatisfy(\.isNumber)
    }

    /// The framebuffers the PCI functions in `devices` drive, when they are the VM's only
    /// console: every framebuffer is theirs and no serial or hypervisor console exists. Empty
    /// when unbinding them leaves the VM a console (or they drive none).
    public func onlyConsole(drivenBy devices: [String]) -> [Framebuffer] {
        let theirs = framebuffers.filter { $0.device.map(devices.contains) ?? false }
        guard !theirs.isEmpty, theirs.count == framebuffers.count, otherConsoles.isEmpty else { return [] }
        return theirs
    }
}
