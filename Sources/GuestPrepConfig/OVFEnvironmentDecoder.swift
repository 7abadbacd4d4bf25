import GuestPrepModel

/// Decodes an OVF environment document (`ovf-env.xml`, or VMware's `guestinfo.ovfEnv`) into
/// its properties and Ethernet adapters.
///
/// Elements are matched by namespace URI and local name, so prefixed (`<oe:Property>`) and
/// default-namespace (`<Property>`) documents decode alike. Only the environment's own
/// sections are read: the `PropertySection` and VMware's `EthernetAdapterSection` that are
/// direct children of the root `Environment`; the sections of nested `Entity` elements
/// describe other virtual machines of a vApp and are ignored.
///
/// The document is read by `ExpatXMLReader` (expat), which refuses any DTD (so no external
/// entities and no entity-expansion bombs), elements nested deeper than 256 levels, and any
/// encoding but UTF-8, US-ASCII and ISO-8859-1.
public enum OVFEnvironmentDecoder {
    /// The OVF environment namespace of `Environment`, `PropertySection`, `Property` and the
    /// `oe:key` / `oe:value` attributes.
    public static let environmentNamespace = "http://schemas.dmtf.org/ovf/environment/1"
    /// VMware's namespace of `EthernetAdapterSection` and `Adapter`.
    public static let vmwareNamespace = "http://www.vmware.com/schema/ovfenv"
    /// The largest document `decode` reads unless its caller says otherwise: 16 MiB, far above
    /// any OVF environment (kilobytes) yet a bound on what a hostile document makes us hold.
    public static let defaultMaximumSize = 16 << 20

    /// What errors name as the malformed document.
    static let what = "ovf-env.xml"

    /// Decodes `bytes`, an OVF environment document of at most `maximumSize` bytes.
    ///
    /// Properties and adapters keep document order; a key given twice appears twice, and a
    /// merge into a `PropertySet` lets the later one win. Values are exactly as the document
    /// gives them after XML decoding (entities such as `&amp;` decoded, spaces kept). MAC
    /// addresses are lower-cased.
    ///
    /// - Throws: `GuestPrepError.malformed(what: "ovf-env.xml", reason:)` when the document
    ///   is larger than `maximumSize`, holds a DTD, is not well-formed XML (the reason names
    ///   the line and column), nests elements too deep, is not an OVF environment, or has a
    ///   property or adapter without its required attributes.
    public static func decode(_ bytes: [UInt8], maximumSize: Int = defaultMaximumSize) throws -> OVFEnvironment {
        try screen(bytes)
        var properties: [(key: String, value: String)] = []
        var adapters: [EthernetAdapter] = []
        var depth = 0
        // The child of the root being read.
        var section: XMLName?
        do {
            try ExpatXMLReader.read(bytes, maximumSize: maximumSize) { event in
                switch event {
                case .startElement(let tag):
                    depth += 1
                    switch depth {
                    case 1:
                        try checkRoot(tag.name)
                    case 2:
                        section = tag.name
                    case 3 where section == propertySection && tag.name == propertyElement:
                        properties.append(try property(tag, number: properties.count + 1))
                    case 3 where section == adapterSection && tag.name == adapterElement:
                        adapters.append(try adapter(tag, number: adapters.count + 1))
                    default:
                        break
                    }
                case .endElement:
                    depth -= 1
                case .text:
                    break
                }
            }
        } catch let error as XMLReaderError {
            throw GuestPrepError.malformed(what: what, reason: error.message)
        }
        return OVFEnvironment(properties: properties, adapters: adapters)
    }

    // MARK: - What is refused before reading

