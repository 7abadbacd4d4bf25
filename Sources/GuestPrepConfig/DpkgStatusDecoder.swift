import GuestPrepModel

/// An installed Debian package and the names its `Depends` lists (versions and alternatives'
/// operators dropped; every alternative kept).
public struct InstalledPackage: Sendable, Equatable {
    public var name: String
    public var depends: [String]
    public init(name: String, depends: [String]) {
        self.name = name
        self.depends = depends
    }
}

/// Reads dpkg's database (`/var/lib/dpkg/status`, deb822 stanzas) for what the driver route
/// needs of it: the installed packages whose name starts with a prefix (`linux-image-`), so the
/// Ubuntu route can pick the kernel meta-package's modules as ubuntu-drivers does.
public enum DpkgStatusDecoder {
    /// The installed packages (Status `install ok installed`) whose name starts with `prefix`,
    /// in file order. Stanzas without a Package or Status field are skipped; continuation lines
    /// of Depends are joined.
    public static func installed(_ text: Substring, prefix: String) -> [InstalledPackage] {
        var result: [InstalledPackage] = []
        var name: String?
        var status = ""
        var depends = ""
        var field = ""
        func flush() {
            if let name, name.hasPrefix(prefix), status == "install ok installed" {
                result.append(InstalledPackage(name: name, depends: dependencyNames(depends)))
            }
            name = nil
            status = ""
            depends = ""
            field = ""
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy(\.isWhitespace) {
                flush()
                continue
            }
            if line.first == " " || line.first == "\t" {
                if field == "Depends" { depends += " " + line }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            field = String(line[..<colon])
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            switch field {
            case "Package": name = String(value)
            case "Status": status = String(value).trimmingTrailingWhitespace
            case "Depends": depends = String(value)
            default: break
            }
        }
        flush()
        return result
    }

    /// `a (>= 1), b | c:any` → a, b, c.
    static func dependencyNames(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == "|" }).compactMap { part in
            let name = part.drop { $0 == " " || $0 == "\t" }.prefix { !($0 == " " || $0 == "(" || $0 == ":" || $0 == "\t") }
            return name.isEmpty ? nil : String(name)
        }
    }
}

extension String {
    fileprivate var trimmingTrailingWhitespace: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
