import GuestPrepConfig
import Testing

/// The volume label from an ISO 9660 primary volume descriptor (ECMA-119 8.4): real images
/// (the committed fixtures, genisoimage's) and descriptor sets built byte by byte.
@Suite struct ISOVolumeLabelTests {
    /// One 2048-byte volume descriptor of `type` with `identifier` and `version`; a primary
    /// one carries `label` at bytes 40–71.
    static func descriptor(type: UInt8, label: String = "", identifier: String = "CD001", version: UInt8 = 1) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 2048)
        bytes[0] = type
        bytes.replaceSubrange(1..<6, with: Array(identifier.utf8.prefix(5)))
        bytes[6] = version
        if type == 1 {
            bytes.replaceSubrange(40..<72, with: [UInt8](repeating: 0x20, count: 32))
            let field = Array(label.utf8.prefix(32))
            bytes.replaceSubrange(40..<40 + field.count, with: field)
        }
        return bytes
    }

    static let terminator = descriptor(type: 255)

    /// The bytes a reader gets from sector 16 of `image`, as AutoDetector reads a drive.
    static func descriptors(of image: [UInt8]) -> [UInt8] {
        let start = Int(ISOVolumeLabel.descriptorsOffset)
        guard image.count > start else { return [] }
        return Array(image[start..<min(image.count, start + ISOVolumeLabel.readLength)])
    }

    @Test(arguments: ["ovf-plain.iso", "ovf-joliet.iso", "ovf-rockridge.iso", "ovf-joliet-rr.iso", "ovf-xorriso.iso"])
    func theFixturesAreLabelledOVFENV(name: String) throws {
        let image = try FixtureSupport.bytes("iso/\(name)")
        #expect(ISOVolumeLabel.label(descriptors: Self.descriptors(of: image)) == "OVF-ENV")
    }

    @Test func thePrimaryDescriptorIsFoundAfterABootRecordAndTrailingSpacesGo() {
        let set = Self.descriptor(type: 0) + Self.descriptor(type: 1, label: "OVF-ENV") + Self.terminator
        #expect(ISOVolumeLabel.label(descriptors: set) == "OVF-ENV")
        // NUL padding, as some tools write, goes too; inner spaces stay.
        var padded = Self.descriptor(type: 1, label: "OVF ENV")
        padded.replaceSubrange(47..<72, with: [UInt8](repeating: 0, count: 25))
        #expect(ISOVolumeLabel.label(descriptors: padded + Self.terminator) == "OVF ENV")
        // Exactly 32 characters: the whole field.
        let long = String(repeating: "A", count: 32)
        #expect(ISOVolumeLabel.label(descriptors: Self.descriptor(type: 1, label: long)) == long)
    }

    @Test func notAnISO9660VolumeHasNoLabel() {
        // A disk's bytes (no CD001), an empty read, a short one.
        #expect(ISOVolumeLabel.label(descriptors: [UInt8](repeating: 0, count: 4096)) == nil)
        #expect(ISOVolumeLabel.label(descriptors: []) == nil)
        #expect(ISOVolumeLabel.label(descriptors: Array(Self.descriptor(type: 1, label: "OVF-ENV").prefix(2047))) == nil)
        // UDF's and others' identifiers are not ISO 9660's.
        #expect(ISOVolumeLabel.label(descriptors: Self.descriptor(type: 1, label: "OVF-ENV", identifier: "BEA01")) == nil)
        // A primary descriptor of another version.
        #expect(ISOVolumeLabel.label(descriptors: Self.descriptor(type: 1, label: "OVF-ENV", version: 2)) == nil)
    }

    @Test func theSetEndsBeforeAPrimaryDescriptor() {
        #expect(ISOVolumeLabel.label(descriptors: Self.terminator + Self.descriptor(type: 1, label: "OVF-ENV")) == nil)
        // A supplementary descriptor alone, then the bytes run out.
        #expect(ISOVolumeLabel.label(descriptors: Self.descriptor(type: 2)) == nil)
        // More descriptors before the primary one than are looked at.
        let many = (0..<ISOVolumeLabel.maximumDescriptors).flatMap { _ in Self.descriptor(type: 2) }
        #expect(ISOVolumeLabel.label(descriptors: many + Self.descriptor(type: 1, label: "OVF-ENV")) == nil)
    }

    @Test func anEmptyOrUnprintableLabelIsNone() {
        #expect(ISOVolumeLabel.label(descriptors: Self.descriptor(type: 1, label: "")) == nil)
        var control = Self.descriptor(type: 1, label: "OVF-ENV")
        control[43] = 0x0A
        #expect(ISOVolumeLabel.label(descriptors: control) == nil)
        var high = Self.descriptor(type: 1, label: "OVF-ENV")
        high[40] = 0xC3
        #expect(ISOVolumeLabel.label(descriptors: high) == nil)
    }

    @Test(.enabled(if: ISOBuilder.available, ISOBuilder.skipReason))
    func genisoimageLabels() throws {
        // ISOBuilder labels every image OVF-ENV; with Joliet the primary label is still there.
        for options in [[], ["-J"], ["-J", "-R"]] {
            let image = try ISOBuilder.image(["ovf-env.xml": "<Environment/>"], options: options)
            #expect(ISOVolumeLabel.label(descriptors: Self.descriptors(of: image)) == "OVF-ENV", "\(options)")
        }
    }
}
