import GuestPrepModel

/// The size of each input guestprep reads from outside, one constant per input, applied the
/// same way whatever brings it: the same document gets the same answer from a file, a
/// directory, an ISO image, a CD-ROM or guestinfo. A source larger than its limit is refused
/// with an error that names the source and the limit, after reading at most the limit and one
/// byte of it.
public enum InputLimits {
    /// The OVF environment document (ovf-env.xml), from `ovf:PATH` (a file, a directory, an ISO
    /// image, a CD-ROM device) and from `guestinfo.ovfEnv`: 1 MiB. A real one is a few
    /// kilobytes (one Property element per key).
    public static let ovfEnvironment = 1 << 20

    /// The entries of an ISO 9660 image or CD-ROM walked to find ovf-env.xml: 4096. A
    /// hypervisor's OVF environment disc holds one file.
    public static let isoEntries = 4096

    /// What is read of an ISO 9660 image or CD-ROM, skipped extents aside (the volume
    /// descriptors, the directories, the document): 16 MiB. libarchive reads a directory whole,
    /// and a crafted image can give one a size of 4 GiB; a real OVF disc's fit in a few sectors.
    public static let isoRead = 16 << 20

    /// A Bitfusion client's token archive as given (a file, a download, or decoded from the
    /// base64 of `guestinfo.guestprep.bitfusion.token-archive`): 16 MiB. A real one is a few
    /// kilobytes.
    public static let tokenArchive = 16 << 20

    /// The token archive's members together, once decompressed: 16 MiB (a decompression bomb
    /// stops here).
    public static let tokenArchiveContents = 16 << 20

    /// One member of the token archive: 1 MiB.
    public static let tokenArchiveMember = 1 << 20

    /// The entries of the token archive (directories included): 1024. The plugin's archive
    /// holds three files in a folder.
    public static let tokenArchiveEntries = 1024
}

extension InputLimits {
    /// The error for an OVF environment document larger than ``ovfEnvironment``: the same
    /// words from every transport, naming the source.
    public static func ovfEnvironmentTooLarge(source: String) -> GuestPrepError {
        .source(
            name: source,
            reason: "the OVF environment document is larger than \(ArchiveError.bytes(ovfEnvironment)), the most guestprep reads of one (a real one is a few kilobytes)")
    }

    /// `document` when it is within ``ovfEnvironment``; the caller reads at most the limit and
    /// one byte, so a longer one shows as longer without being read whole.
    ///
    /// - Throws: ``ovfEnvironmentTooLarge(source:)``.
    public static func checkOVFEnvironment(_ document: [UInt8], source: String) throws(GuestPrepError) -> [UInt8] {
        guard document.count <= ovfEnvironment else { throw ovfEnvironmentTooLarge(source: source) }
        return document
    }
}
