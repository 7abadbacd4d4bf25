/// The volume label of an ISO 9660 medium, read from its primary volume descriptor: what udev's
/// blkid would show as `/dev/disk/by-label/LABEL`, read directly so that `auto` need not wait
/// for udev to make the link. Only the descriptors are decoded, never a directory or a file:
/// the files of an image are libarchive's (``OVFEnvironmentImage``), whose API has no volume
/// label to give, and the label is one fixed field of one fixed sector.
///
/// The layout is ECMA-119 (2nd edition, 1987, = ISO 9660:1988):
/// - 6.2.1: logical sectors 0–15 are the System Area; the Volume Descriptor Set follows from
///   logical sector 16. 6.1.2: a logical sector is 2048 bytes or a larger power of two; CDs
///   (and the images hypervisors attach as one) use 2048.
/// - 8.1: each volume descriptor fills one logical sector: byte 0 (BP 1) is its type, bytes
///   1–5 (BP 2–6) the standard identifier `CD001`, byte 6 (BP 7) its version.
/// - 8.3: type 255 terminates the set; 8.4: type 1 is the Primary Volume Descriptor, version 1,
///   whose Volume Identifier (8.4.11) is bytes 40–71 (BP 41–72), 32 d-characters padded
///   with spaces. Type 0 (a boot record, El Torito's) and 2 (a supplementary descriptor, Joliet's)
///   may come before it (8.2, 8.5).
public enum ISOVolumeLabel {
    /// Where the Volume Descriptor Set starts, in bytes: logical sector 16 of 2048 bytes.
    public static let descriptorsOffset: UInt64 = 16 * 2048
    /// One volume descriptor's size.
    public static let descriptorSize = 2048
    /// How many descriptors are looked at before giving up on finding the primary one: a boot
    /// record and a few supplementary descriptors come before it on real media.
    public static let maximumDescriptors = 8
    /// How many bytes from ``descriptorsOffset`` a caller reads to give ``label(descriptors:)``
    /// every descriptor it looks at.
    public static var readLength: Int { descriptorSize * maximumDescriptors }

    static let standardIdentifier: [UInt8] = Array("CD001".utf8)
    static let primaryType: UInt8 = 1
    static let terminatorType: UInt8 = 255
    static let volumeIdentifier = 40..<72

    /// The volume label in `descriptors` (the bytes read from ``descriptorsOffset``, up to
    /// ``readLength`` of them): the primary volume descriptor's Volume Identifier without its
    /// trailing spaces (and NULs, which some authoring tools pad with). Nil when the bytes are
    /// not an ISO 9660 volume descriptor set (no `CD001` where a descriptor must have it), the
    /// set ends or the bytes run out before a primary descriptor, the label is empty, or it
    /// holds a byte outside printable ASCII (a label guestprep compares with `OVF-ENV` never
    /// needs one).
    public static func label(descriptors: [UInt8]) -> String? {
        var start = descriptors.startIndex
        for _ in 0..<maximumDescriptors {
            guard descriptors.endIndex - start >= descriptorSize else { return nil }
            let type = descriptors[start]
            guard Array(descriptors[start + 1..<start + 6]) == standardIdentifier else { return nil }
            if type == terminatorType { return nil }
            if type == primaryType {
                guard descriptors[start + 6] == 1 else { return nil }
                return text(descriptors[start + volumeIdentifier.lowerBound..<start + volumeIdentifier.upperBound])
            }
            start += descriptorSize
        }
        return nil
    }

    /// The identifier without trailing spaces and NULs; nil when empty or not printable ASCII.
    static func text(_ field: ArraySlice<UInt8>) -> String? {
        var end = field.endIndex
        while end > field.startIndex, field[end - 1] == 0x20 || field[end - 1] == 0 { end -= 1 }
        let bytes = field[field.startIndex..<end]
        guard !bytes.isEmpty, bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