    /// Refuses, in words about OVF environments, what cannot be an XML document at all: empty
    /// input, UTF-16 or UTF-32, text that does not start with `<`.
    private static func screen(_ bytes: [UInt8]) throws {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.contains(0) {
            throw GuestPrepError.malformed(
                what: what,
                reason:
                    "the document is UTF-16 or UTF-32 or holds NUL bytes; an OVF environment must be UTF-8")
        }
        guard let first = bytes[start...].firstIndex(where: { !isXMLSpace($0) }) else {
            throw GuestPrepError.malformed(what: what, reason: "the document is empty")
        }
        guard bytes[first] == UInt8(ascii: "<") else {
            throw GuestPrepError.malformed(
                what: what,
                reason:
                    "the document does not start with '<' (found byte 0x\(String(bytes[first], radix: 16))); "
                    + "it is not an XML document")
        }
    }

    private static func isXMLSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    // MARK: - The environment's elements

    private static let propertySection = XMLName(namespace: environmentNamespace, localName: "PropertySection")
    private static let propertyElement = XMLName(namespace: environmentNamespace, localName: "Property")
    private static let adapterSection = XMLName(namespace: vmwareNamespace, localName: "EthernetAdapterSection")
    private static let adapterElement = XMLName(namespace: vmwareNamespace, localName: "Adapter")

    /// Refuses a root element other than the OVF environment's `Environment`.
    private static func checkRoot(_ name: XMLName) throws {
        guard name != XMLName(namespace: environmentNamespace, localName: "Environment") else { return }
        let found =
            name.namespace.isEmpty
            ? "<\(name.localName)> (no namespace)"
            : "<\(name.localName)> in namespace \(name.namespace)"
        throw GuestPrepError.malformed(
            what: what,
            reason: "the root element is \(found), not an OVF environment "
                + "(<Environment xmlns=\"\(environmentNamespace)\">)")
    }

    /// The key and value of `Property` number `number` of the PropertySection.
    private static func property(
        _ tag: XMLStartTag, number: Int
    ) throws -> (key: String, value: String) {
        guard let key = attribute("key", in: environmentNamespace, of: tag) else {
            throw GuestPrepError.malformed(
                what: what,
                reason: "Property #\(number) of the PropertySection (line \(tag.line)) has no "
                    + "oe:key attribute")
        }
        guard let value = attribute("value", in: environmentNamespace, of: tag) else {
            throw GuestPrepError.malformed(
                what: what, reason: "Property \(key) (line \(tag.line)) has no oe:value attribute")
        }
        return (key: key, value: value)
    }

    /// `Adapter` number `number` of the EthernetAdapterSection.
    private static func adapter(_ tag: XMLStartTag, number: Int) throws -> EthernetAdapter {
        guard let rawMAC = attribute("mac", in: vmwareNamespace, of: tag) else {
            throw GuestPrepError.malformed(
                what: what,
                reason: "Adapter #\(number) of the EthernetAdapterSection (line \(tag.line)) has no "
                    + "ve:mac attribute")
        }
        guard let mac = normalizedMAC(rawMAC) else {
            throw GuestPrepError.malformed(
                what: what,
                reason: "Adapter #\(number) (line \(tag.line)) has ve:mac \"\(rawMAC)\", which is not "
                    + "a MAC address (six hex pairs separated by ':')")
        }
        var unitNumber: Int?
        if let text = attribute("unitNumber", in: vmwareNamespace, of: tag) {
            guard let number = Int(text) else {
                throw GuestPrepError.malformed(
                    what: what,
                    reason: "Adapter \(mac) (line \(tag.line)) has ve:unitNumber \"\(text)\", which "
                        + "is not a number")
            }
            unitNumber = number
        }
        let network = attribute("network", in: vmwareNamespace, of: tag)
        return EthernetAdapter(mac: mac, network: network, unitNumber: unitNumber)
    }

    /// The attribute `name` in `namespace`, or the unqualified `name` when the namespaced one
    /// is absent.
    private static func attribute(_ name: String, in namespace: String, of tag: XMLStartTag) -> String? {
        tag.attribute(name, namespace: namespace) ?? tag.attribute(name)
    }

    /// `00:50:56:AB:CD:EF` or `00-50-56-ab-cd-ef` → `00:50:56:ab:cd:ef`.
    private static func normalizedMAC(_ text: String) -> String? {
        MACAddress.normalized(text, separator: text.contains("-") ? "-" : ":")
    }
}
